// The checkpoint model over SQL, shared by both drivers: the SQLite file (sqlite.ts) and a MySQL-compatible
// server (mysql.ts) run the same statements (both accept `?` placeholders, backquoted identifiers, REPLACE,
// CASE and COALESCE), so the semantics cannot drift apart. A driver supplies a SqlDriver (statements,
// transactions, the qualified table names), its DDL and its keep-after-success step.
//
// Values: 64-bit quantities that may exceed 2^53 (task id, checksums) are bound as decimal strings; SQLite keeps
// them as TEXT, MySQL converts them exactly into BIGINT (UNSIGNED) columns. Times are ms since the epoch.
import { CheckpointError, Codes, toLightningError, type Code, type ErrorContext } from '../errors.js';
import { writeDump, type DumpRows } from './csv.js';
import { tableChangedError } from './fingerprint.js';
import { failedStatus, isFailed } from './status.js';
import type {
  CheckpointStore, ChunkCheckpoint, ChunkKey, ChunkProgress, DestroyedTable, EngineCheckpoint, FailureInfo,
  KeepAfterSuccess, TableCheckpoint, TableInit, TaskCheckpoint,
} from './types.js';
import type { Compression, DataFileType } from '../source/types.js';

export type Row = Record<string, unknown>;

export interface SqlRunner {
  select(sql: string, args?: readonly unknown[]): Promise<{ rows: Row[]; columns: string[] }>;
  /** resolves with the number of rows the statement matched */
  run(sql: string, args?: readonly unknown[]): Promise<number>;
}

