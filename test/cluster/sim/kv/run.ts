// A sorted run on disk: the simulator's stand-in for an SST file. Records are [u32 klen][u32 vlen][key][value]
// in strictly ascending key order; a sparse in-memory index (first key + offset of every ~32 KiB block) lets a
// reader seek without holding the data, so a store's memory grows with its block count, not its bytes.
import { closeSync, openSync, readSync, rmSync, writeSync, fstatSync } from 'node:fs';
import { crc32 } from 'node:zlib';

export interface Entry { key: Buffer; value: Buffer }

const BLOCK = 32 * 1024;
const FLUSH = 256 * 1024;
const HEADER = 8;

interface BlockRef { key: Buffer; offset: number }

/** a copy in its own memory: Buffer.from() would place a small copy in a shared 8 KiB pool slab and keep the whole slab alive */
const own = (b: Buffer): Buffer => { const c = Buffer.alloc(b.length); c.set(b); return c; };

export class Run {
  constructor(
    readonly path: string,
    readonly blocks: BlockRef[],
    readonly size: number,
    readonly count: number,
    /** sum of key + value lengths */
    readonly bytes: number,
    readonly minKey: Buffer,
    readonly maxKey: Buffer,
    /** CRC-32 of the file bytes (what TiKV reports in SSTMeta.crc32) */
    readonly crc32: number,
  ) {}

  /** the block that may hold `key`: the last one whose first key is <= key */
  private blockFor(key: Buffer): number {
    let lo = 0, hi = this.blocks.length - 1, ans = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (Buffer.compare(this.blocks[mid]!.key, key) <= 0) { ans = mid; lo = mid + 1; } else hi = mid - 1;
    }
    return ans;
  }

  private readBlock(fd: number, i: number): Buffer {
    const start = this.blocks[i]!.offset;
    const end = i + 1 < this.blocks.length ? this.blocks[i + 1]!.offset : this.size;
    const b = Buffer.allocUnsafe(end - start);
    let got = 0;
    while (got < b.length) got += readSync(fd, b, got, b.length - got, start + got);
    return b;
  }

  /** entries with start <= key < end (end empty = unbounded), in key order */
  *iter(start: Buffer, end: Buffer): Generator<Entry> {
    if (this.count === 0) return;
    if (end.length > 0 && Buffer.compare(this.minKey, end) >= 0) return;
    if (Buffer.compare(this.maxKey, start) < 0) return;
    const fd = openSync(this.path, 'r');
    try {
      for (let i = this.blockFor(start); i < this.blocks.length; i++) {
        const b = this.readBlock(fd, i);
        for (let o = 0; o < b.length;) {
          const kl = b.readUInt32BE(o), vl = b.readUInt32BE(o + 4);
          const key = b.subarray(o + HEADER, o + HEADER + kl);
          o += HEADER + kl + vl;
          if (Buffer.compare(key, start) < 0) continue;
          if (end.length > 0 && Buffer.compare(key, end) >= 0) return;
          yield { key, value: b.subarray(o - vl, o) };
        }
      }
    } finally {
      closeSync(fd);
    }
  }

  get(key: Buffer): Buffer | undefined {
    if (this.count === 0 || Buffer.compare(key, this.minKey) < 0 || Buffer.compare(key, this.maxKey) > 0) return undefined;
    const fd = openSync(this.path, 'r');
    try {
      const b = this.readBlock(fd, this.blockFor(key));
      for (let o = 0; o < b.length;) {
        const kl = b.readUInt32BE(o), vl = b.readUInt32BE(o + 4);
        const c = Buffer.compare(b.subarray(o + HEADER, o + HEADER + kl), key);
        if (c === 0) return Buffer.from(b.subarray(o + HEADER + kl, o + HEADER + kl + vl));
        if (c > 0) return undefined;
        o += HEADER + kl + vl;
      }
      return undefined;
    } finally {
      closeSync(fd);
    }
  }

  unlink(): void {
    rmSync(this.path, { force: true });
  }
}

export class OrderError extends Error {}

/** Appends strictly ascending entries to a new run file; `finish` returns the Run. */
export class RunWriter {
  private fd: number;
  private buf = Buffer.allocUnsafe(FLUSH);
  private used = 0;
  private written = 0;
  private blockStart = -1;
  private readonly blocks: BlockRef[] = [];
  private count = 0;
  private bytes = 0;
  private crc = 0;
  private first?: Buffer;
  private last?: Buffer;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'w');
  }

  get entries(): number { return this.count; }

  add(key: Buffer, value: Buffer): void {
    if (this.last && Buffer.compare(key, this.last) <= 0) throw new OrderError('Keys must be added in strict ascending order.');
    const offset = this.written + this.used;
    if (this.blockStart < 0 || offset - this.blockStart >= BLOCK) {
      this.blockStart = offset;
      this.blocks.push({ key: own(key), offset });
    }
    const need = HEADER + key.length + value.length;
    if (this.used + need > this.buf.length) this.flush();
    if (need > this.buf.length) this.buf = Buffer.allocUnsafe(need);
    this.buf.writeUInt32BE(key.length, this.used);
    this.buf.writeUInt32BE(value.length, this.used + 4);
    this.buf.set(key, this.used + HEADER);
    this.buf.set(value, this.used + HEADER + key.length);
    this.used += need;
    this.count++;
    this.bytes += key.length + value.length;
    this.first ??= own(key);
    // a reference is enough for the order check; finish() copies it
    this.last = key;
  }

  private flush(): void {
    let o = 0;
    this.crc = crc32(this.buf.subarray(0, this.used), this.crc);
    while (o < this.used) o += writeSync(this.fd, this.buf, o, this.used - o);
    this.written += this.used;
    this.used = 0;
  }

  finish(): Run {
    this.flush();
    const size = fstatSync(this.fd).size;
    closeSync(this.fd);
    this.buf = Buffer.alloc(0);
    const empty = Buffer.alloc(0);
    return new Run(this.path, this.blocks, size, this.count, this.bytes, this.first ?? empty,
      this.last ? own(this.last) : empty, this.crc);
  }

  abort(): void {
    try { closeSync(this.fd); } catch { /* already closed */ }
    rmSync(this.path, { force: true });
  }
}

/** Writes sorted entries into a new run (tests, exports). */
export function writeRun(path: string, entries: Iterable<Entry>): Run {
  const w = new RunWriter(path);
  try {
    for (const e of entries) w.add(e.key, e.value);
  } catch (e) {
    w.abort();
    throw e;
  }
  return w.finish();
}
