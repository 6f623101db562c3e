// A batch of KV pairs packed into one Buffer: repeated `u32le keyLen | u32le valueLen | key | value`. One allocation
// per batch (not two Buffers per pair), transferable between threads, and the same record layout the run files
// use, so a sorted batch is written with one copy per pair.
export interface KvBatch {
  buf: Buffer;
  count: number;
}

export const RECORD_HEADER = 8;

/** Writes one record at `o` in `b` (room must be there); returns the offset after it. */
export function putRecord(b: Buffer, o: number, key: Uint8Array, value: Uint8Array): number {
  b.writeUInt32LE(key.length, o);
  b.writeUInt32LE(value.length, o + 4);
  b.set(key, o + RECORD_HEADER);
  b.set(value, o + RECORD_HEADER + key.length);
  return o + RECORD_HEADER + key.length + value.length;
}

export class KvBatchBuilder {
  private buf: Buffer;
  private len = 0;
  private n = 0;

  constructor(initial = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  get size(): number { return this.len; }
  get count(): number { return this.n; }

  push(key: Uint8Array, value: Uint8Array): void {
    const need = RECORD_HEADER + key.length + value.length;
    if (this.len + need > this.buf.length) this.grow(need);
    this.len = putRecord(this.buf, this.len, key, value);
    this.n++;
  }

  private grow(need: number): void {
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + need));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  /** The batch so far (a copy sized to fit), and reset for reuse. */
  take(): KvBatch {
    const out = { buf: Buffer.from(this.buf.subarray(0, this.len)), count: this.n };
    this.len = 0;
    this.n = 0;
    return out;
  }
}

/** Pairs as views into the batch buffer. */
export function* kvPairs(batch: KvBatch): Generator<{ key: Buffer; value: Buffer }> {
  const b = batch.buf;
  let o = 0;
  for (let i = 0; i < batch.count; i++) {
    const kl = b.readUInt32LE(o), vl = b.readUInt32LE(o + 4);
    const ks = o + RECORD_HEADER;
    yield { key: b.subarray(ks, ks + kl), value: b.subarray(ks + kl, ks + kl + vl) };
    o = ks + kl + vl;
  }
}

export function batchOf(pairs: Iterable<{ key: Uint8Array; value: Uint8Array }>): KvBatch {
  const b = new KvBatchBuilder();
  for (const p of pairs) b.push(p.key, p.value);
  return b.take();
}
