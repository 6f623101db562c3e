// One simulated TiKV store: MVCC data (write + default CF, runs on disk), the SST files Write/Download/Upload
// produced (keyed per store by uuid/region/epoch/cf, as on TiKV), the import mode with its history, disk state,
// and an HTTP status port.
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { ColumnFamily } from './kv/cf.js';
import { RunWriter, writeRun, type Entry, type Run } from './kv/run.js';
import { dataPrefix, decodeWrite, splitDataKey } from './mvcc.js';
import { crc64UpdateHalves } from '../../../src/encode/crc64.js';

export interface SimFile { cf: 'default' | 'write'; run: Run }

export interface KvView { key: Buffer; value: Buffer; commitTs: bigint }

export type ImportModeName = 'Normal' | 'Import';

/** What happened on a store, in order: mode switches, Write streams opened, ingests applied. */
export type StoreEvent =
  | { kind: 'mode'; mode: ImportModeName; reason: 'request' | 'timeout' }
  | { kind: 'write'; regionId: number }
  | { kind: 'ingest'; regionId: number; files: number };

export function fileKey(uuid: Buffer, regionId: number, confVer: number, version: number, cf: string): string {
  return `${uuid.toString('hex')}_${regionId}_${confVer}_${version}_${cf}`;
}

export interface StoreOptions {
  /** TiKV's import.import-mode-timeout: Import reverts to Normal this long after the last switch (default 10 min) */
  importModeTimeoutMs?: number;
  /** slow raft apply: an ingest holds its files this long before applying (makes `ingest file conflict` reachable) */
  applyDelayMs?: number;
}

export class SimStore {
  readonly writeCf = new ColumnFamily();
  readonly defaultCf = new ColumnFamily();
  readonly files = new Map<string, SimFile>();
  /** files being ingested right now (a second ingest of one of them is a conflict) */
  readonly ingesting = new Set<string>();
  /** every mode switch, Write and ingest, in order */
  readonly events: StoreEvent[] = [];
  /** (region, file) a follower could not apply because it never received the file */
  readonly applyFailures: { regionId: number; file: string }[] = [];
  /** force-partition ranges (raw keys) with their expiry */
  readonly forcePartitions = new Map<string, { start: Buffer; end: Buffer; expireAt: number }>();
  disk: 'normal' | 'almostFull' | 'full' = 'normal';
  /** SuspendImportRPC: imports are refused with server_is_busy until then (ms epoch) */
  suspendedUntil = 0;
  applyDelayMs: number;
  server?: grpc.Server;
  private http?: HttpServer;
  private modeNow: ImportModeName = 'Normal';
  private modeSetAt = 0;
  private readonly importModeTimeoutMs: number;
  private runSeq = 0;
  port = 0;
  statusPort = 0;

  constructor(readonly id: number, readonly dir: string, opts: StoreOptions = {}) {
    mkdirSync(dir, { recursive: true });
    this.importModeTimeoutMs = opts.importModeTimeoutMs ?? 10 * 60_000;
    this.applyDelayMs = opts.applyDelayMs ?? 0;
  }

  get up(): boolean { return this.server !== undefined; }
  get address(): string { return `127.0.0.1:${this.port}`; }
  get statusAddress(): string { return `127.0.0.1:${this.statusPort}`; }

  /** The current mode; Import lapses to Normal after the timeout, as on TiKV (recorded when noticed). */
  get mode(): ImportModeName {
    if (this.modeNow === 'Import' && Date.now() - this.modeSetAt >= this.importModeTimeoutMs) {
      this.modeNow = 'Normal';
      this.events.push({ kind: 'mode', mode: 'Normal', reason: 'timeout' });
    }
    return this.modeNow;
  }

  setMode(mode: ImportModeName): void {
    void this.mode; // record a lapse that happened before this switch
    this.modeNow = mode;
    this.modeSetAt = Date.now();
    this.events.push({ kind: 'mode', mode, reason: 'request' });
  }

  /** every SwitchMode received, in order */
  get modeHistory(): ImportModeName[] {
    return this.events.flatMap((e) => (e.kind === 'mode' && e.reason === 'request' ? [e.mode] : []));
  }

