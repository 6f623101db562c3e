// The `tidb` backend (logical import): rows become INSERT/REPLACE/INSERT IGNORE statements over mysql2,
// each batch committed with its chunk's progress row in the target (exactly-once, see writer.ts).
import type { Logger } from '../../log.js';
import type { Backend, ChunkCommit, ChunkRef, ChunkWriter, EngineWriter, TableRef, TableVerification } from '../backend.js';
import { RowHasher } from './checksum.js';
import { fetchColumns, type ColumnInfo } from './columns.js';
import { ConnPool, isTransient, retryTransient, type Conn, type RetryOptions, type TidbConnOptions } from './conn.js';
import { deleteTableSql, ensureSql, progressDdl, readProgress } from './progress.js';
import { mismatchError, verifyTable, type VerifyResult } from './verify.js';
import { TidbChunkWriter, type OnDuplicate, type WriterSettings } from './writer.js';
import { loadPlanner } from './load-data.js';
import { tableKey } from './values.js';
import { DatabaseError, LightningError } from '../../errors.js';

/**
 * Default statement size: 1 MiB. The Go tool caps logical-import-batch-size at 96 KiB; on MariaDB (2 shared cores)
 * 96 KiB statements were ~1.7x slower than 1 MiB ones (more round trips, commits and per-statement server work),
 * while 4 MiB brought nothing more. 1 MiB stays far below max_allowed_packet (16 MiB server default, 64 MiB ours).
 */
export const DEFAULT_LOGICAL_BATCH_SIZE = 1 << 20;
export const DEFAULT_LOGICAL_BATCH_ROWS = 65536;

export interface TidbBackendOptions extends TidbConnOptions {
  /** the checkpoint task id (stable across resumes); keys the progress rows */
  taskId: bigint;
  /** conflict.strategy resolved (lightning.md §1): '' and 'error' → INSERT */
  onDuplicate: OnDuplicate;
  /** logical-import-batch-size in bytes */
  batchSize?: number;
  /** logical-import-batch-rows */
  batchRows?: number;
  /** tidb.max-allowed-packet: statements are kept below it */
  maxAllowedPacket?: number;
  /** task-info-schema-name */
  taskInfoSchema?: string;
  retry?: RetryOptions;
  logger?: Logger;
  /**
   * The LOAD DATA fast path for SQL dumps (load-data.ts): on unless false. It also needs on-duplicate = error,
   * a target that is not TiDB, and the parser's NO_BACKSLASH_ESCAPES setting equal to the session's.
   */
  loadData?: boolean;
  /** sql-mode NO_BACKSLASH_ESCAPES as the source parser applies it */
  sourceNoBackslashEscapes?: boolean;
}

export class TidbBackend implements Backend {
  readonly name = 'tidb' as const;
  readonly progressInTarget = true;
  readonly pool: ConnPool;
  private readonly schema: string;
  private noBackslash = false;
  private loadData = false;

  constructor(private readonly o: TidbBackendOptions) {
    this.pool = new ConnPool(o);
    this.schema = o.taskInfoSchema ?? 'lightning_task_info';
  }

  /**
   * A pooled connection for bookkeeping statements (DDL IF NOT EXISTS, progress reads, INSERT IGNORE, DELETE):
   * all safe to repeat, so transient errors (lost connection, server restart, too many connections) are retried.
   */
  private async conn<T>(what: string, f: (c: Conn) => Promise<T>): Promise<T> {
    try {
      return await retryTransient(() => this.pool.withConn(f), this.o.retry);
    } catch (e) {
      if (e instanceof LightningError) throw e;
      throw new DatabaseError(`${what} failed: ${(e as Error).message}`, { cause: e, retryable: isTransient(e) });
    }
  }

  async open(): Promise<void> {
    await this.conn('preparing the tidb backend', async (c) => {
      for (const q of progressDdl(this.schema)) await c.query(q);
      const [rows] = await c.query('SELECT @@SESSION.sql_mode AS m, VERSION() AS v') as unknown as [Array<{ m: Buffer | string; v: Buffer | string }>];
      const mode = String(rows[0]?.m ?? '').toUpperCase();
      this.noBackslash = mode.includes('NO_BACKSLASH_ESCAPES');
      // TiDB's LOAD DATA differs in details we have not verified: it gets INSERT statements.
      this.loadData = this.o.loadData !== false && this.o.onDuplicate === 'error' && !/tidb/i.test(String(rows[0]?.v ?? '')) &&
        !mode.includes('ANSI_QUOTES') && (this.o.sourceNoBackslashEscapes ?? false) === this.noBackslash;
      this.o.logger?.info({ sqlMode: mode, loadData: this.loadData }, 'tidb backend session');
    });
  }

