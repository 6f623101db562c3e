// One writer of a local engine (one per chunk being encoded). Batches are buffered in memory and sorted into a
// run file on disk when the buffer reaches local-writer-mem-cache-size, or when the writer goes idle (nothing
// appended for `flushDelayMs`: the caller is waiting for an acknowledgement). append() resolves only after the
// run holding the batch is fsynced and renamed into place, so a checkpoint saved after the ack is never ahead of
// durable data. Concurrent appends are group-committed into one run; acks come in append order.
import type { KvBatch } from './kv-batch.js';
import { writeSorted } from './mem-sort.js';
import { RecordFileWriter } from './record-file.js';
import { Codes, LightningError } from '../errors.js';

export interface RunSink {
  /** path for the next run file */
  nextRunPath(): string;
  /** reserve disk quota for a run of `bytes` (throws DiskQuota) */
  reserve(bytes: number): void;
  release(bytes: number): void;
  /** a run became durable */
  addRun(path: string, fileBytes: number, reserved: number): void;
}

interface Pending { batch: KvBatch; resolve: () => void; reject: (e: unknown) => void }

export class SortedWriter {
  private pending: Pending[] = [];
  private pendingBytes = 0;
  private flushing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  /** runs this writer produced */
  runs = 0;

  constructor(private readonly sink: RunSink, private readonly memCacheSize: number, private readonly flushDelayMs: number) {}

  /** Buffers `batch`; resolves once it is durable on disk. */
  append(batch: KvBatch): Promise<void> {
    if (this.closed) return Promise.reject(new LightningError(Codes.EngineState, 'write to a closed engine writer'));
    if (batch.count === 0) return this.sync();
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ batch, resolve, reject });
      this.pendingBytes += batch.buf.length;
      if (this.pendingBytes >= this.memCacheSize) this.kick();
      else this.arm();
    });
  }

  /** Flushes whatever is buffered now; resolves when everything appended so far is durable. */
  async sync(): Promise<void> {
    this.kick();
    while (this.flushing) await this.flushing;
  }

  async close(): Promise<void> {
    await this.sync();
    this.closed = true;
  }

  private arm(): void {
    if (this.timer || this.flushing) return;
    this.timer = setTimeout(() => { this.timer = undefined; this.kick(); }, this.flushDelayMs);
  }

  private kick(): void {
    if (this.timer) { clearTimeout(this.timer); this.timer = undefined; }
    if (this.flushing || this.pending.length === 0) return;
    // one run holds at most memCacheSize (plus the batch that crossed it): that bounds the sort's memory
    let n = 0, bytes = 0;
    while (n < this.pending.length && (n === 0 || bytes < this.memCacheSize)) bytes += this.pending[n++]!.batch.buf.length;
    const group = this.pending.splice(0, n);
    this.pendingBytes -= bytes;
    this.flushing = this.flush(group, bytes).then(
      () => { for (const p of group) p.resolve(); },
      (e: unknown) => { for (const p of group) p.reject(e); },
    ).finally(() => {
      this.flushing = undefined;
      if (this.pending.length > 0) {
        if (this.pendingBytes >= this.memCacheSize) this.kick();
        else this.arm();
      }
    });
  }

  private async flush(group: Pending[], bytes: number): Promise<void> {
    const size = bytes + 24;
    this.sink.reserve(size);
    let w: RecordFileWriter | undefined;
    try {
      w = await RecordFileWriter.create(this.sink.nextRunPath());
      await writeSorted(group.map((p) => p.batch), w);
      const fileBytes = await w.finish();
      this.runs++;
      this.sink.addRun(w.path, fileBytes, size);
    } catch (e) {
      await w?.abort();
      this.sink.release(size);
      throw e;
    }
  }
}
