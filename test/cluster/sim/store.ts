// One simulated TiKV store: MVCC data (write + default CF as ordered maps), the SST files Write produced
// (keyed per store by uuid/region/epoch/cf, as on TiKV), the import mode, and an HTTP status port.
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { SortedMap, type Entry } from './sorted-map.js';
import { dataPrefix, decodeWrite, splitDataKey } from './mvcc.js';
import { crc64Update } from './crc64.js';

export interface SimFile { cf: 'default' | 'write'; entries: Entry[] }

export interface KvView { key: Buffer; value: Buffer; commitTs: bigint }

export function fileKey(uuid: Buffer, regionId: number, confVer: number, version: number, cf: string): string {
  return `${uuid.toString('hex')}_${regionId}_${confVer}_${version}_${cf}`;
}

export class SimStore {
  readonly writeCf = new SortedMap();
  readonly defaultCf = new SortedMap();
  readonly files = new Map<string, SimFile>();
  mode: 'Normal' | 'Import' = 'Normal';
  /** every SwitchMode received, in order (tests assert Import before the first Write and Normal at the end) */
  readonly modeHistory: ('Normal' | 'Import')[] = [];
  /** (region, file) a follower could not apply because it never received the file */
  readonly applyFailures: { regionId: number; file: string }[] = [];
  server?: grpc.Server;
  private http?: HttpServer;
  port = 0;
  statusPort = 0;

  constructor(readonly id: number) {}

  get up(): boolean { return this.server !== undefined; }

  get address(): string { return `127.0.0.1:${this.port}`; }
  get statusAddress(): string { return `127.0.0.1:${this.statusPort}`; }

  /** Binds the gRPC port (0 = pick a free one, otherwise re-bind the old one after a restart). */
  async start(services: [grpc.ServiceDefinition, grpc.UntypedServiceImplementation][], creds: grpc.ServerCredentials): Promise<void> {
    const server = new grpc.Server();
    for (const [def, impl] of services) server.addService(def, impl);
    this.port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`127.0.0.1:${this.port}`, creds, (e, port) => (e ? reject(e) : resolve(port))));
    this.server = server;
    if (!this.http) {
      this.http = createServer((req, res) => {
        if (req.url === '/config') {
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify({ coprocessor: { 'region-split-size': '96MiB', 'region-split-keys': 960000 } }));
        } else { res.statusCode = 404; res.end('not found'); }
      });
      await new Promise<void>((resolve) => this.http!.listen(0, '127.0.0.1', () => resolve()));
      this.statusPort = (this.http.address() as AddressInfo).port;
    }
  }

  /** Store down: the gRPC port closes (clients see UNAVAILABLE); data and files survive a restart. */
  stopGrpc(): void {
    this.server?.forceShutdown();
    this.server = undefined;
  }

  async stop(): Promise<void> {
    this.stopGrpc();
    const h = this.http;
    this.http = undefined;
    if (h) { h.closeAllConnections(); await new Promise<void>((resolve) => h.close(() => resolve())); }
  }

  apply(file: SimFile): void {
    (file.cf === 'write' ? this.writeCf : this.defaultCf).merge(file.entries);
  }

  /**
   * Snapshot read at `ts` over raw [start, end) (end empty = unbounded): newest version ≤ ts per key, deletes
   * skipped; long values come from the default CF.
   */
  *scan(start: Buffer, end: Buffer, ts: bigint): Generator<KvView> {
    let lastKey: Buffer | undefined;
    for (const e of this.writeCf.range(dataPrefix(start), end.length ? dataPrefix(end) : Buffer.alloc(0))) {
      const { rawKey, commitTs } = splitDataKey(e.key);
      if (lastKey && lastKey.equals(rawKey)) continue; // an older version of a key already decided
      if (commitTs > ts) continue;
      lastKey = rawKey;
      const w = decodeWrite(e.value);
      if (w.type !== 'P') continue;
      const value = w.shortValue ?? this.defaultCf.get(e.key);
      if (value) yield { key: rawKey, value: Buffer.from(value), commitTs };
    }
  }

  checksum(start: Buffer, end: Buffer, ts: bigint): { checksum: bigint; kvs: bigint; bytes: bigint } {
    let checksum = 0n, kvs = 0n, bytes = 0n;
    for (const kv of this.scan(start, end, ts)) {
      checksum ^= crc64Update(crc64Update(0n, kv.key), kv.value);
      kvs++;
      bytes += BigInt(kv.key.length + kv.value.length);
    }
    return { checksum, kvs, bytes };
  }
}
