// EncodePool: parsed rows → TiDB KV pairs on `size` worker threads (Lightning's region-concurrency).
//
//   const pool = new EncodePool({ size, tableInfo, sqlMode, timeZone });
//   const out = await pool.encode(batch, { prevRowIdMax, file });      // one batch
//   for await (const out of pool.encodeChunk(batches, { prevRowIdMax, file })) write(out);  // a whole chunk
//   await pool.close();
//
// - Rows are copied once, synchronously inside encode()/encodeChunk(), into a packed buffer (the parser may
//   reuse its buffers afterwards); packed input and KV output move between threads as transferred
//   ArrayBuffers, never structured-clone copies. encodeChunk coalesces parser batches to >= 1 MiB.
// - Row ids: row i of a batch gets prevRowIdMax + 1 + i; `rowIdMax` of a result is the next batch's
//   prevRowIdMax (Go's scheme), so a chunk resumed from its checkpoint encodes to identical KVs.
// - Results: `data` (record KVs, the data engine) and `index` (index KVs, the index engine) KvBatches, each
//   with its KV checksum (crc64-xor, kvs, bytes), plus `checksum` of both; `endOffset` is the source offset
//   just past the batch's last row (the checkpoint position once the result is written).
// - Backpressure: at most `maxQueue` tasks wait for a worker; encode() waits (holding its packed batch)
//   beyond that; encodeChunk keeps at most `maxInFlight` batches of its chunk in the pool and pulls from
//   its source only when one completes, so memory is bounded by size × maxInFlight × batch size.
// - Errors: bad data is the encoder's coded LightningError (file and row in its context); a worker that dies
//   (crash, out of memory, terminated) fails its batch with Codes.EncodeWorkerCrashed and is replaced;
//   three deaths in a row without a finished batch fail the pool.
// - Idle workers are unref()ed: a forgotten close() does not keep the process alive.
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { LightningError, Codes, type ErrorContext } from '../../errors.js';
import type { Row, RowBatch } from '../../parse/types.js';
import { KVChecksum, type KVChecksumParts } from '../checksum.js';
import { TableEncoder } from '../table.js';
import type { TableInfo } from '../schema/model.js';
import type { Int64 } from '../codec/number.js';
import type { KvBatch } from './kv-batch.js';
import { RowPacker, type PackedRows } from './row-pack.js';
import { columnMap } from './encode-task.js';
import { BufferPool } from './buffers.js';
import type { SerializedError, WorkerInit, WorkerReply, WorkerRequest } from './protocol.js';

export interface EncodePoolOptions {
  /** worker threads (region-concurrency) */
  size: number;
  tableInfo: TableInfo;
  sqlMode?: string;
  timeZone?: string;
  /** what CURRENT_TIMESTAMP defaults evaluate to (ms); keep it stable across resumes (e.g. the task's start) */
  timestamp?: number;
  rowFormatVersion?: 1 | 2;
  /** tasks that may wait for a free worker before encode() waits itself (default 2 × size) */
  maxQueue?: number;
  /** V8 limits per worker; a worker over them dies (ERR_WORKER_OUT_OF_MEMORY) → EncodeWorkerCrashed */
  resourceLimits?: ResourceLimits;
}

export interface EncodeBatchOptions {
  /** the last row id before this batch (the chunk checkpoint's PrevRowIDMax) */
  prevRowIdMax: Int64;
  /** source file, for error messages */
  file?: string;
  /** field names (overrides batch.columns); null = table column order */
  columns?: readonly string[] | null;
}

export interface EncodeChunkOptions extends EncodeBatchOptions {
  /** batches of this chunk in the pool at once (default 2) */
  maxInFlight?: number;
  /** coalesce parser batches until this many source bytes (default 1 MiB) */
  minBatchBytes?: number;
}

