// TiDB's HTTP status port (protocol.md §8.1): /status, /info, /settings, /schema, /schema/{db},
// /schema/{db}/{table}, /schema?table_id=N. HTTPS when the cluster runs TLS.
import { createServer as httpServer, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import { createServer as httpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Catalog } from './catalog.js';
import { dbInfoJson, tableInfoJson } from './table-json.js';
import { GIT_HASH, MYSQL_VERSION } from './variables.js';

export interface StatusOptions {
  catalog: Catalog;
  connections(): number;
  sqlPort(): number;
  pdAddr: string;
  tls?: { ca: Buffer; cert: Buffer; key: Buffer; checkClientCert?: boolean };
}

export interface StatusServer { port: number; close(): Promise<void> }

export async function startStatusServer(o: StatusOptions): Promise<StatusServer> {
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const send = (code: number, body: unknown) => {
      res.statusCode = code;
      res.setHeader('content-type', typeof body === 'string' ? 'text/plain' : 'application/json');
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    const url = new URL(req.url ?? '/', 'http://x');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const cat = o.catalog;
    if (url.pathname === '/status') return send(200, { connections: o.connections(), version: MYSQL_VERSION, git_hash: GIT_HASH });
    if (url.pathname === '/info') {
      return send(200, { version: MYSQL_VERSION, git_hash: GIT_HASH, ddl_id: 'sim-ddl', ip: '127.0.0.1', listening_port: o.sqlPort(), status_port: 0, lease: '45s', start_timestamp: 0, is_owner: true });
    }
    if (url.pathname === '/settings') {
      return send(200, {
        host: '127.0.0.1', 'advertise-address': '127.0.0.1', port: o.sqlPort(), store: 'tikv', path: o.pdAddr, 'lower-case-table-names': 2,
        'new_collations_enabled_on_first_bootstrap': true, status: { 'report-status': true, 'status-host': '127.0.0.1' },
      });
    }
    if (parts[0] !== 'schema') return send(404, '404 page not found\n');
    if (parts.length === 1) {
      const id = url.searchParams.get('table_id');
      if (id) {
        for (const d of cat.dbs.values()) for (const t of d.tables.values()) if (t.info.id === Number(id)) return send(200, tableInfoJson(t));
        return send(404, `[schema:1146]Table which ID = ${id} does not exist.`);
      }
      return send(200, [...cat.dbs.values()].map(dbInfoJson));
    }
    const db = cat.dbs.get(parts[1]!.toLowerCase());
    if (!db) return send(404, `[schema:1049]Unknown database '${parts[1]}'`);
    if (parts.length === 2) return send(200, [...db.tables.values()].map(tableInfoJson));
    const t = db.tables.get(parts[2]!.toLowerCase());
    if (!t) return send(404, `[schema:1146]Table '${parts[1]}.${parts[2]}' doesn't exist`);
    return send(200, tableInfoJson(t));
  };
  const server: Server = o.tls
    ? httpsServer({ ca: o.tls.ca, cert: o.tls.cert, key: o.tls.key, requestCert: o.tls.checkClientCert ?? false, rejectUnauthorized: o.tls.checkClientCert ?? false }, handler)
    : httpServer(handler);
  const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
  return {
    port,
    close: async () => { server.closeAllConnections(); await new Promise<void>((resolve) => server.close(() => resolve())); },
  };
}
