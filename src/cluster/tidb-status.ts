// TiDB's HTTP status API (protocol.md §8.1) as the KV backends use it: the table info with the IDs the
// encoder needs (`/schema/{db}/{table}`) and PD's address when `tidb.pd-addr` is empty (`/settings`, key `path`).
// HTTPS with the [security] CA and client certificate when a CA is configured.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { readFileSync } from 'node:fs';
import { Codes, LightningError } from '../errors.js';
import { fromTiDBJSON, type TableInfo } from '../encode/schema/model.js';
import type { TlsOptions } from './tls.js';

export interface TidbStatusOptions {
  host: string;
  port: number;
  tls?: TlsOptions;
  timeoutMs?: number;
}

export class TidbStatusClient {
  constructor(private readonly o: TidbStatusOptions) {}

  private get(path: string): Promise<unknown> {
    const o = this.o;
    const tls = o.tls && (o.tls.ca || o.tls.caPath) ? o.tls : undefined;
    const read = (b: Buffer | undefined, p: string | undefined) => b ?? (p ? readFileSync(p) : undefined);
    const url = `${tls ? 'https' : 'http'}://${o.host}:${o.port}${path}`;
    return new Promise((resolve, reject) => {
      const req = (tls ? httpsRequest : httpRequest)(url, {
        timeout: o.timeoutMs ?? 10_000,
        ...(tls ? { ca: read(tls.ca, tls.caPath), cert: read(tls.cert, tls.certPath), key: read(tls.key, tls.keyPath) } : {}),
      }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (b: Buffer) => parts.push(b));
        res.on('end', () => {
          const body = Buffer.concat(parts).toString('utf8');
          if (res.statusCode !== 200) {
            reject(new LightningError(Codes.TableNotExists, `TiDB status API ${path}: HTTP ${res.statusCode}: ${body.trim().slice(0, 300)}`, { context: { key: url } }));
            return;
          }
          try {
            resolve(JSON.parse(body));
          } catch (e) {
            reject(new LightningError(Codes.DBQuery, `TiDB status API ${path}: not JSON: ${(e as Error).message}`, { cause: e }));
          }
        });
      });
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', (e) => reject(new LightningError(Codes.DBConnect, `cannot reach TiDB's status port ${o.host}:${o.port}: ${e.message}`, { cause: e, retryable: true })));
      req.end();
    });
  }

  /** The table's TableInfo (IDs, columns, indexes, collations) as the encoder takes it. */
  async tableInfo(schema: string, table: string): Promise<TableInfo> {
    return fromTiDBJSON(await this.get(`/schema/${encodeURIComponent(schema)}/${encodeURIComponent(table)}`));
  }

  /** PD's address as TiDB knows it (`path` of /settings), for an empty tidb.pd-addr. */
  async pdAddr(): Promise<string> {
    const s = await this.get('/settings') as { path?: string };
    const addr = (s.path ?? '').split(',')[0]!.replace(/^[a-z]+:\/\//, '').trim();
    if (!addr) throw new LightningError(Codes.InvalidConfig, 'tidb.pd-addr is empty and TiDB /settings gives no PD address', { context: { key: 'tidb.pd-addr' }, exitCode: 2 });
    return addr;
  }
}