  /** the mode in force when the first Write stream was opened (undefined: never written) */
  get modeAtFirstWrite(): ImportModeName | undefined {
    let mode: ImportModeName = 'Normal';
    for (const e of this.events) {
      if (e.kind === 'mode') mode = e.mode;
      if (e.kind === 'write') return mode;
    }
    return undefined;
  }

  newRunWriter(): RunWriter {
    return new RunWriter(join(this.dir, `${++this.runSeq}.run`));
  }

  /** a run file holding sorted `entries` */
  newRun(entries: Iterable<Entry>): Run {
    return writeRun(join(this.dir, `${++this.runSeq}.run`), entries);
  }

  /** Binds the gRPC port (0 = pick a free one, otherwise re-bind the old one after a restart). */
  async start(services: [grpc.ServiceDefinition, grpc.UntypedServiceImplementation][], creds: grpc.ServerCredentials): Promise<void> {
    const server = new grpc.Server({ 'grpc.max_receive_message_length': -1, 'grpc.max_send_message_length': -1 });
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
    rmSync(this.dir, { recursive: true, force: true });
  }

  apply(file: SimFile): void {
    (file.cf === 'write' ? this.writeCf : this.defaultCf).ingest(file.run);
  }

  /**
   * Snapshot read at `ts` over raw [start, end) (end empty = unbounded): newest version ≤ ts per key, deletes
   * skipped; long values come from the default CF.
   */
  *scan(start: Buffer, end: Buffer, ts: bigint): Generator<KvView> {
    const lo = dataPrefix(start), hi = end.length ? dataPrefix(end) : Buffer.alloc(0);
    // long values: walk the default CF alongside (same data keys, same order) instead of a point get per key
    const defaults = this.defaultCf.range(lo, hi);
    let d = defaults.next();
    const longValue = (k: Buffer): Buffer | undefined => {
      while (!d.done && Buffer.compare(d.value.key, k) < 0) d = defaults.next();
      return !d.done && d.value.key.equals(k) ? Buffer.from(d.value.value) : undefined;
    };
    let lastKey: Buffer | undefined;
    try {
      for (const e of this.writeCf.range(lo, hi)) {
        const { rawKey, commitTs } = splitDataKey(e.key);
        if (lastKey && lastKey.equals(rawKey)) continue; // an older version of a key already decided
        if (commitTs > ts) continue;
        lastKey = rawKey;
        const w = decodeWrite(e.value);
        if (w.type !== 'P') continue;
        const value = w.shortValue ? Buffer.from(w.shortValue) : longValue(e.key);
        if (value) yield { key: rawKey, value, commitTs };
      }
    } finally {
      defaults.return(undefined);
    }
  }

  /** A CF's raw MVCC entries (data keys) for raw [start, end): what a BR backup writes into its SST files. */
  exportCf(cf: SimFile['cf'], start: Buffer, end: Buffer): Generator<Entry> {
    return (cf === 'write' ? this.writeCf : this.defaultCf).range(dataPrefix(start), end.length ? dataPrefix(end) : Buffer.alloc(0));
  }

  /** TiKV's checksum coprocessor over one range: XOR of crc64(key ‖ value), count, sum of lengths (§6.4) */
  checksum(start: Buffer, end: Buffer, ts: bigint): { checksum: bigint; kvs: bigint; bytes: bigint } {
    let hi = 0, lo = 0, kvs = 0, bytes = 0;
    const st = { hi: 0, lo: 0 };
    for (const kv of this.scan(start, end, ts)) {
      st.hi = 0; st.lo = 0;
      crc64UpdateHalves(crc64UpdateHalves(st, kv.key), kv.value);
      hi = (hi ^ st.hi) >>> 0; lo = (lo ^ st.lo) >>> 0;
      kvs++;
      bytes += kv.key.length + kv.value.length;
    }
    return { checksum: (BigInt(hi) << 32n) | BigInt(lo), kvs: BigInt(kvs), bytes: BigInt(bytes) };
  }
}
