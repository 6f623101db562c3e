// The simulated TiDB server: a MySQL-protocol port and an HTTP status port on 127.0.0.1, over the simulated PD
// and TiKV (ADMIN CHECKSUM goes through PD + the TiKV coprocessor over gRPC; SELECT reads the stores' data).
import type { StoreContext } from '../import-sst-service.js';
import { composeTS } from '../../../../src/cluster/index.js';
import { Catalog } from './catalog.js';
import { ChecksumClient } from './checksum.js';
import { startSqlServer } from './mysql-server.js';
import { startStatusServer } from './status-http.js';
import { execute, type FrontContext } from './statements.js';
import { tableSource } from './table-rows.js';
import { insertRows } from './insert.js';
import { defaultVariables } from './variables.js';
import { SYSTEM_DBS } from './catalog.js';

export { Catalog, type SimTable, type SimDatabase } from './catalog.js';
export { tableInfoJson } from './table-json.js';

export interface TidbOptions {
  /** user → password; default root with no password */
  users?: Record<string, string>;
}

export interface TidbFront {
  sqlAddr: string;
  statusAddr: string;
  catalog: Catalog;
  globals: Map<string, string>;
  stop(): Promise<void>;
}

export interface TidbCluster {
  ctx: StoreContext;
  pdAddr: string;
  storeAddrs: string[];
  tls?: { ca: Buffer; cert: Buffer; key: Buffer; checkClientCert?: boolean; clientCert?: Buffer; clientKey?: Buffer };
}

export async function startTidbFront(cluster: TidbCluster, opts: TidbOptions = {}): Promise<TidbFront> {
  const catalog = new Catalog();
  const globals = defaultVariables();
  const tls = cluster.tls;
  const checksums = new ChecksumClient(cluster.pdAddr, tls ? { tls: { ca: tls.ca, cert: tls.clientCert ?? tls.cert, key: tls.clientKey ?? tls.key } } : {});
  const kv = { state: cluster.ctx.state, stores: cluster.ctx.stores };
  let sqlPort = 0, statusPort = 0;
  const ctx: FrontContext = {
    catalog,
    cluster: {
      tidb: '', status: '', pd: cluster.pdAddr,
      stores: [...cluster.ctx.stores.values()].map((s) => ({ address: s.address, status: s.statusAddress })),
    },
    checksum: (t) => checksums.table(t.info),
    tableSource: (t) => tableSource(kv, t.info, t.db.name, globals.get('time_zone') === 'SYSTEM' ? 'UTC' : globals.get('time_zone')),
    tso: () => { const t = cluster.ctx.state.tso(1); return composeTS(t.physical, t.logical); },
    insert: (t, ins) => insertRows(kv, t, ins, ctx.tso()),
  };
  const sql = await startSqlServer({
    users: new Map(Object.entries(opts.users ?? { root: '' })),
    globals,
    execute: (text, s) => execute(text, s, ctx),
    database: (name) => SYSTEM_DBS.find((x) => x.toLowerCase() === name.toLowerCase()) ?? catalog.database(name).name,
  });
  sqlPort = sql.port;
  const status = await startStatusServer({ catalog, connections: () => sql.connections(), sqlPort: () => sqlPort, pdAddr: cluster.pdAddr, tls });
  statusPort = status.port;
  ctx.cluster.tidb = `127.0.0.1:${sqlPort}`;
  ctx.cluster.status = `127.0.0.1:${statusPort}`;
  return {
    sqlAddr: `127.0.0.1:${sqlPort}`, statusAddr: `127.0.0.1:${statusPort}`, catalog, globals,
    stop: async () => { await sql.close(); await status.close(); await checksums.close(); },
  };
}
