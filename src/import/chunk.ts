// One chunk: source bytes from the resume position → parser → batches → the backend's chunk writer, with at
// most two batches in flight (the writer pipelines one while the previous commits), and the SQLite checkpoint
// updated after each commit. The target's committed progress (when the backend keeps one) wins over SQLite.
import { join } from 'node:path';
import type { ChunkCommit, ChunkRef, EngineWriter } from '../backend/backend.js';
import type { ColumnInfo } from '../backend/tidb/columns.js';
import type { ChunkCheckpoint, CheckpointStore } from '../checkpoint/types.js';
import { Codes, LightningError, SourceError } from '../errors.js';
import { makeBatchShaper, makeFieldDecoder, parseCsv, parseParquet, parseSql, type CsvOptions, type RowBatch, type RowDigester, type SqlModeFlags } from '../parse/index.js';
import { openDataFile, COMPRESSED_SIZE_INF, type ExtraColumn } from '../source/index.js';
import type { Semaphore } from './limit.js';

export interface ChunkContext {
  root: string;
  store: CheckpointStore;
  /** `db`.`tbl` */
  tableName: string;
  /** target columns, table order */
  columns: ColumnInfo[];
  csv: CsvOptions;
  dataCharacterSet: string;
  dataInvalidCharReplace: string;
  io: Semaphore;
  /** sql-mode flags the SQL parser applies */
  sqlMode: SqlModeFlags;
  /** columns to drop from the rows of this table (ignore-data-columns) */
  ignoreColumns: string[];
  /** constant columns per data file (route extract-*), by path */
  extraColumns: ReadonlyMap<string, readonly ExtraColumn[]>;
  signal?: AbortSignal;
  /** server mode's PUT /pause: checked before each batch is sent (in-flight batches still commit) */
  pause?: PauseGate;
  /** called after each commit with the source bytes and rows it covered */
  onAdvance(bytes: number, rows: number): void;
}

/** A gate the chunk loop waits at while the import is paused; `wait` rejects when the signal aborts. */
export interface PauseGate {
  readonly paused: boolean;
  wait(signal?: AbortSignal): Promise<void>;
}

export function chunkRef(cp: ChunkCheckpoint): ChunkRef {
  return { tableName: cp.tableName, engineId: cp.engineId, path: cp.path, offset: cp.offset };
}

/** What the chunk checkpoint keeps of a commit: KV figures for KV backends, rows and source bytes for tidb. */
function figures(c: ChunkCommit, offset: number) {
  return { pos: c.pos, prevRowIdMax: c.prevRowIdMax, kvcBytes: c.kvBytes ?? c.pos - offset, kvcKvs: c.kvKvs ?? c.rows, kvcChecksum: c.checksum, columns: c.columns };
}

/** Where a chunk resumes when the backend keeps no progress of its own: its checkpoint. */
export function checkpointCommit(cp: ChunkCheckpoint): ChunkCommit {
  return { pos: cp.pos, prevRowIdMax: cp.prevRowIdMax, rows: 0, checksum: cp.kvcChecksum, kvKvs: cp.kvcKvs, kvBytes: cp.kvcBytes, unverifiable: '', skipped: 0, columns: cp.columns };
}

/** A chunk whose SQLite checkpoint reached its end was fully committed (SQLite is written after the target). */
export function chunkFinished(cp: ChunkCheckpoint): boolean {
  return cp.pos >= cp.endOffset;
}

/** Reads are few and large (1 MiB); each one takes an io-concurrency slot while it is pending. */
async function* throttled(src: AsyncIterable<Buffer>, io: Semaphore): AsyncGenerator<Buffer> {
  const it = src[Symbol.asyncIterator]();
  try {
    for (;;) {
      const r = await io.run(() => it.next());
      if (r.done) return;
      yield r.value;
    }
  } finally {
    await it.return?.();
  }
}

function parse(ctx: ChunkContext, cp: ChunkCheckpoint, from: ChunkCommit, digester?: () => RowDigester | undefined): AsyncGenerator<RowBatch> {
  const file = cp.path;
  if (cp.type === 'parquet') return parseParquet(join(ctx.root, file), { file, startRow: from.pos });
  const compressed = cp.compression !== 'none';
  const input = throttled(openDataFile(ctx.root, { path: file, compression: cp.compression },
    { offset: from.pos, end: compressed || cp.endOffset >= COMPRESSED_SIZE_INF ? undefined : cp.endOffset }), ctx.io);
  const decode = makeFieldDecoder(ctx.dataCharacterSet, ctx.dataInvalidCharReplace);
  if (cp.type === 'csv') {
    return parseCsv(input, { file, csv: ctx.csv, startOffset: from.pos, columns: from.columns ?? cp.columns, decode });
  }
  // Values as they are (no charset conversion) may go to the writer's digester instead of Row objects.
  return parseSql(input, { file, startOffset: from.pos, columns: from.columns, inValues: from.pos > cp.offset, ...ctx.sqlMode, decode,
    digester: decode ? undefined : digester?.() });
}

/** Parsed batches shaped for the target: ignored columns dropped, extracted route columns appended. */
async function* rows(ctx: ChunkContext, cp: ChunkCheckpoint, from: ChunkCommit, digester?: () => RowDigester | undefined): AsyncGenerator<RowBatch> {
  const extra = ctx.extraColumns.get(cp.path) ?? [];
  if (!ctx.ignoreColumns.length && !extra.length) {
    yield* parse(ctx, cp, from, digester);
    return;
  }
  const shape = makeBatchShaper({ tableColumns: ctx.columns.map((c) => c.name), ignoreColumns: ctx.ignoreColumns, extraColumns: extra, file: cp.path, table: ctx.tableName });
  for await (const b of parse(ctx, cp, from)) {
    const sourceColumns = b.columns;
    const out = shape(b);
    out.sourceColumns = sourceColumns;
    for (const r of out.rows) r.plain = 0; // the row text no longer matches the fields
    yield out;
  }
}

