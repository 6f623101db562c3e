// What tidb-lightning-ctl's `--import-engine` and `--cleanup-engine` do for the importer backend (lightning.md §3,
// Go's UnsafeCloseEngineWithUUID + Import / Cleanup): close the engine on tikv-importer whatever state it is in,
// then import it into the cluster behind `pdAddr`, or delete it. The engine argument is parsed by src/ctl/table-arg.
import { formatUuid } from '../../cluster/engine-uuid.js';
import type { TlsOptions } from '../../cluster/security.js';
import { ImporterClient, type ImporterClientOptions } from './client.js';

export interface EngineCtlOptions extends Omit<ImporterClientOptions, 'tls'> {
  tls?: TlsOptions;
}

async function withClient<T>(addr: string, o: EngineCtlOptions, f: (c: ImporterClient) => Promise<T>): Promise<T> {
  const c = new ImporterClient(addr, o);
  try {
    return await f(c);
  } finally {
    c.close();
  }
}

/** Closes (if still open) and imports engine `uuid` of tikv-importer at `addr` into the cluster of `pdAddr`. */
export async function importEngineByUuid(addr: string, u: Buffer, pdAddr: string, o: EngineCtlOptions = {}): Promise<string> {
  await withClient(addr, o, async (c) => {
    await c.closeEngine(u, true);
    await c.importEngine(u, pdAddr);
  });
  return formatUuid(u);
}

/** Closes (if still open) and deletes engine `uuid` of tikv-importer at `addr`. */
export async function cleanupEngineByUuid(addr: string, u: Buffer, o: EngineCtlOptions = {}): Promise<string> {
  await cleanupEngines(addr, [u], o);
  return formatUuid(u);
}

/** The same for several engines over one connection; `before(i)` runs ahead of the i-th (for a progress line). */
export async function cleanupEngines(addr: string, uuids: readonly Buffer[], o: EngineCtlOptions = {}, before?: (i: number) => void): Promise<void> {
  await withClient(addr, o, async (c) => {
    for (const [i, u] of uuids.entries()) {
      before?.(i);
      await c.closeEngine(u, true);
      await c.cleanupEngine(u);
    }
  });
}
