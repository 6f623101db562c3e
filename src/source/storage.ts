// Where a dump lives: a local directory (path, file:// or local://) or an S3 prefix, with Go's external
// storage URL options: s3://bucket/prefix?endpoint=http://host:port&region=…&access-key=…&secret-access-key=…
// &session-token=…&force-path-style=true|false (default true, as BR). Without keys in the URL the AWS SDK's
// default chain applies (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, profiles, instance roles). Keys given in
// the URL are registered as secrets, so logs and errors mask them. The S3 client is the maintained AWS SDK v3.
import { createReadStream } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import type { AsyncBuffer } from 'hyparquet';
import type * as S3 from '@aws-sdk/client-s3';

// Loaded when first needed: the AWS SDK alone costs ~0.3 CPU-s (1.6 s on a busy machine) at start-up, and
// hyparquet is only for parquet files; a local SQL import loads neither.
const requireCjs = createRequire(import.meta.url);
let s3sdk: typeof S3 | undefined;
const s3 = (): typeof S3 => (s3sdk ??= requireCjs('@aws-sdk/client-s3') as typeof S3);
import { Codes, ConfigError, LightningError, NotImplementedError } from '../errors.js';
import { registerSecret } from '../redact.js';

export interface StoredFile {
  /** relative to the root, `/` separators */
  path: string;
  size: number;
  mtimeMs: number;
  /** set when the entry cannot be read (e.g. a volume's root-only `lost+found`): why; the scan reports it as skipped */
  unreadable?: string;
}

export interface Storage {
  /** absolute local directory, or the s3:// URL as given */
  readonly root: string;
  /** every file under the root, recursively, sorted by path */
  list(): Promise<StoredFile[]>;
  /** bytes [start, end) (end undefined = to the end), in pieces of about chunkSize */
  stream(path: string, start: number, end: number | undefined, chunkSize: number): AsyncIterable<Buffer>;
  /** up to `length` bytes at `start` (fewer at the end of the file) */
  read(path: string, start: number, length: number): Promise<Buffer>;
  size(path: string): Promise<number>;
}

export function isS3(root: string): boolean {
  return /^s3:\/\//i.test(root);
}

const cache = new Map<string, Storage>();

/** The storage for data-source-dir (cached per root, so S3 connections are reused). */
export function openStorage(root: string): Storage {
  let s = cache.get(root);
  if (!s) {
    s = isS3(root) ? new S3Storage(root) : new LocalStorage(localDir(root));
    cache.set(root, s);
  }
  return s;
}

/** Close cached clients (tests, and the CLI before exit). */
export function closeStorages(): void {
  for (const s of cache.values()) if (s instanceof S3Storage) s.client.destroy();
  cache.clear();
}

function localDir(d: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(d)) {
    if (/^(file|local):\/\//i.test(d)) return fileURLToPath(d.replace(/^local:/i, 'file:'));
    throw new NotImplementedError(`data-source-dir scheme ${d.split(':')[0]}`);
  }
  return resolve(d);
}

class LocalStorage implements Storage {
  constructor(readonly root: string) {}

