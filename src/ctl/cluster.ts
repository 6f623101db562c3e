// The cluster actions of tidb-lightning-ctl: --switch-mode, --fetch-mode and --compact on every TiKV store PD
// knows (tombstones and TiFlash skipped, as Go's ForAllStores with the Offline minimum state), and the importer
// backend's --import-engine / --cleanup-engine on tikv-importer. TLS from [security].
import { PdClient } from '../cluster/pd.js';
import { cleanupEngineByUuid, importEngineByUuid } from '../backend/importer/ctl.js';
import { ImportSstClient, type ImportMode } from '../cluster/import-sst.js';
import type { ClientOptions } from '../cluster/rpc.js';
import { StoreClients } from '../cluster/store-clients.js';
import { securityTls } from '../cluster/security.js';
import type { Store } from '../cluster/types.js';
import type { Config } from '../config/types.js';
import { ConfigError, formatError, LightningError, Codes } from '../errors.js';
import { engineArg } from './table-arg.js';
import type { Term } from './term.js';

function clientOptions(cfg: Config): ClientOptions {
  const tls = securityTls(cfg.security);
  return { timeoutMs: 30_000, ...(tls ? { tls } : {}) };
}

/** Runs `f` for every TiKV store; one line per store; fails (after all stores) when any store failed. */
async function forAllStores(cfg: Config, say: Term, f: (c: ImportSstClient, s: Store) => Promise<string>): Promise<void> {
  if (!cfg.tidb.pdAddr) throw new ConfigError('this action needs PD: set --pd-urls or [tidb] pd-addr', { key: 'tidb.pd-addr' });
  const opts = clientOptions(cfg);
  const pd = await PdClient.connect(cfg.tidb.pdAddr, opts);
  const clients = new StoreClients(pd, opts);
  let failed = 0;
  try {
    const stores = await clients.tikvStores();
    for (const s of stores) {
      const c = new ImportSstClient(s.address, opts);
      try {
        say.err(`${s.address.padEnd(30)} | ${await f(c, s)}`);
      } catch (e) {
        failed++;
        say.err(`${s.address.padEnd(30)} | Error: ${formatError(e)}`);
      } finally {
        c.close();
      }
    }
    if (failed) throw new LightningError(Codes.KVRpc, `${failed} of ${stores.length} TiKV store(s) failed`);
  } finally {
    clients.close();
    pd.close();
  }
}

export function switchMode(cfg: Config, mode: string, say: Term): Promise<void> {
  const m: ImportMode | undefined = mode === 'import' ? 'Import' : mode === 'normal' ? 'Normal' : undefined;
  if (!m) throw new ConfigError(`invalid mode ${mode}, must use either 'import' or 'normal'`, { key: 'switch-mode' });
  return forAllStores(cfg, say, async (c) => {
    await c.switchMode(m);
    return `switched to ${mode} mode`;
  });
}

export function fetchMode(cfg: Config, say: Term): Promise<void> {
  return forAllStores(cfg, say, async (c) => `${(await c.getMode()).toLowerCase()} mode`);
}

export function compact(cfg: Config, say: Term): Promise<void> {
  return forAllStores(cfg, say, async (c) => {
    await c.compact(undefined, -1);
    return 'compacted (all levels)';
  });
}

/** Go's unsafe close-then-import / close-then-cleanup of one engine on tikv-importer (the importer backend's
 * client: an engine closed already is fine, one in use is waited for). */
export async function importerEngine(cfg: Config, what: 'import' | 'cleanup', engine: string, say: Term): Promise<void> {
  if (!cfg.tikvImporter.addr) throw new ConfigError('this action needs tikv-importer: set --importer or [tikv-importer] addr', { key: 'tikv-importer.addr' });
  const e = engineArg(`${what}-engine`, engine);
  const tls = securityTls(cfg.security);
  if (what === 'import') {
    say.err(`Closing and importing engine: ${e.name}`);
    await importEngineByUuid(cfg.tikvImporter.addr, e.uuid, cfg.tidb.pdAddr, { tls });
  } else {
    say.err(`Closing and cleaning up engine: ${e.name}`);
    await cleanupEngineByUuid(cfg.tikvImporter.addr, e.uuid, { tls });
  }
  say.out(`Engine ${e.name} ${what === 'import' ? 'imported' : 'cleaned up'}.`);
}
