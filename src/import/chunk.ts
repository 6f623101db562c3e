// One chunk: source bytes from the resume position → parser → batches → the backend's chunk writer, with at
// most two batches in flight (the writer pipelines one while the previous commits), and the SQLite checkpoint
// updated after each commit. The target's committed progress (when the backend keeps one) wins over SQLite.
import { join } from 'node:path';
import type { ChunkCommit, ChunkRef, EngineWriter } from '../backend/backend.js';
import type { ColumnInfo } from '../backend/tidb/columns.js';
import type { ChunkCheckpoint, CheckpointStore } from '../checkpoint/types.js';
import { Codes, LightningError, SourceError } from '../errors.js';
import { FieldKind, parseCsv, parseParquet, parseSql, makeFieldDecoder, type CsvOptions, type RowBatch } from '../parse/index.js';
import { openDataFile, COMPRESSED_SIZE_INF } from '../source/index.js';
import type { Semaphore } from './limit.js';

export interface ChunkContext {
  root: string;
  store: CheckpointStore;
  /** `db`.`tbl` */
  tableName: string;
  /** target columns, table order */
  columns: ColumnInfo[];
  csv: CsvOptions;
  noBackslashEscapes: boolean;
  dataCharacterSet: string;
  dataInvalidCharReplace: string;
  io: Semaphore;
  signal?: AbortSignal;
  /** called after each commit with the source bytes and rows it covered */
  onAdvance(bytes: number, rows: number): void;
}

export function chunkRef(cp: ChunkCheckpoint): ChunkRef {
  return { tableName: cp.tableName, engineId: cp.engineId, path: cp.path, offset: cp.offset };
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

function rows(ctx: ChunkContext, cp: ChunkCheckpoint, from: ChunkCommit): AsyncGenerator<RowBatch> {
  const file = cp.path;
  if (cp.type === 'parquet') return parseParquet(join(ctx.root, file), { file, startRow: from.pos });
  const compressed = cp.compression !== 'none';
  const input = throttled(openDataFile(ctx.root, { path: file, compression: cp.compression },
    { offset: from.pos, end: compressed || cp.endOffset >= COMPRESSED_SIZE_INF ? undefined : cp.endOffset }), ctx.io);
  const decode = makeFieldDecoder(ctx.dataCharacterSet, ctx.dataInvalidCharReplace);
  if (cp.type === 'csv') {
    return parseCsv(input, { file, csv: ctx.csv, startOffset: from.pos, columns: from.columns ?? cp.columns, decode });
  }
  const sql = parseSql(input, { file, startOffset: from.pos, columns: from.columns, inValues: from.pos > cp.offset, noBackslashEscapes: ctx.noBackslashEscapes });
  return decode ? decodeSql(sql, decode, file) : sql;
}

async function* decodeSql(src: AsyncGenerator<RowBatch>, decode: NonNullable<ReturnType<typeof makeFieldDecoder>>, file: string): AsyncGenerator<RowBatch> {
  for await (const b of src) {
    for (const r of b.rows) {
      r.plain = 0; // converted values are no longer the file's text
      for (const f of r.fields) if (f.kind === FieldKind.Str) f.value = decode(f.value, { file, offset: r.offset, row: r.rowNo });
    }
    yield b;
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
    for (const r of b.rows) {
      if (r.fields.length !== this.want) {
        throw new SourceError(Codes.ColumnCount, `row has ${r.fields.length} values but ${this.want} were expected`,
          { file: this.file, table: this.ctx.tableName, offset: r.offset, row: r.rowNo, expected: `${this.want} values${b.columns ? ` (${b.columns.join(', ')})` : ` (the columns of ${this.ctx.tableName})`}` });
      }
    }
  }
}

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
  const save = (c: ChunkCommit): void => {
    const bytes = c.pos - last.pos;
    const n = c.rows - last.rows;
    last = c;
    ctx.onAdvance(bytes, n);
    saved = saved.then(() => ctx.store.updateChunk(ref, {
      pos: c.pos, prevRowIdMax: c.prevRowIdMax, kvcBytes: c.pos - cp.offset, kvcKvs: c.rows, kvcChecksum: c.checksum, columns: c.columns,
    }));
    // A checkpoint that cannot be written (disk full) stops the chunk at once; handled here, the rejection can
    // no longer end the process as an unhandled one while the loop is waiting for the parser.
    saved.catch((e: unknown) => { failure ??= e; });
  };
  try {
    for await (const batch of rows(ctx, cp, from)) {
      ctx.signal?.throwIfAborted();
      if (!batch.rows.length) continue;
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
    await ctx.store.updateChunk(ref, { pos: cp.endOffset, prevRowIdMax: end.prevRowIdMax, kvcBytes: end.pos - cp.offset, kvcKvs: end.rows, kvcChecksum: end.checksum, columns: end.columns });
    return end;
  } catch (e) {
    // Let the writes already sent settle (they commit or fail on their own) before reporting.
    await Promise.allSettled(inflight);
    await saved.catch(() => undefined);
    if (e instanceof LightningError || (e as Error)?.name === 'AbortError') throw e;
    throw new LightningError(Codes.RestoreTable, `importing ${cp.path} failed: ${(e as Error).message}`, { cause: e, context: { file: cp.path, table: ctx.tableName } });
  }
}