export interface EncodeResult {
  data: KvBatch;
  index: KvBatch;
  /** data + index combined */
  checksum: KVChecksumParts;
  rows: number;
  /** row id of the last row: the next batch's prevRowIdMax */
  rowIdMax: Int64;
  /** bytes packed for this batch (field values and the delimiters between them) */
  srcBytes: number;
  firstRowNo: number;
  /** source offset just past the last row */
  endOffset: number;
}

export interface EncodePoolStats {
  tasks: number;
  rows: number;
  srcBytes: number;
  kvs: number;
  crashes: number;
  /** most tasks ever queued or running at once */
  peakInFlight: number;
  /** worker busy time, seconds */
  busySeconds: number;
}

interface Task {
  req: WorkerRequest;
  transfer: ArrayBuffer[];
  packed: PackedRows;
  file?: string;
  resolve: (r: EncodeResult) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  task: Task | null;
  /** message of the worker's uncaught error, if it had one */
  lastError?: string;
}

const WORKER_URL = new URL('./worker.js', import.meta.url);
const MAX_CRASH_STREAK = 3;

function revive(e: SerializedError, fallback: ErrorContext): Error {
  const err = new LightningError(e.code ?? Codes.EncodeKV, '', { context: { ...fallback, ...e.context }, exitCode: e.exitCode });
  Object.defineProperty(err, 'message', { value: e.code ? e.message : `encode failed: ${e.message}`, enumerable: false, writable: true, configurable: true });
  err.stack = `${err.name}: ${err.message}\n    (in encode worker)${e.stack ? '\n' + e.stack.split('\n').slice(1).join('\n') : ''}`;
  return err;
}

const asBuffer = (u: Uint8Array): Buffer => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

function addRowId(a: Int64, n: number): Int64 {
  if (typeof a === 'number' && a + n <= Number.MAX_SAFE_INTEGER) return a + n;
  return BigInt(a) + BigInt(n);
}

export class EncodePool {
  readonly size: number;
  readonly table: TableInfo;
  protected readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private readonly spaceWaiters: (() => void)[] = [];
  private readonly idleWaiters: (() => void)[] = [];
  private readonly maxQueue: number;
  /** packed-row buffers coming back from workers, for the next packers */
  private readonly inBuffers: BufferPool;
  /** released KV buffers, travelling back to the workers */
  private readonly outBuffers: BufferPool;
  private readonly init: WorkerInit;
  private readonly limits?: ResourceLimits;
  private nextId = 1;
  private running = 0;
  private crashStreak = 0;
  private closed = false;
  private broken: Error | null = null;
  private readonly st: EncodePoolStats = { tasks: 0, rows: 0, srcBytes: 0, kvs: 0, crashes: 0, peakInFlight: 0, busySeconds: 0 };

  constructor(opts: EncodePoolOptions) {
    if (!Number.isInteger(opts.size) || opts.size < 1) throw new LightningError(Codes.InvalidArgument, `encode pool size must be a positive integer, got ${opts.size}`);
    // build one encoder here: a table the encoder cannot handle fails now, with its own code, not as a crash loop
    const timestamp = opts.timestamp ?? Date.now();
    void new TableEncoder(opts.tableInfo, { sqlMode: opts.sqlMode, timeZone: opts.timeZone, rowFormatVersion: opts.rowFormatVersion, timestamp });
    this.size = opts.size;
    this.table = opts.tableInfo;
    this.maxQueue = opts.maxQueue ?? opts.size * 2;
    this.init = { tableInfo: opts.tableInfo, sqlMode: opts.sqlMode, timeZone: opts.timeZone, rowFormatVersion: opts.rowFormatVersion, timestamp };
    this.limits = opts.resourceLimits;
    this.inBuffers = new BufferPool(opts.size * 4);
    this.outBuffers = new BufferPool(opts.size * 4);
    for (let i = 0; i < opts.size; i++) this.slots.push(this.spawn());
  }

  get stats(): Readonly<EncodePoolStats> {
    return { ...this.st };
  }