  async close(): Promise<void> {
    await this.pool.close();
  }

  async columns(table: TableRef): Promise<ColumnInfo[]> {
    const cols = await this.conn('reading the columns', (c) => fetchColumns(c, table.schema, table.table));
    if (!cols.length) throw new DatabaseError(`table ${tableKey(table.schema, table.table)} does not exist in the target`);
    return cols;
  }

  async openEngine(table: TableRef, _engineId: number): Promise<EngineWriter> {
    const cols = await this.columns(table);
    const o = this.o;
    const max = Math.max(4096, (o.maxAllowedPacket ?? 64 << 20) / 2);
    const settings: WriterSettings = {
      schema: table.schema, table: table.table, taskId: o.taskId, taskInfoSchema: this.schema, onDuplicate: o.onDuplicate,
      batchSize: Math.min(o.batchSize ?? DEFAULT_LOGICAL_BATCH_SIZE, max), batchRows: o.batchRows ?? DEFAULT_LOGICAL_BATCH_ROWS,
      noBackslashEscapes: this.noBackslash, retry: o.retry ?? {}, logger: o.logger, tableColumns: cols.length,
      load: this.loadData ? loadPlanner(cols) : undefined,
      onLoadRefused: (e: unknown) => {
        if (this.loadData) o.logger?.warn({ err: (e as Error).message }, 'the target refuses LOAD DATA LOCAL; using INSERT statements');
        this.loadData = false;
        settings.load = undefined;
      },
    };
    const pool = this.pool;
    const schema = this.schema;
    const conn = this.conn.bind(this);
    return {
      async openChunk(chunk: ChunkRef, from: ChunkCommit): Promise<ChunkWriter> {
        const cur = await conn('opening the chunk progress row', async (c) => {
          await c.query(ensureSql(schema, o.taskId, chunk, from));
          return readProgress(c, schema, o.taskId, chunk);
        });
        if (!cur || cur.pos !== from.pos || cur.rows !== from.rows) {
          throw new DatabaseError(`chunk ${chunk.path}:${chunk.offset} resumes at ${from.pos} but the target has committed up to ${cur?.pos}; ` +
            'resume from getCommittedProgress()', { context: { table: chunk.tableName, file: chunk.path } });
        }
        return new TidbChunkWriter(pool, settings, new RowHasher(cols), chunk, from);
      },
      async close(): Promise<void> {},
    };
  }

  async getCommittedProgress(chunk: ChunkRef): Promise<ChunkCommit | undefined> {
    return this.conn('reading the chunk progress', (c) => readProgress(c, this.schema, this.o.taskId, chunk));
  }

  async importEngine(): Promise<void> {}

  async cleanupTable(table: TableRef): Promise<void> {
    await this.conn('removing the chunk progress rows', (c) => c.query(deleteTableSql(this.schema, this.o.taskId, tableKey(table.schema, table.table))));
  }

  /** Row count + content checksum of the target table against what the progress rows recorded. */
  async verify(table: TableRef): Promise<VerifyResult> {
    return this.conn('verifying the table', (c) => verifyTable(c, table, { taskId: this.o.taskId, taskInfoSchema: this.schema }));
  }

  async verifyTable(table: TableRef): Promise<TableVerification> {
    const r = await this.verify(table);
    const hex = (x: bigint) => `0x${x.toString(16).padStart(16, '0')}`;
    const detail = r.ok
      ? `rows ${r.actualRows} = ${r.expectedRows}, ${r.contentSkipped ? `content not compared (${r.contentSkipped})` : `content checksum ${hex(r.actualChecksum)} = ${hex(r.expectedChecksum)}`}`
      : mismatchError(r).message;
    return { table: r.table, ok: r.ok, rows: r.actualRows, detail, ...(r.ok ? {} : { error: mismatchError(r) }) };
  }
}
