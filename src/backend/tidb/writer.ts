// Writes one chunk's rows: each transaction = the batch's INSERT statements + the guarded progress UPDATE,
// committed together (exactly-once). Statements of the next batch may run while the previous one commits on
// another connection; the progress guard (`WHERE pos = <previous pos>`) and the wait for the previous commit
// keep commits in order. Transient errors are retried on a fresh connection; before each retry the target's
// progress row is read, so a COMMIT whose reply was lost is never applied twice.
import { setTimeout as sleep } from 'node:timers/promises';
import { DatabaseError, LightningError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { Row, RowBatch } from '../../parse/types.js';
import type { ChunkCommit, ChunkRef, ChunkWriter } from '../backend.js';
import { addChecksum, type RowHasher } from './checksum.js';
import { backoffMs, isTransient, type Conn, type ConnPool, type RetryOptions } from './conn.js';
import { advanceSql, readProgress } from './progress.js';
import { appendSqlValue, ByteBuf, quoteIdent, tableKey } from './values.js';
import { dropInfile, registerInfile } from './conn.js';
import { loadDataSql, runValues, type LoadPlanner, type LoadRun } from './load-data.js';
import { LoadDigester, type LoadDigest } from './digest.js';

export type OnDuplicate = 'error' | 'replace' | 'ignore';

export interface WriterSettings {
  schema: string;
  table: string;
  taskId: bigint;
  taskInfoSchema: string;
  onDuplicate: OnDuplicate;
  /** target size of one statement's VALUES text */
  batchSize: number;
  /** rows per transaction */
  batchRows: number;
  noBackslashEscapes: boolean;
  retry: RetryOptions;
  logger?: Logger;
  /** the LOAD DATA fast path for this table, when allowed (see load-data.ts) */
  load?: LoadPlanner;
  /** the target refused LOAD DATA LOCAL: stop trying for the rest of the task */
  onLoadRefused?: (e: unknown) => void;
  /** number of columns of the table (a row without a column list has one value each) */
  tableColumns: number;
}

/** What one transaction sends: LOAD DATA runs (with INSERTs as the fallback) or INSERT statements. */
interface Work { runs?: LoadRun[]; statements: () => string[] }

/** errno of a server that does not allow LOAD DATA LOCAL (MySQL 1148/3948, MariaDB 4166) */
const LOCAL_REFUSED = new Set([1148, 3948, 4166]);

const VERB: Record<OnDuplicate, string> = { error: 'INSERT INTO', replace: 'REPLACE INTO', ignore: 'INSERT IGNORE INTO' };

/** One transaction's rows: `columns` is the target column list, `resumeColumns` the file's (for the parser on resume). */
interface Delta { rows: number; end: number; checksum: bigint; why: string; columns: string[] | null; resumeColumns: string[] | null; first: { offset: number; rowNo: number } }

export class TidbChunkWriter implements ChunkWriter {
  private tail: Promise<ChunkCommit>;
  private last: ChunkCommit;
  /** rows committed through LOAD DATA / through INSERT statements (logged at close) */
  private viaLoad = 0;
  private viaInsert = 0;

  constructor(private readonly pool: ConnPool, private readonly s: WriterSettings, private readonly hasher: RowHasher,
    readonly chunk: ChunkRef, from: ChunkCommit) {
    this.last = from;
    this.tail = Promise.resolve(from);
  }

  /** With the LOAD DATA path on: a digester for the SQL parser, whose batches write() then takes. */
  digester(): LoadDigester | undefined {
    return this.s.load ? new LoadDigester(this.s.load, this.hasher, this.s.tableColumns, this.s.batchRows, this.s.noBackslashEscapes) : undefined;
  }

  write(batch: RowBatch): Promise<ChunkCommit> {
    if (batch.digest) return this.writeDigest(batch.digest as LoadDigest, batch.columns);
    let p = this.tail;
    for (let i = 0; i < batch.rows.length; i += this.s.batchRows) {
      const rows = batch.rows.length <= this.s.batchRows ? batch.rows : batch.rows.slice(i, i + this.s.batchRows);
      const runs = this.s.load?.plan(rows, batch.columns);
      // With runs, nothing of the batch but the runs' bytes is kept: a declined run goes out as INSERT … VALUES
      // followed by the same row text (valid SQL with the same values: the parser vouched for it).
      const columns = batch.columns;
      const stmts = runs ? undefined : this.statements(rows, columns);
      p = this.commitTxn({ runs, statements: () => stmts ?? runs!.map((r) => this.head(columns) + runValues(r)) }, this.delta(rows, columns, batch.sourceColumns === undefined ? columns : batch.sourceColumns), p);
    }
    // Later batches of this chunk must not commit past a failed one; keep the rejection on the chain.
    this.tail = p;
    p.then((c) => { this.last = c; }, () => undefined);
    return p;
  }

  /** One transaction per digest (the digester's batches keep to batchRows). */
  private writeDigest(g: LoadDigest, columns: string[] | null): Promise<ChunkCommit> {
    const d: Delta = { rows: g.rows, end: g.end, checksum: g.checksum, why: g.why, columns, resumeColumns: columns, first: g.first };
    const head = this.head(columns);
    const p = this.commitTxn({ runs: g.runs, statements: () => g.runs.map((r) => head + runValues(r)) }, d, this.tail);
    this.tail = p;
    p.then((c) => { this.last = c; }, () => undefined);
    return p;
  }

  async close(): Promise<ChunkCommit> {
    const c = await this.tail;
    this.s.logger?.debug({ table: tableKey(this.s.schema, this.s.table), file: this.chunk.path, loadDataRows: this.viaLoad, insertRows: this.viaInsert }, 'chunk written');
    return c;
  }

  get committed(): ChunkCommit {
    return this.last;
  }

  private delta(rows: Row[], columns: string[] | null, resumeColumns: string[] | null): Delta {
    const [checksum, why] = this.hasher.hashRows(rows, columns);
    const f = rows[0]!;
    return { rows: rows.length, end: rows[rows.length - 1]!.end, checksum, why, columns, resumeColumns, first: { offset: f.offset, rowNo: f.rowNo } };
  }

  private head(columns: string[] | null): string {
    return `${VERB[this.s.onDuplicate]} ${quoteIdent(this.s.schema)}.${quoteIdent(this.s.table)}` +
      (columns ? ` (${columns.map(quoteIdent).join(',')})` : '') + ' VALUES ';
  }

  private statements(rows: Row[], columns: string[] | null): string[] {
    const head = this.head(columns);
    const out: string[] = [];
    const buf = new ByteBuf(Math.min(this.s.batchSize + (1 << 16), 1 << 24));
    let n = 0;
    for (const r of rows) {
      if (n === 0) buf.ascii(head);
      else buf.byte(0x2c);
      buf.byte(0x28);
      const fs = r.fields;
      for (let i = 0; i < fs.length; i++) {
        if (i) buf.byte(0x2c);
        appendSqlValue(buf, fs[i]!, this.s.noBackslashEscapes);
      }
      buf.byte(0x29);
      n++;
      if (buf.len >= this.s.batchSize) { out.push(buf.toLatin1()); buf.reset(); n = 0; }
    }
    if (n) out.push(buf.toLatin1());
    return out;
  }

  /** Run one transaction's data statements; resolves with the rows the server reports as written. */
  private async send(conn: Awaited<ReturnType<ConnPool['acquire']>>, w: Work, d: Delta): Promise<{ affected: number; viaLoad: boolean }> {
    const s = this.s;
    if (w.runs && s.load) {
      let ok = true;
      let affected = 0;
      for (const run of w.runs) {
        if (run.load === false) { // rows LOAD DATA would read differently: their text as an INSERT
          affected += ((await conn.query(this.head(d.columns) + runValues(run))) as unknown as [{ affectedRows: number }])[0].affectedRows;
          continue;
        }
        const name = registerInfile(run.parts);
        let r: { affectedRows: number; warningStatus: number };
        try {
          [r] = await conn.query(loadDataSql(name, s.schema, s.table, d.columns, run.quote, s.noBackslashEscapes)) as unknown as [typeof r];
        } catch (e) {
          if (!LOCAL_REFUSED.has((e as { errno?: number }).errno ?? 0)) throw e;
          s.onLoadRefused?.(e);
          ok = false;
          break;
        } finally {
          dropInfile(name);
        }
        // LOCAL skips duplicates and turns errors into warnings: any difference means INSERT must decide.
        if (r.affectedRows !== run.rows || r.warningStatus !== 0) { ok = false; break; }
        affected += run.rows;
      }
      if (ok) return { affected, viaLoad: true };
      await conn.query('ROLLBACK');
      await conn.query('BEGIN');
      s.logger?.debug({ table: `${s.schema}.${s.table}`, file: this.chunk.path, offset: d.first.offset }, 'LOAD DATA fast path declined; sending INSERT statements');
    }
    let affected = 0;
    for (const q of w.statements()) affected += ((await conn.query(q)) as unknown as [{ affectedRows: number }])[0].affectedRows;
    return { affected, viaLoad: false };
  }

  /** Rows of the batch that are not rows of their own in the target, from the server's affected-row count. */
  private skippedOf(d: Delta, affected: number): number {
    if (this.s.onDuplicate === 'ignore') return Math.max(0, d.rows - affected);
    if (this.s.onDuplicate === 'replace') return Math.max(0, affected - d.rows); // REPLACE counts delete + insert
    return 0;
  }

  private async commitTxn(w: Work, d: Delta, prev: Promise<ChunkCommit>): Promise<ChunkCommit> {
    const { pool, s, chunk } = this;
    for (let attempt = 0; ; attempt++) {
      let to: ChunkCommit | undefined;
      let conn: Conn | undefined;
      try {
        // inside the try: a server that is restarting refuses the connection, and that is worth a retry too
        conn = await pool.acquire();
        await conn.query('BEGIN');
        const { affected, viaLoad } = await this.send(conn, w, d);
        const from = await prev;
        const skipped = this.skippedOf(d, affected);
        const next: ChunkCommit = {
          pos: d.end, prevRowIdMax: from.prevRowIdMax + d.rows, rows: from.rows + d.rows, skipped: from.skipped + skipped,
          checksum: addChecksum(from.checksum, d.checksum), unverifiable: from.unverifiable || d.why, columns: d.resumeColumns,
        };
        to = next;
        const [r] = await conn.query(advanceSql(s.taskInfoSchema, s.taskId, chunk, from, next)) as unknown as [{ affectedRows: number }];
        if (r.affectedRows !== 1) {
          await conn.query('ROLLBACK');
          pool.release(conn);
          conn = undefined;
          const cur = await pool.withConn((c) => readProgress(c, s.taskInfoSchema, s.taskId, chunk));
          if (cur && cur.pos === next.pos && cur.rows === next.rows) return cur; // our earlier attempt did commit
          throw new DatabaseError(`progress of chunk ${chunk.path}:${chunk.offset} in the target is at ${cur?.pos ?? 'nothing'}, expected ${from.pos}: ` +
            `another process imports the same chunk, or progress rows were removed`, { context: this.ctx(d) });
        }
        await conn.query('COMMIT');
        pool.release(conn);
        conn = undefined;
        if (viaLoad) this.viaLoad += d.rows;
        else this.viaInsert += d.rows;
        return next;
      } catch (e) {
        if (e instanceof LightningError && !isTransient(e.cause)) throw e;
        if (conn) pool.discard(conn); // state unknown: never reuse
        if (e === (await prev.then(() => undefined, (x: unknown) => x))) throw e; // the previous batch failed
        if (!isTransient(e) || attempt >= (s.retry.retries ?? 8)) {
          throw new DatabaseError(`writing rows failed: ${(e as Error).message}`, { cause: e, context: this.ctx(d), retryable: isTransient(e) });
        }
        s.retry.onRetry?.(e, attempt + 1);
        s.logger?.warn({ table: `${s.schema}.${s.table}`, file: chunk.path, attempt: attempt + 1, err: (e as Error).message }, 'transient error, retrying batch');
        await sleep(backoffMs(attempt, s.retry));
        if (to) {
          // The COMMIT may have happened before the connection broke: the progress row knows.
          const cur = await this.readWithRetry(attempt);
          if (cur && cur.pos >= to.pos) return cur;
        }
      }
    }
  }

  private async readWithRetry(attempt: number): Promise<ChunkCommit | undefined> {
    const { pool, s, chunk } = this;
    for (let a = attempt; ; a++) {
      try {
        return await pool.withConn((c) => readProgress(c, s.taskInfoSchema, s.taskId, chunk));
      } catch (e) {
        if (!isTransient(e) || a >= (s.retry.retries ?? 8) + attempt) throw e;
        await sleep(backoffMs(a, s.retry));
      }
    }
  }

  private ctx(d: Delta) {
    return { table: tableKey(this.s.schema, this.s.table), file: this.chunk.path, offset: d.first.offset, row: d.first.rowNo };
  }
}
