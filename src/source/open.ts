// Open a data file as a stream of (decompressed) bytes from a given offset. Compressed files are one chunk;
// resuming inside one re-reads from the start and skips to the decompressed offset (Go does the same).
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { pipeline } from 'node:stream';
import { join } from 'node:path';
import { Decompress } from 'fzstd';
import { Codes, SourceError } from '../errors.js';
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

/** Bytes of `file` from opts.offset to opts.end, decompressed. Errors name the file and decompressed offset. */
export async function* openDataFile(root: string, file: OpenableFile, opts: OpenOptions = {}): AsyncGenerator<Buffer> {
  const full = join(root, file.path);
  const offset = opts.offset ?? 0;
  const hw = opts.readSize ?? DEFAULT_READ;
  if (file.compression === 'none') {
    if (opts.end !== undefined && opts.end <= offset) return;
    const rs = createReadStream(full, { start: offset, end: opts.end === undefined ? undefined : opts.end - 1, highWaterMark: hw });
    yield* rs as AsyncIterable<Buffer>;
    return;
  }
  let pos = 0; // decompressed bytes produced so far
  let compressedPos = 0;
  try {
    for await (const b of decompressed(full, file.compression, hw, (n) => { compressedPos += n; })) {
      const s = pos, e = pos + b.length;
      pos = e;
      if (e <= offset) continue;
      const from = Math.max(0, offset - s);
      const to = opts.end === undefined ? b.length : Math.min(b.length, opts.end - s);
      if (to > from) yield from === 0 && to === b.length ? b : b.subarray(from, to);
      if (opts.end !== undefined && e >= opts.end) return;
    }
  } catch (e) {
    if (e instanceof SourceError) throw e;
    const code = (e as { code?: string }).code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') throw e;
    throw new SourceError(Codes.Decompress, `cannot decompress ${file.compression} data: ${(e as Error).message}`,
      { file: file.path, offset: pos, compressedOffset: compressedPos }, e);
  }
}

async function* decompressed(path: string, c: Compression, hw: number, onRead: (n: number) => void): AsyncGenerator<Buffer> {
  const rs = createReadStream(path, { highWaterMark: hw });
  if (c === 'gzip') {
    const gz = createGunzip({ chunkSize: 256 << 10 });
    rs.on('data', (b) => onRead(b.length));
    pipeline(rs, gz, () => { /* errors surface through the iteration of gz */ });
    yield* gz as AsyncIterable<Buffer>;
    return;
  }
  if (c === 'zstd') {
    const out: Buffer[] = [];
    const d = new Decompress((chunk) => { if (chunk.length) out.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length)); });
    let any = false;
    for await (const b of rs as AsyncIterable<Buffer>) {
      onRead(b.length);
      any = true;
      d.push(b);
      yield* out.splice(0);
    }
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