  private spawn(): Slot {
    const worker = new Worker(WORKER_URL, { workerData: this.init, resourceLimits: this.limits });
    const slot: Slot = { worker, task: null };
    worker.unref();
    worker.on('message', (m: WorkerReply) => this.onReply(slot, m));
    worker.on('error', (e: Error) => { slot.lastError = `${(e as { code?: string }).code ?? e.name}: ${e.message}`; });
    worker.on('exit', (code) => this.onExit(slot, code));
    return slot;
  }

  private onReply(slot: Slot, m: WorkerReply): void {
    const t = slot.task;
    if (!t || t.req.id !== m.id) return;
    slot.task = null;
    slot.worker.unref();
    this.running--;
    this.crashStreak = 0;
    if (m.ok) {
      this.inBuffers.give(m.input);
      const o = m.out;
      const data: KvBatch = { ...o.data, buf: asBuffer(o.data.buf) };
      const index: KvBatch = { ...o.index, buf: asBuffer(o.index.buf) };
      const ck = KVChecksum.from(data.checksum);
      ck.add(index.checksum);
      this.st.tasks++;
      this.st.rows += o.rows;
      this.st.srcBytes += t.packed.dataBytes;
      this.st.kvs += data.count + index.count;
      this.st.busySeconds += m.busyNs / 1e9;
      t.resolve({
        data, index, checksum: ck.parts(), rows: o.rows, rowIdMax: o.rowIdMax, srcBytes: t.packed.dataBytes,
        firstRowNo: t.packed.firstRowNo, endOffset: t.packed.endOffset,
      });
    } else {
      t.reject(revive(m.error, { table: this.table.name.O, file: t.file }));
    }
    this.pump();
  }

  private onExit(slot: Slot, code: number): void {
    const i = this.slots.indexOf(slot);
    if (i < 0) return;
    if (this.closed && !slot.task) return;
    this.st.crashes++;
    this.crashStreak++;
    const t = slot.task;
    const why = slot.lastError ?? `exit code ${code}`;
    if (t) {
      slot.task = null;
      this.running--;
      t.reject(new LightningError(Codes.EncodeWorkerCrashed,
        `encode worker died (${why}) while encoding ${t.packed.rows} rows starting at row ${t.packed.firstRowNo}`,
        { context: { table: this.table.name.O, file: t.file, row: t.packed.firstRowNo } }));
    }
    if (this.crashStreak >= MAX_CRASH_STREAK) {
      this.fail(new LightningError(Codes.EncodeWorkerCrashed, `encode workers keep dying (${why}); giving up after ${this.crashStreak} in a row`, { context: { table: this.table.name.O } }));
      this.slots.splice(i, 1);
      return;
    }
    this.slots[i] = this.spawn();
    this.pump();
  }

  private fail(e: Error): void {
    this.broken = e;
    for (const t of this.queue.splice(0)) t.reject(e);
    this.wake();
  }

