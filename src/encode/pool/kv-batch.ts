// The KV pairs of one encoded batch in one transferable buffer, plus their KV checksum. Layout: repeated
// [u32le keyLen][u32le valLen][key][value]; key and value are adjacent so the checksum's crc64(key‖value)
// runs over one range. The buffer owns its ArrayBuffer (never Node's shared pool), so it can be transferred.
import { KVChecksum, type KVChecksumParts } from '../checksum.js';
import type { KVSink } from '../table.js';
import type { BufferPool } from './buffers.js';
import { Writer } from '../codec/writer.js';

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
  /** the encoder appends pairs here directly ([8 header bytes][key][value], see KVSink) */
  readonly w: Writer;
  count = 0;
  readonly checksum = new KVChecksum();

  /** `buffers`: where the output buffer comes from (and outgrown ones go back to) */
  constructor(capacity = 1 << 20, buffers?: BufferPool) {
    // own ArrayBuffers, never Node's shared pool: the batch is transferred
    const alloc = (n: number): Buffer => Buffer.from(buffers ? buffers.take(n) : new ArrayBuffer(n));
    this.w = new Writer(capacity, alloc, buffers ? (b) => buffers.give(b.buffer as ArrayBuffer) : undefined);
  }

  /** the pair buf[start + 8, keyEnd) ‖ buf[keyEnd, w.pos) was written: frame it and checksum it */
  pair(start: number, keyEnd: number): void {
    const b = this.w.buf, end = this.w.pos;
    const kl = keyEnd - start - KV_HEADER, vl = end - keyEnd;
    b[start] = kl; b[start + 1] = kl >>> 8; b[start + 2] = kl >>> 16; b[start + 3] = kl >>> 24;
    b[start + 4] = vl; b[start + 5] = vl >>> 8; b[start + 6] = vl >>> 16; b[start + 7] = vl >>> 24;
    this.checksum.updateRange(b, start + KV_HEADER, end);
    this.count++;
  }

  /** append a pair given as buffers (not the encoder's path) */
  add(key: Uint8Array, val: Uint8Array): void {
    const start = this.w.pos;
    this.w.skip(KV_HEADER);
    this.w.bytes(key);
    const keyEnd = this.w.pos;
    this.w.bytes(val);
    this.pair(start, keyEnd);
  }

  /** the batch so far; the writer must not be used afterwards (its buffer is handed over) */
  finish(): KvBatch {
    return { buf: this.w.buf.subarray(0, this.w.pos), count: this.count, checksum: this.checksum.parts() };
  }
}

/** KVSink that splits pairs into the data engine (records) and the index engine */
export class EngineSplitSink implements KVSink {
  readonly headerBytes = KV_HEADER;
  readonly data: KvBatchWriter;
  readonly index: KvBatchWriter;
  constructor(dataCapacity: number, indexCapacity: number, buffers?: BufferPool) {
    this.data = new KvBatchWriter(dataCapacity, buffers);
    this.index = new KvBatchWriter(indexCapacity, buffers);
  }
  writer(isIndex: boolean): Writer {
    return isIndex ? this.index.w : this.data.w;
  }
  pair(isIndex: boolean, start: number, keyEnd: number): void {
    (isIndex ? this.index : this.data).pair(start, keyEnd);
  }
}
