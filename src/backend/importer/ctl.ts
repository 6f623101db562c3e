// What tidb-lightning-ctl's `--import-engine` and `--cleanup-engine` do for the importer backend (lightning.md §3,
// Go's UnsafeCloseEngineWithUUID + Import / Cleanup): close the engine on tikv-importer whatever state it is in,
// then import it into the cluster behind `pdAddr`, or delete it.
import { engineUuid, formatUuid, parseUuid } from '../../cluster/engine-uuid.js';
import type { TlsOptions } from '../../cluster/tls.js';
import { Codes, LightningError } from '../../errors.js';
import { ImporterClient, type ImporterClientOptions } from './client.js';

export interface EngineCtlOptions extends Omit<ImporterClientOptions, 'tls'> {
  tls?: TlsOptions;
}

/** `<uuid>` or `` `db`.`tbl`:<engine id> `` (index engine −1) → the engine's UUID bytes. */
export function engineArgUuid(arg: string): Buffer {
  const u = parseUuid(arg.trim());
  if (u) return u;
  const i = arg.lastIndexOf(':');
  const id = i > 0 ? arg.slice(i + 1) : '';
  if (!/^-?\d+$/.test(id)) {
    throw new LightningError(Codes.InvalidArgument, `invalid engine '${arg}': expected a UUID or \`db\`.\`table\`:<engine id>`, { exitCode: 2 });
  }
  return engineUuid(arg.slice(0, i), Number(id));
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
export async function importEngineByUuid(addr: string, uuid: Buffer | string, pdAddr: string, o: EngineCtlOptions = {}): Promise<string> {
  const u = typeof uuid === 'string' ? engineArgUuid(uuid) : uuid;
  await withClient(addr, o, async (c) => {
    await c.closeEngine(u, true);
    await c.importEngine(u, pdAddr);
  });
  return formatUuid(u);
}

/** Closes (if still open) and deletes engine `uuid` of tikv-importer at `addr`. */
export async function cleanupEngineByUuid(addr: string, uuid: Buffer | string, o: EngineCtlOptions = {}): Promise<string> {
  const u = typeof uuid === 'string' ? engineArgUuid(uuid) : uuid;
  await withClient(addr, o, async (c) => {
    await c.closeEngine(u, true);
    await c.cleanupEngine(u);
  });
  return formatUuid(u);
}