/** Rows must fit the target: known column names, and as many fields as columns. */
class ColumnCheck {
  private lastCols: string[] | null | undefined;
  private want = 0;
  private readonly names: Set<string>;

  constructor(private readonly ctx: ChunkContext, private readonly file: string) {
    this.names = new Set(ctx.columns.map((c) => c.name.toLowerCase()));
  }

  check(b: RowBatch): void {
    if (b.columns !== this.lastCols) {
      this.lastCols = b.columns;
      if (b.columns) {
        const unknown = b.columns.filter((c) => !this.names.has(c.toLowerCase()));
        if (unknown.length) {
          throw new SourceError(Codes.UnknownColumns, `unknown columns ${unknown.map((c) => `\`${c}\``).join(', ')} in the data file's column list`,
            { file: this.file, table: this.ctx.tableName, offset: b.rows[0]?.offset, expected: `columns of ${this.ctx.tableName}: ${this.ctx.columns.map((c) => c.name).join(', ')}` });
        }
      }
      this.want = b.columns ? b.columns.length : this.ctx.columns.length;
    }
    const odd = b.digest?.odd;
    if (odd) this.fail(b, odd.values, odd.offset, odd.rowNo);
    for (const r of b.rows) if (r.fields.length !== this.want) this.fail(b, r.fields.length, r.offset, r.rowNo);
  }

  private fail(b: RowBatch, values: number, offset: number, row: number): never {
    throw new SourceError(Codes.ColumnCount, `row has ${values} values but ${this.want} were expected`,
      { file: this.file, table: this.ctx.tableName, offset, row, expected: `${this.want} values${b.columns ? ` (${b.columns.join(', ')})` : ` (the columns of ${this.ctx.tableName})`}` });
  }
}

/**
 * A chunk's progress is written at most this often, and always when it ends. Each write is an fsync on the
 * event loop (better-sqlite3 is synchronous): per 1 MiB batch it took 0.4 s of the main thread per 200 MB. A
 * checkpoint that lags only means more rows re-sent on resume, which the target's progress rows (tidb) or the
 * engines' identical KV pairs (local, importer) absorb: the crash tests kill between commit and checkpoint too.
 */
const CHECKPOINT_INTERVAL_MS = 1000;

/**
 * Import one chunk to its end. `committed` is the target's word on what is in (undefined: nothing yet).
 * Resolves with the final commit; rejects with the first error (parser or writer), after in-flight writes settle.
 */
export async function importChunk(ctx: ChunkContext, engine: EngineWriter, cp: ChunkCheckpoint, committed: ChunkCommit | undefined): Promise<ChunkCommit> {
  const from: ChunkCommit = committed ?? { pos: cp.offset, prevRowIdMax: cp.prevRowIdMax, rows: 0, checksum: 0n, unverifiable: '', skipped: 0, columns: cp.columns };
  const ref = chunkRef(cp);
  const writer = await engine.openChunk(ref, from);
  const check = new ColumnCheck(ctx, cp.path);
  let last = from;
  let saved: Promise<void> = Promise.resolve();
  const inflight: Array<Promise<ChunkCommit>> = [];
  let failure: unknown;
  let lastSaved = Date.now();
  const save = (c: ChunkCommit): void => {
    const bytes = c.pos - last.pos;
    const n = c.rows - last.rows;
    last = c;
    ctx.onAdvance(bytes, n);
    const now = Date.now();
    if (now - lastSaved < CHECKPOINT_INTERVAL_MS) return;
    lastSaved = now;
    saved = saved.then(() => ctx.store.updateChunk(ref, figures(c, cp.offset)));
    // A checkpoint that cannot be written (disk full) stops the chunk at once; handled here, the rejection can
    // no longer end the process as an unhandled one while the loop is waiting for the parser.
    saved.catch((e: unknown) => { failure ??= e; });
  };
  try {
    for await (const batch of rows(ctx, cp, from, writer.digester?.bind(writer))) {
      ctx.signal?.throwIfAborted();
      if (ctx.pause?.paused) await ctx.pause.wait(ctx.signal);
      if (!batch.rows.length && !batch.digest) continue;
      check.check(batch);
      const p = writer.write(batch);
      p.then(save, (e: unknown) => { failure ??= e; });
      inflight.push(p);
      if (inflight.length >= 2) await inflight.shift();
      if (failure) throw failure;
    }
    const end = await writer.close();
    await saved;
    // Mark the chunk finished so a rerun skips it without reading the file again.
    await ctx.store.updateChunk(ref, { ...figures(end, cp.offset), pos: cp.endOffset });
    // The bytes after the last row (";\n", comments) are done too: a finished chunk counts its full size.
    const tail = cp.endOffset - last.pos;
    if (cp.compression === 'none' && cp.type !== 'parquet' && tail > 0 && cp.endOffset < COMPRESSED_SIZE_INF) ctx.onAdvance(tail, 0);
    return end;
  } catch (e) {
    // Let the writes already sent settle (they commit or fail on their own) before reporting.
    await Promise.allSettled(inflight);
    await saved.catch(() => undefined);
    if (e instanceof LightningError || (e as Error)?.name === 'AbortError') throw e;
    throw new LightningError(Codes.RestoreTable, `importing ${cp.path} failed: ${(e as Error).message}`, { cause: e, context: { file: cp.path, table: ctx.tableName } });
  }
}