export interface SqlDriver extends SqlRunner {
  /** f's statements in one transaction (BEGIN IMMEDIATE / START TRANSACTION … COMMIT); rolled back when f throws */
  tx<T>(f: (x: SqlRunner) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** The four tables (Go's current names, lightning.md §4). */
export type CheckpointTable = 'task_v2' | 'table_v10' | 'engine_v5' | 'chunk_v6';
export const CHECKPOINT_TABLES: readonly CheckpointTable[] = ['chunk_v6', 'engine_v5', 'table_v10', 'task_v2'];

// Go's enums (mydump.SourceType, mydump.Compression) so dumps read the same numbers.
const TYPE_CODE: Record<DataFileType, number> = { sql: 3, csv: 4, parquet: 5 };
const COMPRESSION_CODE: Record<Compression, number> = { none: 0, gzip: 1, zstd: 3, snappy: 6 };
const byCode = <T extends string>(m: Record<T, number>) => new Map(Object.entries(m).map(([k, v]) => [v as number, k as T]));
const TYPE_NAME = byCode(TYPE_CODE);
const COMPRESSION_NAME = byCode(COMPRESSION_CODE);

const num = (v: unknown): number => Number(v ?? 0);
const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const big = (v: unknown): bigint => BigInt(String(v ?? 0));
const all = async (x: SqlRunner, sql: string, args?: readonly unknown[]): Promise<Row[]> => (await x.select(sql, args)).rows;

const TABLE_PATCH_COLUMNS: Record<string, string> = {
  tableId: 'table_id', tableInfo: 'table_info', kvBytes: 'kv_bytes', kvKvs: 'kv_kvs', kvChecksum: 'kv_checksum',
  autoRandBase: 'auto_rand_base', autoIncrBase: 'auto_incr_base', autoRowIdBase: 'auto_row_id_base',
};

export abstract class SqlCheckpointStore implements CheckpointStore {
  abstract readonly driver: 'file' | 'mysql';

  protected constructor(readonly location: string, protected readonly db: SqlDriver) {}

  /** The qualified name of a checkpoint table (`task_v2` in SQLite, `schema`.`task_v2` in MySQL). */
  protected abstract t(name: CheckpointTable): string;
  /** Where errors say the checkpoint is. */
  protected abstract errorContext(): ErrorContext;
  abstract finish(keep: KeepAfterSuccess, taskId: bigint): Promise<void>;

  protected async op<T>(what: string, f: () => Promise<T>, code: Code = Codes.UpdateCheckpoint): Promise<T> {
    try {
      return await f();
    } catch (e) {
      if (e instanceof CheckpointError) throw e;
      const ctx = this.errorContext();
      const where = ctx.file ? '' : ` (${this.location})`; // a file is named by the context already
      throw new CheckpointError(code, `checkpoint ${what} failed${where}: ${toLightningError(e).message}`, ctx, e);
    }
  }

  async loadTask(): Promise<TaskCheckpoint | undefined> {
    const [r] = await this.op('read task', () => all(this.db, `SELECT * FROM ${this.t('task_v2')} WHERE id = 1`), Codes.ReadCheckpoint);
    if (!r) return undefined;
    return {
      taskId: big(r.task_id), sourceDir: String(r.source_dir), backend: String(r.backend),
      importerAddr: String(r.importer_addr), tidbHost: String(r.tidb_host), tidbPort: num(r.tidb_port),
      pdAddr: String(r.pd_addr), sortedKvDir: String(r.sorted_kv_dir), lightningVer: String(r.lightning_ver),
      config: JSON.parse(String(r.config_json)) as Record<string, string>,
    };
  }

  async saveTask(t: TaskCheckpoint): Promise<void> {
    await this.op('save task', () => this.db.run(`REPLACE INTO ${this.t('task_v2')} (id, task_id, source_dir, backend, importer_addr,
      tidb_host, tidb_port, pd_addr, sorted_kv_dir, lightning_ver, config_json) VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [String(t.taskId), t.sourceDir, t.backend, t.importerAddr, t.tidbHost, t.tidbPort, t.pdAddr, t.sortedKvDir, t.lightningVer,
      JSON.stringify(t.config)]));
  }

  async loadTables(): Promise<Map<string, TableCheckpoint>> {
    return this.op('read tables', () => this.readTables(this.db, undefined), Codes.ReadCheckpoint);
  }

  async getTable(tableName: string): Promise<TableCheckpoint | undefined> {
    return this.op('read table', async () => (await this.readTables(this.db, tableName)).get(tableName), Codes.ReadCheckpoint);
  }

  private async readTables(x: SqlRunner, only: string | undefined): Promise<Map<string, TableCheckpoint>> {
    const where = only === undefined ? '' : ' WHERE table_name = ?';
    const args = only === undefined ? [] : [only];
    const out = new Map<string, TableCheckpoint>();
    for (const r of await all(x, `SELECT * FROM ${this.t('table_v10')}${where}`, args)) {
      out.set(String(r.table_name), {
        taskId: big(r.task_id), tableName: String(r.table_name), hash: String(r.hash), status: num(r.status),
        tableId: num(r.table_id), tableInfo: String(r.table_info), kvBytes: num(r.kv_bytes), kvKvs: num(r.kv_kvs),
        kvChecksum: big(r.kv_checksum), autoRandBase: num(r.auto_rand_base), autoIncrBase: num(r.auto_incr_base),
        autoRowIdBase: num(r.auto_row_id_base), errorCode: str(r.error_code), errorMessage: str(r.error_message), engines: new Map(),
      });
    }
    for (const r of await all(x, `SELECT * FROM ${this.t('engine_v5')}${where} ORDER BY engine_id`, args)) {
      const t = out.get(String(r.table_name));
      if (!t) continue;
      const e: EngineCheckpoint = { tableName: t.tableName, engineId: num(r.engine_id), status: num(r.status),
        errorCode: str(r.error_code), errorMessage: str(r.error_message), chunks: [] };
      t.engines.set(e.engineId, e);
    }
    for (const r of await all(x, `SELECT * FROM ${this.t('chunk_v6')}${where} ORDER BY engine_id, path, \`offset\``, args)) {
      out.get(String(r.table_name))?.engines.get(num(r.engine_id))?.chunks.push(rowToChunk(r));
    }
    return out;
  }

  async initTable(taskId: bigint, init: TableInit): Promise<TableCheckpoint> {
    await this.op('init table', () => this.db.tx(async (x) => {
      const [old] = await all(x, `SELECT hash FROM ${this.t('table_v10')} WHERE table_name = ?`, [init.tableName]);
      if (old) {
        if (String(old.hash) !== init.hash) throw tableChangedError(init.tableName);
        return; // already initialized by an earlier run: keep its engines and chunks (Go reuses them)
      }
      const now = Date.now();
      await x.run(`INSERT INTO ${this.t('table_v10')} (task_id, table_name, hash, status, table_id, table_info, create_time, update_time)
        VALUES (?, ?, ?, 30, ?, ?, ?, ?)`, [String(taskId), init.tableName, init.hash, init.tableId ?? 0, init.tableInfo ?? '', now, now]);
      for (const e of init.engines) {
        await x.run(`INSERT INTO ${this.t('engine_v5')} (table_name, engine_id, status, create_time, update_time) VALUES (?, ?, 30, ?, ?)`,
          [init.tableName, e.engineId, now, now]);
        for (const c of e.chunks) {
          await x.run(`INSERT INTO ${this.t('chunk_v6')} (table_name, engine_id, path, \`offset\`, type, compression, sort_key, file_size,
            columns, should_include_row_id, end_offset, pos, real_pos, prev_rowid_max, rowid_max, kvc_bytes, kvc_kvs, kvc_checksum,
            create_time, update_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [init.tableName, e.engineId, c.path, c.offset, TYPE_CODE[c.type], COMPRESSION_CODE[c.compression], c.sortKey,
            c.fileSize, JSON.stringify(c.columns), c.shouldIncludeRowId ? 1 : 0, c.endOffset, c.pos ?? c.offset, c.realPos ?? 0,
            c.prevRowIdMax, c.rowIdMax, c.kvcBytes ?? 0, c.kvcKvs ?? 0, String(c.kvcChecksum ?? 0n), Math.trunc(c.mtimeMs), now]);
        }
      }
    }));
    return (await this.getTable(init.tableName))!;
  }

  private async applyChunk(x: SqlRunner, k: ChunkKey, p: ChunkProgress): Promise<void> {
    const n = await x.run(`UPDATE ${this.t('chunk_v6')} SET pos = ?, real_pos = COALESCE(?, real_pos), prev_rowid_max = ?, kvc_bytes = ?,
      kvc_kvs = ?, kvc_checksum = ?, columns = COALESCE(?, columns), update_time = ?
      WHERE table_name = ? AND engine_id = ? AND path = ? AND \`offset\` = ?`,
    [p.pos, p.realPos ?? null, p.prevRowIdMax, p.kvcBytes, p.kvcKvs, String(p.kvcChecksum),
      p.columns === undefined ? null : JSON.stringify(p.columns), Date.now(), k.tableName, k.engineId, k.path, k.offset]);
    if (n !== 1) {
      throw new CheckpointError(Codes.CheckpointNotFound, `no chunk checkpoint for ${k.path}:${k.offset}`,
        { table: k.tableName, file: k.path, offset: k.offset });
    }
  }

  async updateChunk(key: ChunkKey, p: ChunkProgress): Promise<void> {
    await this.op('update chunk', () => this.applyChunk(this.db, key, p));
  }

  async updateChunks(updates: Array<{ key: ChunkKey; progress: ChunkProgress }>): Promise<void> {
    await this.op('update chunks', () => this.db.tx(async (x) => {
      for (const u of updates) await this.applyChunk(x, u.key, u.progress);
    }));
  }

  async updateEngineStatus(tableName: string, engineId: number, status: number): Promise<void> {
    await this.op('update engine', () => this.db.run(`UPDATE ${this.t('engine_v5')} SET status = ?, update_time = ?,
      error_code = CASE WHEN ? > 25 THEN NULL ELSE error_code END, error_message = CASE WHEN ? > 25 THEN NULL ELSE error_message END
      WHERE table_name = ? AND engine_id = ?`, [status, Date.now(), status, status, tableName, engineId]));
  }

  async updateTableStatus(tableName: string, status: number): Promise<void> {
    await this.op('update table', () => this.db.run(`UPDATE ${this.t('table_v10')} SET status = ?, update_time = ?,
      error_code = CASE WHEN ? > 25 THEN NULL ELSE error_code END, error_message = CASE WHEN ? > 25 THEN NULL ELSE error_message END
      WHERE table_name = ?`, [status, Date.now(), status, status, tableName]));
  }

  async updateTable(tableName: string, patch: Parameters<CheckpointStore['updateTable']>[1]): Promise<void> {
    const sets: string[] = [];
    const vals: unknown[] = [];
    for (const [k, v] of Object.entries(patch)) {
      if (v === undefined || !TABLE_PATCH_COLUMNS[k]) continue;
      sets.push(`${TABLE_PATCH_COLUMNS[k]} = ?`);
      vals.push(typeof v === 'bigint' ? String(v) : v);
    }
    if (!sets.length) return;
    await this.op('update table', () => this.db.run(`UPDATE ${this.t('table_v10')} SET ${sets.join(', ')}, update_time = ? WHERE table_name = ?`,
      [...vals, Date.now(), tableName]));
  }

  async recordFailure(tableName: string, step: number, err: FailureInfo, engineId?: number): Promise<void> {
    const s = failedStatus(step);
    await this.op('record failure', () => this.db.tx(async (x) => {
      const now = Date.now();
      await x.run(`UPDATE ${this.t('table_v10')} SET status = ?, error_code = ?, error_message = ?, update_time = ? WHERE table_name = ?`,
        [s, err.code, err.message, now, tableName]);
      if (engineId !== undefined) {
        await x.run(`UPDATE ${this.t('engine_v5')} SET status = ?, error_code = ?, error_message = ?, update_time = ? WHERE table_name = ? AND engine_id = ?`,
          [s, err.code, err.message, now, tableName, engineId]);
      }
    }));
  }

  async remove(target: string): Promise<void> {
    await this.op('remove', () => this.db.tx(async (x) => {
      if (target === 'all') {
        for (const t of CHECKPOINT_TABLES) await x.run(`DELETE FROM ${this.t(t)}`);
        return;
      }
      for (const t of CHECKPOINT_TABLES.slice(0, 3)) await x.run(`DELETE FROM ${this.t(t)} WHERE table_name = ?`, [target]);
    }));
  }

  async ignoreError(target: string): Promise<void> {
    const w = target === 'all' ? '' : ' AND table_name = ?';
    const a = target === 'all' ? [] : [target];
    await this.op('ignore error', () => this.db.tx(async (x) => {
      await x.run(`UPDATE ${this.t('engine_v5')} SET status = 30, error_code = NULL, error_message = NULL WHERE status <= 25${w}`, a);
      await x.run(`UPDATE ${this.t('table_v10')} SET status = 30, error_code = NULL, error_message = NULL WHERE status <= 25${w}`, a);
    }));
  }

  async destroyError(target: string): Promise<DestroyedTable[]> {
    const w = target === 'all' ? '' : ' AND t.table_name = ?';
    const a = target === 'all' ? [] : [target];
    return this.op('destroy error', () => this.db.tx(async (x) => {
      const rows = await all(x, `SELECT t.table_name AS n, MIN(e.engine_id) AS lo, MAX(e.engine_id) AS hi FROM ${this.t('table_v10')} t
        LEFT JOIN ${this.t('engine_v5')} e ON e.table_name = t.table_name WHERE t.status <= 25${w} GROUP BY t.table_name`, a);
      const out: DestroyedTable[] = rows.map((r) => ({ tableName: String(r.n), minEngineId: Math.min(-1, num(r.lo ?? -1)), maxEngineId: num(r.hi ?? -1) }));
      for (const d of out) {
        for (const t of CHECKPOINT_TABLES.slice(0, 3)) await x.run(`DELETE FROM ${this.t(t)} WHERE table_name = ?`, [d.tableName]);
      }
      return out;
    }));
  }

  /** The three CSV files' rows (tables, engines, chunks) with their column names. */
  async dumpRows(): Promise<DumpRows> {
    return this.op('dump', async () => ({
      tables: await this.db.select(`SELECT * FROM ${this.t('table_v10')} ORDER BY table_name`),
      engines: await this.db.select(`SELECT * FROM ${this.t('engine_v5')} ORDER BY table_name, engine_id`),
      chunks: await this.db.select(`SELECT * FROM ${this.t('chunk_v6')} ORDER BY table_name, engine_id, path, \`offset\``),
    }), Codes.ReadCheckpoint);
  }

  async dump(dir: string): Promise<void> {
    writeDump(dir, await this.dumpRows());
  }

  async close(): Promise<void> {
    await this.db.close();
  }

  /** Failed tables (for ctl / the orchestrator's refusal). */
  async failedTables(): Promise<TableCheckpoint[]> {
    return [...(await this.loadTables()).values()].filter((t) => isFailed(t.status));
  }
}

function rowToChunk(r: Row): ChunkCheckpoint {
  return {
    tableName: String(r.table_name), engineId: num(r.engine_id), path: String(r.path), offset: num(r.offset),
    type: TYPE_NAME.get(num(r.type)) ?? 'sql', compression: COMPRESSION_NAME.get(num(r.compression)) ?? 'none',
    sortKey: String(r.sort_key), fileSize: num(r.file_size), mtimeMs: num(r.create_time),
    columns: JSON.parse(String(r.columns)) as string[] | null, shouldIncludeRowId: num(r.should_include_row_id) !== 0,
    endOffset: num(r.end_offset), pos: num(r.pos), realPos: num(r.real_pos), prevRowIdMax: num(r.prev_rowid_max),
    rowIdMax: num(r.rowid_max), kvcBytes: num(r.kvc_bytes), kvcKvs: num(r.kvc_kvs), kvcChecksum: big(r.kvc_checksum),
  };
}
