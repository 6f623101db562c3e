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
import { backoffMs, isTransient, type ConnPool, type RetryOptions } from './conn.js';
import { advanceSql, readProgress } from './progress.js';
import { appendSqlValue, ByteBuf, quoteIdent, tableKey } from './values.js';

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
}

const VERB: Record<OnDuplicate, string> = { error: 'INSERT INTO', replace: 'REPLACE INTO', ignore: 'INSERT IGNORE INTO' };

interface Delta { rows: number; end: number; checksum: bigint; why: string; columns: string[] | null; first: Row }

export class TidbChunkWriter implements ChunkWriter {
  private tail: Promise<ChunkCommit>;
  private last: ChunkCommit;

  constructor(private readonly pool: ConnPool, private readonly s: WriterSettings, private readonly hasher: RowHasher,
    readonly chunk: ChunkRef, from: ChunkCommit) {
    this.last = from;
    this.tail = Promise.resolve(from);
  }

  write(batch: RowBatch): Promise<ChunkCommit> {
    let p = this.tail;
    for (let i = 0; i < batch.rows.length; i += this.s.batchRows) {
      const rows = batch.rows.slice(i, i + this.s.batchRows);
      p = this.commitTxn(this.statements(rows, batch.columns), this.delta(rows, batch.columns), p);
    }
    // Later batches of this chunk must not commit past a failed one; keep the rejection on the chain.
    this.tail = p;
    p.then((c) => { this.last = c; }, () => undefined);
    return p;
  }

  async close(): Promise<ChunkCommit> {
    return this.tail;
  }

  get committed(): ChunkCommit {
    return this.last;
  }

  private delta(rows: Row[], columns: string[] | null): Delta {
    const [checksum, why] = this.hasher.hashRows(rows, columns);
    return { rows: rows.length, end: rows[rows.length - 1]!.end, checksum, why, columns, first: rows[0]! };
  }

  private statements(rows: Row[], columns: string[] | null): string[] {
    const head = `${VERB[this.s.onDuplicate]} ${quoteIdent(this.s.schema)}.${quoteIdent(this.s.table)}` +
      (columns ? ` (${columns.map(quoteIdent).join(',')})` : '') + ' VALUES ';
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

  private async commitTxn(stmts: string[], d: Delta, prev: Promise<ChunkCommit>): Promise<ChunkCommit> {
    const { pool, s, chunk } = this;
    for (let attempt = 0; ; attempt++) {
      let to: ChunkCommit | undefined;
      const conn = await pool.acquire();
      try {
        await conn.query('BEGIN');
        for (const q of stmts) await conn.query(q);
        const from = await prev;
        to = {
          pos: d.end, prevRowIdMax: from.prevRowIdMax + d.rows, rows: from.rows + d.rows,
          checksum: addChecksum(from.checksum, d.checksum), unverifiable: from.unverifiable || d.why, columns: d.columns,
        };
        const [r] = await conn.query(advanceSql(s.taskInfoSchema, s.taskId, chunk, from, to)) as unknown as [{ affectedRows: number }];
        if (r.affectedRows !== 1) {
          await conn.query('ROLLBACK');
          pool.release(conn);
          const cur = await pool.withConn((c) => readProgress(c, s.taskInfoSchema, s.taskId, chunk));
          if (cur && cur.pos === to.pos && cur.rows === to.rows) return cur; // our earlier attempt did commit
          throw new DatabaseError(`progress of chunk ${chunk.path}:${chunk.offset} in the target is at ${cur?.pos ?? 'nothing'}, expected ${from.pos}: ` +
            `another process imports the same chunk, or progress rows were removed`, { context: this.ctx(d) });
        }
        await conn.query('COMMIT');
        pool.release(conn);
        return to;
      } catch (e) {
        if (e instanceof LightningError && !isTransient(e.cause)) throw e;
        pool.discard(conn); // state unknown: never reuse
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