  private wake(): void {
    for (const w of this.spaceWaiters.splice(0)) w();
    if (this.running === 0 && this.queue.length === 0) for (const w of this.idleWaiters.splice(0)) w();
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) break;
      if (slot.task) continue;
      const t = this.queue.shift()!;
      slot.task = t;
      this.running++;
      slot.worker.ref();
      const recycle = this.outBuffers.drain(2);
      if (recycle.length) t.req.recycle = recycle;
      slot.worker.postMessage(t.req, [...t.transfer, ...recycle]);
    }
    this.st.peakInFlight = Math.max(this.st.peakInFlight, this.running + this.queue.length);
    this.wake();
  }

  private check(): void {
    if (this.broken) throw this.broken;
    if (this.closed) throw new LightningError(Codes.InvalidArgument, 'encode pool is closed');
  }

  /** Queue packed rows (takes ownership of its buffers). Resolves when a worker has encoded them. */
  async submit(packed: PackedRows, colMap: number[] | null, opts: EncodeBatchOptions): Promise<EncodeResult> {
    this.check();
    while (this.queue.length >= this.maxQueue) {
      await new Promise<void>((r) => this.spaceWaiters.push(r));
      this.check();
    }
    return new Promise<EncodeResult>((resolve, reject) => {
      const req: WorkerRequest = { id: this.nextId++, data: packed.data, meta: packed.meta, colMap, prevRowIdMax: opts.prevRowIdMax, file: opts.file };
      this.queue.push({ req, transfer: [packed.data, packed.meta], packed, file: opts.file, resolve, reject });
      this.pump();
    });
  }

  /** Encode one batch (copied before this returns; the caller may reuse its buffers). */
  encode(batch: RowBatch | readonly Row[], opts: EncodeBatchOptions): Promise<EncodeResult> {
    try {
      this.check();
      const rows = Array.isArray(batch) ? batch as readonly Row[] : (batch as RowBatch).rows;
      const cols = opts.columns !== undefined ? opts.columns : Array.isArray(batch) ? null : (batch as RowBatch).columns;
      const map = columnMap(this.table, cols);
      let bytes = 0;
      for (const r of rows) for (const f of r.fields) bytes += f.value.length;
      const packer = new RowPacker(bytes + 64, this.inBuffers);
      for (const r of rows) packer.add(r);
      const p = packer.finish();
      packer.dispose();
      return this.submit(p, map, opts);
    } catch (e) {
      return Promise.reject(e as Error);
    }
  }

  /**
   * Encode a chunk's batches in order, `maxInFlight` at a time; yields results in source order. Row ids
   * continue from opts.prevRowIdMax across batches.
   */
  async *encodeChunk(source: AsyncIterable<RowBatch> | Iterable<RowBatch>, opts: EncodeChunkOptions): AsyncGenerator<EncodeResult> {
    const maxInFlight = Math.max(1, opts.maxInFlight ?? 2);
    const minBytes = opts.minBatchBytes ?? 1 << 20;
    const inflight: Promise<EncodeResult>[] = [];
    let prev = opts.prevRowIdMax;
    const packer = new RowPacker(minBytes + (minBytes >> 2), this.inBuffers);
    let cols: readonly string[] | null | undefined;
    const flush = (): void => {
      if (packer.rows === 0) return;
      const p = packer.finish();
      const map = columnMap(this.table, cols ?? null);
      const job = this.submit(p, map, { ...opts, prevRowIdMax: prev });
      job.catch(() => undefined); // observed below, in order; never an unhandled rejection meanwhile
      inflight.push(job);
      prev = addRowId(prev, p.rows);
    };
    try {
      for await (const b of source) {
        const bc = opts.columns !== undefined ? opts.columns : b.columns;
        if (packer.rows > 0 && !sameColumns(bc, cols)) flush();
        cols = bc;
        for (const r of b.rows) packer.add(r);
        if (packer.bytes >= minBytes) flush();
        else packer.settle(); // the parser may reuse its buffers once we ask for the next batch
        while (inflight.length >= maxInFlight) yield await inflight.shift()!;
      }
      flush();
      while (inflight.length) yield await inflight.shift()!;
    } finally {
      packer.dispose();
      await Promise.allSettled(inflight);
    }
  }

  /**
   * Optional: give a result's KV buffers back for reuse once its pairs have been copied out (sorted, written).
   * Saves the page faults of fresh memory; the result must not be read afterwards.
   */
  release(r: EncodeResult): void {
    this.outBuffers.give(r.data.buf.buffer as ArrayBuffer);
    this.outBuffers.give(r.index.buf.buffer as ArrayBuffer);
  }

  /** Wait for queued work, then stop the workers. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.running > 0 || this.queue.length > 0) await new Promise<void>((r) => this.idleWaiters.push(r));
    this.closed = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}

function sameColumns(a: readonly string[] | null | undefined, b: readonly string[] | null | undefined): boolean {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  return a.every((x, i) => x === b[i]);
}
