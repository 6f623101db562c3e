// Sorted record files (runs and an engine's merged data file): records in the KvBatch layout back to back, then a
// 24-byte trailer `magic | u64le count | u64le recordBytes`. The trailer lets a reader refuse a truncated or foreign
// file instead of returning a prefix of the data.
import { open, rm, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { Codes, LightningError } from '../errors.js';
import { commitFile, TMP_SUFFIX } from './fsutil.js';
import { RECORD_HEADER, putRecord } from './kv-batch.js';

const MAGIC = Buffer.from('LTSKV001');
const TRAILER = 24;
const WRITE_BUFFER = 1 << 20;

export class RecordFileWriter {
  private buf = Buffer.allocUnsafe(WRITE_BUFFER);
  private len = 0;
  private written = 0;
  count = 0;

  private constructor(private readonly fh: FileHandle, readonly path: string, private readonly tmp: string) {}

  /** Starts `path` (written as `path.tmp` until finish()). */
  static async create(path: string): Promise<RecordFileWriter> {
    const tmp = path + TMP_SUFFIX;
    return new RecordFileWriter(await open(tmp, 'w'), path, tmp);
  }

  /** Bytes of records so far (the offset the next record starts at). */
  get offset(): number { return this.written + this.len; }

  /** Appends one record; returns a promise only when the buffer had to be written out (await it then). */
  add(key: Uint8Array, value: Uint8Array): Promise<void> | undefined {
    const need = RECORD_HEADER + key.length + value.length;
    if (this.len + need > this.buf.length) {
      if (need > this.buf.length) this.buf = Buffer.allocUnsafe(need);
      return this.drain().then(() => { this.put(key, value); });
    }
    this.put(key, value);
    return undefined;
  }

  /** Appends one record already in the record layout (src[start, end)); like add(). */
  addRecord(src: Buffer, start: number, end: number): Promise<void> | undefined {
    const need = end - start;
    if (this.len + need > this.buf.length) {
      if (need > this.buf.length) this.buf = Buffer.allocUnsafe(need);
      return this.drain().then(() => { this.copyIn(src, start, end); });
    }
    this.copyIn(src, start, end);
    return undefined;
  }

  private copyIn(src: Buffer, start: number, end: number): void {
    src.copy(this.buf, this.len, start, end);
    this.len += end - start;
    this.count++;
  }

  private put(key: Uint8Array, value: Uint8Array): void {
    this.len = putRecord(this.buf, this.len, key, value);
    this.count++;
  }

  private async drain(): Promise<void> {
    if (this.len === 0) return;
    const full = this.buf;
    const n = this.len;
    this.buf = Buffer.allocUnsafe(Math.max(WRITE_BUFFER, full.length));
    this.len = 0;
    await this.fh.write(full, 0, n, this.written);
    this.written += n;
  }

  /** Writes the trailer, fsyncs, closes and renames into place durably. Returns the file size. */
  async finish(): Promise<number> {
    await this.drain();
    const t = Buffer.alloc(TRAILER);
    MAGIC.copy(t, 0);
    t.writeBigUInt64LE(BigInt(this.count), 8);
    t.writeBigUInt64LE(BigInt(this.written), 16);
    await this.fh.write(t, 0, TRAILER, this.written);
    await this.fh.sync();
    await this.fh.close();
    await commitFile(this.tmp, this.path, dirname(this.path));
    return this.written + TRAILER;
  }

  async abort(): Promise<void> {
    await this.fh.close().catch(() => undefined);
    await rm(this.tmp, { force: true });
  }
}

export interface RecordFileInfo { count: number; recordBytes: number; fileBytes: number }

export async function readTrailer(path: string): Promise<RecordFileInfo> {
  const size = (await stat(path)).size;
  const bad = (why: string) => new LightningError(Codes.SortedFile, `${basename(path)}: ${why}`, { context: { file: path } });
  if (size < TRAILER) throw bad('file too short for a trailer');
  const fh = await open(path, 'r');
  try {
    const t = Buffer.alloc(TRAILER);
    await fh.read(t, 0, TRAILER, size - TRAILER);
    if (!t.subarray(0, 8).equals(MAGIC)) throw bad('bad trailer magic (truncated or not a sorted KV file)');
    const count = Number(t.readBigUInt64LE(8)), recordBytes = Number(t.readBigUInt64LE(16));
    if (recordBytes !== size - TRAILER) throw bad(`trailer says ${recordBytes} record bytes, file has ${size - TRAILER}`);
    return { count, recordBytes, fileBytes: size };
  } finally {
    await fh.close();
  }
}

/**
 * Reads records in order from [start, end) of a record file. `next()` is synchronous while the buffer holds the next
 * record and returns a promise only when it must read; key/value stay valid after later calls (buffers are never
 * reused, so merges can keep the previous key).
 */
export class RecordCursor {
  key: Buffer = Buffer.alloc(0);
  value: Buffer = Buffer.alloc(0);
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;

  private constructor(private readonly fh: FileHandle, private filePos: number, private readonly end: number,
    private readonly bufSize: number, readonly path: string) {}

  static async open(path: string, opts: { start?: number; end?: number; bufSize?: number } = {}): Promise<RecordCursor> {
    const end = opts.end ?? (await readTrailer(path)).recordBytes;
    return new RecordCursor(await open(path, 'r'), opts.start ?? 0, end, opts.bufSize ?? 256 * 1024, path);
  }

  /** Advances to the next record: true when there is one, false at the end. */
  next(): boolean | Promise<boolean> {
    if (this.take()) return true;
    return this.fill();
  }

  private take(): boolean {
    const b = this.buf;
    const p = this.pos;
    if (b.length - p < RECORD_HEADER) return false;
    const kl = b.readUInt32LE(p), vl = b.readUInt32LE(p + 4);
    const ks = p + RECORD_HEADER, ve = ks + kl + vl;
    if (ve > b.length) return false;
    this.key = b.subarray(ks, ks + kl);
    this.value = b.subarray(ks + kl, ve);
    this.pos = ve;
    return true;
  }

  private async fill(): Promise<boolean> {
    for (;;) {
      const rest = this.buf.length - this.pos;
      if (this.filePos >= this.end) {
        if (rest > 0) throw new LightningError(Codes.SortedFile, `${basename(this.path)}: truncated record at the end`, { context: { file: this.path } });
        return false;
      }
      let want = this.bufSize;
      if (rest >= RECORD_HEADER) want = Math.max(want, RECORD_HEADER + this.buf.readUInt32LE(this.pos) + this.buf.readUInt32LE(this.pos + 4));
      const nb = Buffer.allocUnsafe(Math.min(want, rest + this.end - this.filePos));
      this.buf.copy(nb, 0, this.pos);
      const { bytesRead } = await this.fh.read(nb, rest, nb.length - rest, this.filePos);
      if (bytesRead === 0) throw new LightningError(Codes.SortedFile, `${basename(this.path)}: unexpected end of file`, { context: { file: this.path } });
      this.filePos += bytesRead;
      this.buf = nb.subarray(0, rest + bytesRead);
      this.pos = 0;
      if (this.take()) return true;
    }
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}
