// Open a data file as a stream of (decompressed) bytes from a given offset. Compressed files are one chunk;
// resuming inside one re-reads from the start and skips to the decompressed offset (Go does the same).
import { createGunzip } from 'node:zlib';
import { pipeline, Readable } from 'node:stream';
import { Decompress } from 'fzstd';
import { Codes, LightningError, SourceError } from '../errors.js';
import { openStorage } from './storage.js';
import type { Compression } from './types.js';
import { SnappyFrameDecoder } from './snappy.js';

export interface OpenOptions {
  /** start byte in the decompressed stream */
  offset?: number;
  /** end byte (exclusive); undefined = to the end */
  end?: number;
  /** read size (Go `read-block-size` is 64 KiB; larger reads are faster in Node) */
  readSize?: number;
}

export interface OpenableFile {
  /** path relative to root */
  path: string;
  compression: Compression;
}

const DEFAULT_READ = 1 << 20;

/**
 * Bytes of `file` from opts.offset to opts.end, decompressed. Errors name the file and decompressed offset.
 * `root` is SourceScan.dir: a local directory or an s3:// URL (storage.ts).
 */
export async function* openDataFile(root: string, file: OpenableFile, opts: OpenOptions = {}): AsyncGenerator<Buffer> {
  const storage = openStorage(root);
  const offset = opts.offset ?? 0;
  const hw = opts.readSize ?? DEFAULT_READ;
  if (file.compression === 'none') {
    if (opts.end !== undefined && opts.end <= offset) return;
    yield* storage.stream(file.path, offset, opts.end, hw);
    return;
  }
  let pos = 0; // decompressed bytes produced so far
  let compressedPos = 0;
  try {
    const raw = storage.stream(file.path, 0, undefined, hw);
    for await (const b of decompressed(raw, file.path, file.compression, (n) => { compressedPos += n; })) {
      const s = pos, e = pos + b.length;
      pos = e;
      if (e <= offset) continue;
      const from = Math.max(0, offset - s);
      const to = opts.end === undefined ? b.length : Math.min(b.length, opts.end - s);
      if (to > from) yield from === 0 && to === b.length ? b : b.subarray(from, to);
      if (opts.end !== undefined && e >= opts.end) return;
    }
  } catch (e) {
    if (e instanceof LightningError) throw e;
    const code = (e as { code?: string }).code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') throw e;
    throw new SourceError(Codes.Decompress, `cannot decompress ${file.compression} data: ${(e as Error).message}`,
      { file: file.path, offset: pos, compressedOffset: compressedPos }, e);
  }
}

/** magic (4) + the largest frame header (14) */
const ZSTD_MAX_HEADER = 18;
/**
 * zstd's own default decoder limit (ZSTD_WINDOWLOG_LIMIT_DEFAULT = 27). fzstd allocates the window the frame
 * header asks for, up to 2 GiB, before reading any data; a corrupt or hostile header must not do that.
 */
export const ZSTD_MAX_WINDOW = 1 << 27;

/** Window size of the zstd frame at the start of b (checked before fzstd allocates it). */
export function checkZstdWindow(b: Buffer): void {
  if (b.length < 6 || b.readUInt32LE(0) !== 0xfd2fb528) return; // skippable frames and garbage: fzstd reports them
  const flg = b[4]!;
  const single = (flg >> 5) & 1, fcf = flg >> 6, df = flg & 3;
  let window: number;
  if (!single) {
    const wd = b[5]!;
    const base = 2 ** (10 + (wd >> 3));
    window = base + (base / 8) * (wd & 7);
  } else {
    const at = 5 + (df === 3 ? 4 : df);
    const n = fcf ? 1 << fcf : 1;
    if (b.length < at + n) return;
    window = Number(b.readUIntLE(at, Math.min(n, 6))) + (n === 8 ? b.readUInt16LE(at + 6) * 2 ** 48 : 0) + (fcf === 1 ? 256 : 0);
  }
  if (window > ZSTD_MAX_WINDOW) {
    throw new Error(`zstd frame needs a ${window}-byte window, more than the ${ZSTD_MAX_WINDOW}-byte limit (zstd's default; files made with --long or --ultra levels above 19 are not supported)`);
  }
}

async function* decompressed(rs: AsyncIterable<Buffer>, path: string, c: Compression, onRead: (n: number) => void): AsyncGenerator<Buffer> {
  if (c === 'gzip') {
    const gz = createGunzip({ chunkSize: 256 << 10 });
    const src = Readable.from(rs, { objectMode: false });
    src.on('data', (b: Buffer) => onRead(b.length));
    pipeline(src, gz, () => { /* errors surface through the iteration of gz */ });
    yield* gz as AsyncIterable<Buffer>;
    return;
  }
  if (c === 'zstd') {
    const out: Buffer[] = [];
    const d = new Decompress((chunk) => { if (chunk.length) out.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length)); });
    let any = false;
    let head: Buffer | null = Buffer.alloc(0); // until the first frame header is checked
    for await (const b of rs as AsyncIterable<Buffer>) {
      onRead(b.length);
      any = true;
      if (head) {
        head = Buffer.concat([head, b]);
        if (head.length < ZSTD_MAX_HEADER) continue;
        checkZstdWindow(head);
        d.push(head);
        head = null;
      } else d.push(b);
      yield* out.splice(0);
    }
    if (head && head.length) { checkZstdWindow(head); d.push(head); }
    if (!any) throw new Error('empty zstd file');
    d.push(new Uint8Array(0), true); // throws on a truncated frame
    yield* out.splice(0);
    return;
  }
  if (c === 'snappy') {
    const d = new SnappyFrameDecoder();
    for await (const b of rs as AsyncIterable<Buffer>) {
      onRead(b.length);
      yield* d.push(b);
    }
    d.end();
    return;
  }
  throw new SourceError(Codes.Decompress, `unsupported compression ${String(c)}`, { file: path });
}
