// The KV pairs of one encoded batch in one transferable buffer, plus their KV checksum. Layout: repeated
// [u32le keyLen][u32le valLen][key][value]; key and value are adjacent so the checksum's crc64(key‖value)
// runs over one range. The buffer owns its ArrayBuffer (never Node's shared pool), so it can be transferred.
import { KVChecksum, type KVChecksumParts } from '../checksum.js';
import type { KVSink } from '../table.js';
import type { BufferPool } from './buffers.js';

export interface KvBatch {
  /** the pairs, starting at byte 0 (a view on its own ArrayBuffer: transfer `buf.buffer`) */
  buf: Buffer;
  /** number of pairs */
  count: number;
  /** crc64-xor, pair count and Σ(key+value bytes) of exactly these pairs (Lightning's KVChecksum) */
  checksum: KVChecksumParts;
}

export const KV_HEADER = 8;

/** call fn for every pair (views into batch.buf: copy to keep) */
export function forEachKv(b: KvBatch, fn: (key: Buffer, val: Buffer, i: number) => void): void {
  const buf = b.buf;
  let p = 0;
  for (let i = 0; i < b.count; i++) {
    const kl = buf.readUInt32LE(p), vl = buf.readUInt32LE(p + 4);
    const k = p + KV_HEADER;
    fn(buf.subarray(k, k + kl), buf.subarray(k + kl, k + kl + vl), i);
    p = k + kl + vl;
  }
}

/** every pair, copied: convenient for tests and small batches */
export function kvPairs(b: KvBatch): { key: Buffer; val: Buffer }[] {
  const out: { key: Buffer; val: Buffer }[] = [];
  forEachKv(b, (key, val) => out.push({ key: Buffer.from(key), val: Buffer.from(val) }));
  return out;
}

export class KvBatchWriter {
  buf: Buffer;
  pos = 0;
  count = 0;
  readonly checksum = new KVChecksum();

  /** `buffers`: where to take the output buffer from (and give outgrown ones back to) */
  constructor(capacity = 1 << 20, private readonly buffers?: BufferPool) {
    this.buf = Buffer.from(buffers ? buffers.take(capacity) : new ArrayBuffer(capacity));
  }

  add(key: Buffer, keyLen: number, val: Buffer, valLen: number): void {
    const need = KV_HEADER + keyLen + valLen;
    if (this.pos + need > this.buf.length) this.grow(need);
    const out = this.buf;
    let p = this.pos;
    out[p] = keyLen; out[p + 1] = keyLen >>> 8; out[p + 2] = keyLen >>> 16; out[p + 3] = keyLen >>> 24;
    out[p + 4] = valLen; out[p + 5] = valLen >>> 8; out[p + 6] = valLen >>> 16; out[p + 7] = valLen >>> 24;
    p += KV_HEADER;
    const start = p;
    // short copies: a loop beats the native call of copy()
    if (keyLen <= 32) for (let i = 0; i < keyLen; i++) out[p++] = key[i]!;
    else p += key.copy(out, p, 0, keyLen);
    if (valLen <= 32) for (let i = 0; i < valLen; i++) out[p++] = val[i]!;
    else p += val.copy(out, p, 0, valLen);
    this.checksum.updateRange(out, start, p);
    this.pos = p;
    this.count++;
  }

  private grow(need: number): void {
    let cap = this.buf.length * 2;
    while (cap < this.pos + need) cap *= 2;
    const nb = Buffer.from(this.buffers ? this.buffers.take(cap) : new ArrayBuffer(cap));
    this.buf.copy(nb, 0, 0, this.pos);
    this.buffers?.give(this.buf.buffer as ArrayBuffer);
    this.buf = nb;
  }

  /** the batch so far; the writer must not be used afterwards (its buffer is handed over) */
  finish(): KvBatch {
    return { buf: this.buf.subarray(0, this.pos), count: this.count, checksum: this.checksum.parts() };
  }
}

/** KVSink that splits pairs into the data engine (records) and the index engine */
export class EngineSplitSink implements KVSink {
  readonly data: KvBatchWriter;
  readonly index: KvBatchWriter;
  constructor(dataCapacity: number, indexCapacity: number, buffers?: BufferPool) {
    this.data = new KvBatchWriter(dataCapacity, buffers);
    this.index = new KvBatchWriter(indexCapacity, buffers);
  }
  push(isIndex: boolean, key: Buffer, keyLen: number, val: Buffer, valLen: number): void {
    (isIndex ? this.index : this.data).add(key, keyLen, val, valLen);
  }
}