  async list(): Promise<StoredFile[]> {
    const st = await stat(this.root).catch((e: unknown) => { throw new ConfigError(`data-source-dir ${this.root} does not exist`, { key: 'mydumper.data-source-dir' }, e); });
    if (!st.isDirectory()) throw new ConfigError(`data-source-dir ${this.root} is not a directory`, { key: 'mydumper.data-source-dir' });
    const out: string[] = [];
    const files: StoredFile[] = [];
    const rel = (full: string) => relative(this.root, full).split(sep).join('/');
    const unreadable = (full: string, e: unknown) => files.push({ path: rel(full), size: 0, mtimeMs: 0, unreadable: `cannot be read: ${(e as Error).message}` });
    const stack = [this.root];
    while (stack.length) {
      const dir = stack.pop()!;
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (e) {
        // The root must be readable; below it, a directory we may not enter (lost+found on a volume mounted
        // for a non-root user) is reported and passed over, as Go's walker does.
        if (dir === this.root) throw e;
        unreadable(dir, e);
        continue;
      }
      for (const e of entries) {
        const full = join(dir, e.name);
        if (e.isDirectory()) stack.push(full);
        else if (e.isFile() || e.isSymbolicLink()) out.push(full);
      }
    }
    for (const full of out.sort()) {
      try {
        const s = await stat(full);
        files.push({ path: rel(full), size: s.size, mtimeMs: Math.trunc(s.mtimeMs) });
      } catch (e) {
        unreadable(full, e); // a dangling symlink
      }
    }
    return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  stream(path: string, start: number, end: number | undefined, chunkSize: number): AsyncIterable<Buffer> {
    return createReadStream(join(this.root, path), { start, end: end === undefined ? undefined : end - 1, highWaterMark: chunkSize });
  }

  async read(path: string, start: number, length: number): Promise<Buffer> {
    const fh = await open(join(this.root, path), 'r');
    try {
      const buf = Buffer.allocUnsafe(length);
      const { bytesRead } = await fh.read(buf, 0, length, start);
      return buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  }

  async size(path: string): Promise<number> {
    return (await stat(join(this.root, path))).size;
  }
}

class S3Storage implements Storage {
  readonly client: S3.S3Client;
  private readonly bucket: string;
  private readonly prefix: string;

  constructor(readonly root: string) {
    let u: URL;
    try { u = new URL(root); } catch (e) { throw new ConfigError(`cannot parse data-source-dir ${root}`, { key: 'mydumper.data-source-dir' }, e); }
    this.bucket = decodeURIComponent(u.hostname || u.host);
    if (!this.bucket) throw new ConfigError('data-source-dir s3:// URL has no bucket', { key: 'mydumper.data-source-dir' });
    this.prefix = decodeURIComponent(u.pathname).replace(/^\/+|\/+$/g, '');
    const q = u.searchParams;
    const ak = q.get('access-key') ?? undefined, sk = q.get('secret-access-key') ?? undefined, st = q.get('session-token') ?? undefined;
    for (const v of [ak, sk, st]) registerSecret(v);
    if ((ak === undefined) !== (sk === undefined)) throw new ConfigError('data-source-dir s3:// URL needs both access-key and secret-access-key', { key: 'mydumper.data-source-dir' });
    this.client = new (s3().S3Client)({
      region: q.get('region') || 'us-east-1',
      ...(q.get('endpoint') ? { endpoint: q.get('endpoint')! } : {}),
      forcePathStyle: (q.get('force-path-style') ?? 'true') !== 'false',
      ...(ak && sk ? { credentials: { accessKeyId: ak, secretAccessKey: sk, ...(st ? { sessionToken: st } : {}) } } : {}),
      maxAttempts: 5,
    });
  }

  private key(path: string): string {
    return this.prefix ? `${this.prefix}/${path}` : path;
  }

  private fail(what: string, e: unknown, path?: string): LightningError {
    const err = e as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
    const status = err.$metadata?.httpStatusCode;
    return new LightningError(Codes.Storage, `s3 ${what} failed: ${err.name ?? ''} ${err.message ?? String(e)}`.trim(),
      { cause: e, context: { file: path, bucket: this.bucket, ...(status ? { status } : {}) }, retryable: status === undefined || status >= 500 || status === 429 });
  }

  async list(): Promise<StoredFile[]> {
    const out: StoredFile[] = [];
    const base = this.prefix ? `${this.prefix}/` : '';
    let token: string | undefined;
    try {
      do {
        const r = await this.client.send(new (s3().ListObjectsV2Command)({ Bucket: this.bucket, Prefix: base || undefined, ContinuationToken: token }));
        for (const o of r.Contents ?? []) {
          if (!o.Key || o.Key.endsWith('/')) continue; // "directory" markers
          out.push({ path: o.Key.slice(base.length), size: o.Size ?? 0, mtimeMs: o.LastModified ? o.LastModified.getTime() : 0 });
        }
        token = r.IsTruncated ? r.NextContinuationToken : undefined;
      } while (token);
    } catch (e) {
      throw this.fail(`listing s3://${this.bucket}/${base}`, e);
    }
    return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  async *stream(path: string, start: number, end: number | undefined, chunkSize: number): AsyncIterable<Buffer> {
    if (end !== undefined && end <= start) return;
    // one ranged GET per piece of ≥ 8 MiB: bounded memory, and a dropped connection costs one piece
    const piece = Math.max(chunkSize, 8 << 20);
    const size = end ?? await this.size(path);
    for (let pos = start; pos < size; pos += piece) {
      const b = await this.read(path, pos, Math.min(piece, size - pos));
      for (let i = 0; i < b.length; i += chunkSize) yield b.subarray(i, i + chunkSize);
      if (b.length < Math.min(piece, size - pos)) return;
    }
  }

  async read(path: string, start: number, length: number): Promise<Buffer> {
    if (length <= 0) return Buffer.alloc(0);
    try {
      const r = await this.client.send(new (s3().GetObjectCommand)({ Bucket: this.bucket, Key: this.key(path), Range: `bytes=${start}-${start + length - 1}` }));
      return Buffer.from(await r.Body!.transformToByteArray());
    } catch (e) {
      if ((e as { name?: string }).name === 'InvalidRange') return Buffer.alloc(0); // start at or past the end
      throw this.fail(`reading ${path}`, e, path);
    }
  }

  async size(path: string): Promise<number> {
    try {
      const r = await this.client.send(new (s3().HeadObjectCommand)({ Bucket: this.bucket, Key: this.key(path) }));
      return r.ContentLength ?? 0;
    } catch (e) {
      throw this.fail(`reading the size of ${path}`, e, path);
    }
  }
}

/** A parquet file as hyparquet's AsyncBuffer (ranged reads; local files through hyparquet's own reader). */
export async function parquetBuffer(root: string, path: string): Promise<AsyncBuffer> {
  const st = openStorage(root);
  if (st instanceof LocalStorage) return (await import('hyparquet')).asyncBufferFromFile(join(st.root, path));
  const byteLength = await st.size(path);
  return {
    byteLength,
    async slice(start: number, end?: number): Promise<ArrayBuffer> {
      const b = await st.read(path, start, (end ?? byteLength) - start);
      return b.buffer.slice(b.byteOffset, b.byteOffset + b.length) as ArrayBuffer;
    },
  };
}
