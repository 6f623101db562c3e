// The `file` driver: one SQLite database (better-sqlite3), by default next to the source data.
// journal_mode=WAL + synchronous=FULL: WAL lets a reader (ctl, status server) look while the import writes,
// and FULL makes every returned commit durable even on power loss (NORMAL in WAL mode survives kill -9 but may
// drop the last commits on an OS crash). Writes are one small transaction per committed batch, so the extra
// fsync is noise next to the import itself. A crash mid-transaction leaves the previous state: SQLite's
// atomic commit is what the "reopen after crash" tests check.
import Database from 'better-sqlite3';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CheckpointError, Codes, toLightningError, type Code } from '../errors.js';
import { writeCsv } from './csv.js';
import { tableChangedError } from './fingerprint.js';
import { CheckpointStatus, failedStatus, isFailed } from './status.js';
import type {
  CheckpointStore, ChunkCheckpoint, ChunkKey, ChunkProgress, DestroyedTable, EngineCheckpoint, FailureInfo,
  KeepAfterSuccess, TableCheckpoint, TableInit, TaskCheckpoint,
} from './types.js';
import type { Compression, DataFileType } from '../source/types.js';

// Go's enums (mydump.SourceType, mydump.Compression) so dumps read the same numbers.
const TYPE_CODE: Record<DataFileType, number> = { sql: 3, csv: 4, parquet: 5 };
const COMPRESSION_CODE: Record<Compression, number> = { none: 0, gzip: 1, zstd: 3, snappy: 6 };
const byCode = <T extends string>(m: Record<T, number>) => new Map(Object.entries(m).map(([k, v]) => [v as number, k as T]));
const TYPE_NAME = byCode(TYPE_CODE);
const COMPRESSION_NAME = byCode(COMPRESSION_CODE);

const SCHEMA = `
CREATE TABLE IF NOT EXISTS task_v2 (
  id INTEGER PRIMARY KEY CHECK (id = 1), task_id TEXT NOT NULL, source_dir TEXT NOT NULL, backend TEXT NOT NULL,
  importer_addr TEXT NOT NULL, tidb_host TEXT NOT NULL, tidb_port INTEGER NOT NULL, pd_addr TEXT NOT NULL,
  sorted_kv_dir TEXT NOT NULL, lightning_ver TEXT NOT NULL, config_json TEXT NOT NULL DEFAULT '{}');
CREATE TABLE IF NOT EXISTS table_v10 (
  task_id TEXT NOT NULL, table_name TEXT NOT NULL PRIMARY KEY, hash TEXT NOT NULL, status INTEGER NOT NULL DEFAULT 30,
  table_id INTEGER NOT NULL DEFAULT 0, table_info TEXT NOT NULL DEFAULT '',
  create_time INTEGER NOT NULL, update_time INTEGER NOT NULL,
  kv_bytes INTEGER NOT NULL DEFAULT 0, kv_kvs INTEGER NOT NULL DEFAULT 0, kv_checksum TEXT NOT NULL DEFAULT '0',
  auto_rand_base INTEGER NOT NULL DEFAULT 0, auto_incr_base INTEGER NOT NULL DEFAULT 0, auto_row_id_base INTEGER NOT NULL DEFAULT 0,
  error_code TEXT, error_message TEXT);
CREATE INDEX IF NOT EXISTS table_v10_task ON table_v10 (task_id);
CREATE TABLE IF NOT EXISTS engine_v5 (
  table_name TEXT NOT NULL, engine_id INTEGER NOT NULL, status INTEGER NOT NULL DEFAULT 30,
  create_time INTEGER NOT NULL, update_time INTEGER NOT NULL, error_code TEXT, error_message TEXT,
  PRIMARY KEY (table_name, engine_id));
CREATE TABLE IF NOT EXISTS chunk_v6 (
  table_name TEXT NOT NULL, engine_id INTEGER NOT NULL, path TEXT NOT NULL, offset INTEGER NOT NULL,
  type INTEGER NOT NULL, compression INTEGER NOT NULL, sort_key TEXT NOT NULL, file_size INTEGER NOT NULL,
  columns TEXT NOT NULL, should_include_row_id INTEGER NOT NULL, end_offset INTEGER NOT NULL, pos INTEGER NOT NULL,
  real_pos INTEGER NOT NULL, prev_rowid_max INTEGER NOT NULL, rowid_max INTEGER NOT NULL,
  kvc_bytes INTEGER NOT NULL DEFAULT 0, kvc_kvs INTEGER NOT NULL DEFAULT 0, kvc_checksum TEXT NOT NULL DEFAULT '0',
  create_time INTEGER NOT NULL, update_time INTEGER NOT NULL,
  PRIMARY KEY (table_name, engine_id, path, offset));
`;

type R = Record<string, unknown>;
const num = (v: unknown): number => Number(v ?? 0);
const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

export class SqliteCheckpointStore implements CheckpointStore {
  readonly driver = 'file' as const;
  private db: Database.Database;

  private constructor(readonly location: string, db: Database.Database) {
    this.db = db;
  }

  static open(path: string): SqliteCheckpointStore {
    try {
      mkdirSync(dirname(path), { recursive: true });
      const db = new Database(path);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('busy_timeout = 5000');
      db.exec(SCHEMA);
      return new SqliteCheckpointStore(path, db);
    } catch (e) {
      throw new CheckpointError(Codes.OpenCheckpoint, `cannot open checkpoint file '${path}': ${toLightningError(e).message}`, { file: path }, e);
    }
  }

  private run<T>(what: string, f: () => T, code: Code = Codes.UpdateCheckpoint): T {
    try {
      return f();
    } catch (e) {
      if (e instanceof CheckpointError) throw e;
      throw new CheckpointError(code, `checkpoint ${what} failed: ${toLightningError(e).message}`, { file: this.location }, e);
    }
  }

  async loadTask(): Promise<TaskCheckpoint | undefined> {
    const r = this.run('read task', () => this.db.prepare('SELECT * FROM task_v2 WHERE id = 1').get() as R | undefined, Codes.ReadCheckpoint);
    if (!r) return undefined;
    return {
      taskId: BigInt(String(r.task_id)), sourceDir: String(r.source_dir), backend: String(r.backend),
      importerAddr: String(r.importer_addr), tidbHost: String(r.tidb_host), tidbPort: num(r.tidb_port),
      pdAddr: String(r.pd_addr), sortedKvDir: String(r.sorted_kv_dir), lightningVer: String(r.lightning_ver),
      config: JSON.parse(String(r.config_json)) as Record<string, string>,
    };
  }

  async saveTask(t: TaskCheckpoint): Promise<void> {
    this.run('save task', () => this.db.prepare(`REPLACE INTO task_v2 (id, task_id, source_dir, backend, importer_addr, tidb_host,
      tidb_port, pd_addr, sorted_kv_dir, lightning_ver, config_json) VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
      .run(String(t.taskId), t.sourceDir, t.backend, t.importerAddr, t.tidbHost, t.tidbPort, t.pdAddr, t.sortedKvDir,
        t.lightningVer, JSON.stringify(t.config)));
  }

  async loadTables(): Promise<Map<string, TableCheckpoint>> {
    return this.run('read tables', () => this.readTables(undefined), Codes.ReadCheckpoint);
  }

  async getTable(tableName: string): Promise<TableCheckpoint | undefined> {
    return this.run('read table', () => this.readTables(tableName).get(tableName), Codes.ReadCheckpoint);
  }

  private readTables(only: string | undefined): Map<string, TableCheckpoint> {
    const where = only === undefined ? '' : ' WHERE table_name = ?';
    const args = only === undefined ? [] : [only];
    const out = new Map<string, TableCheckpoint>();
    for (const r of this.db.prepare(`SELECT * FROM table_v10${where}`).all(...args) as R[]) {
      out.set(String(r.table_name), {
        taskId: BigInt(String(r.task_id)), tableName: String(r.table_name), hash: String(r.hash), status: num(r.status),
        tableId: num(r.table_id), tableInfo: String(r.table_info), kvBytes: num(r.kv_bytes), kvKvs: num(r.kv_kvs),
        kvChecksum: BigInt(String(r.kv_checksum)), autoRandBase: num(r.auto_rand_base), autoIncrBase: num(r.auto_incr_base),
        autoRowIdBase: num(r.auto_row_id_base), errorCode: str(r.error_code), errorMessage: str(r.error_message), engines: new Map(),
      });
    }
    for (const r of this.db.prepare(`SELECT * FROM engine_v5${where} ORDER BY engine_id`).all(...args) as R[]) {
      const t = out.get(String(r.table_name));
      if (!t) continue;
      const e: EngineCheckpoint = { tableName: t.tableName, engineId: num(r.engine_id), status: num(r.status),
        errorCode: str(r.error_code), errorMessage: str(r.error_message), chunks: [] };
      t.engines.set(e.engineId, e);
    }
    for (const r of this.db.prepare(`SELECT * FROM chunk_v6${where} ORDER BY engine_id, path, offset`).all(...args) as R[]) {
      const e = out.get(String(r.table_name))?.engines.get(num(r.engine_id));
      if (!e) continue;
      e.chunks.push(rowToChunk(r));
    }
    return out;
  }

  async initTable(taskId: bigint, init: TableInit): Promise<TableCheckpoint> {
    this.run('init table', () => this.db.transaction(() => {
      const old = this.db.prepare('SELECT hash FROM table_v10 WHERE table_name = ?').get(init.tableName) as R | undefined;
      if (old) {
        if (String(old.hash) !== init.hash) throw tableChangedError(init.tableName);
        return; // already initialized by an earlier run: keep its engines and chunks (Go reuses them)
      }
      const now = Date.now();
      this.db.prepare(`INSERT INTO table_v10 (task_id, table_name, hash, status, table_id, table_info, create_time, update_time)
        VALUES (?, ?, ?, 30, ?, ?, ?, ?)`).run(String(taskId), init.tableName, init.hash, init.tableId ?? 0, init.tableInfo ?? '', now, now);
      const eng = this.db.prepare('INSERT INTO engine_v5 (table_name, engine_id, status, create_time, update_time) VALUES (?, ?, 30, ?, ?)');
      const chk = this.db.prepare(`INSERT INTO chunk_v6 (table_name, engine_id, path, offset, type, compression, sort_key, file_size,
        columns, should_include_row_id, end_offset, pos, real_pos, prev_rowid_max, rowid_max, kvc_bytes, kvc_kvs, kvc_checksum,
        create_time, update_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
      for (const e of init.engines) {
        eng.run(init.tableName, e.engineId, now, now);
        for (const c of e.chunks) {
          chk.run(init.tableName, e.engineId, c.path, c.offset, TYPE_CODE[c.type], COMPRESSION_CODE[c.compression], c.sortKey,
            c.fileSize, JSON.stringify(c.columns), c.shouldIncludeRowId ? 1 : 0, c.endOffset, c.pos ?? c.offset, c.realPos ?? 0,
            c.prevRowIdMax, c.rowIdMax, c.kvcBytes ?? 0, c.kvcKvs ?? 0, String(c.kvcChecksum ?? 0n), Math.trunc(c.mtimeMs), now);
        }
      }
    }).immediate());
    return (await this.getTable(init.tableName))!;
  }

  private chunkUpdate(): Database.Statement {
    return this.db.prepare(`UPDATE chunk_v6 SET pos = ?, real_pos = COALESCE(?, real_pos), prev_rowid_max = ?, kvc_bytes = ?,
      kvc_kvs = ?, kvc_checksum = ?, columns = COALESCE(?, columns), update_time = ?
      WHERE table_name = ? AND engine_id = ? AND path = ? AND offset = ?`);
  }

  private applyChunk(stmt: Database.Statement, k: ChunkKey, p: ChunkProgress): void {
    const r = stmt.run(p.pos, p.realPos ?? null, p.prevRowIdMax, p.kvcBytes, p.kvcKvs, String(p.kvcChecksum),
      p.columns === undefined ? null : JSON.stringify(p.columns), Date.now(), k.tableName, k.engineId, k.path, k.offset);
    if (r.changes !== 1) {
      throw new CheckpointError(Codes.CheckpointNotFound, `no chunk checkpoint for ${k.path}:${k.offset}`,
        { table: k.tableName, file: k.path, offset: k.offset });
    }
  }

  async updateChunk(key: ChunkKey, p: ChunkProgress): Promise<void> {
    this.run('update chunk', () => this.applyChunk(this.chunkUpdate(), key, p));
  }

  async updateChunks(updates: Array<{ key: ChunkKey; progress: ChunkProgress }>): Promise<void> {
    this.run('update chunks', () => {
      const stmt = this.chunkUpdate();
      this.db.transaction(() => { for (const u of updates) this.applyChunk(stmt, u.key, u.progress); }).immediate();
    });
  }

  async updateEngineStatus(tableName: string, engineId: number, status: number): Promise<void> {
    this.run('update engine', () => this.db.prepare(`UPDATE engine_v5 SET status = ?, update_time = ?,
      error_code = CASE WHEN ? > 25 THEN NULL ELSE error_code END, error_message = CASE WHEN ? > 25 THEN NULL ELSE error_message END
      WHERE table_name = ? AND engine_id = ?`).run(status, Date.now(), status, status, tableName, engineId));
  }

  async updateTableStatus(tableName: string, status: number): Promise<void> {
    this.run('update table', () => this.db.prepare(`UPDATE table_v10 SET status = ?, update_time = ?,
      error_code = CASE WHEN ? > 25 THEN NULL ELSE error_code END, error_message = CASE WHEN ? > 25 THEN NULL ELSE error_message END
      WHERE table_name = ?`).run(status, Date.now(), status, status, tableName));
  }

  async updateTable(tableName: string, patch: Parameters<CheckpointStore['updateTable']>[1]): Promise<void> {
    const cols: Record<string, string> = { tableId: 'table_id', tableInfo: 'table_info', kvBytes: 'kv_bytes', kvKvs: 'kv_kvs',
      kvChecksum: 'kv_checksum', autoRandBase: 'auto_rand_base', autoIncrBase: 'auto_incr_base', autoRowIdBase: 'auto_row_id_base' };
    const sets: string[] = [];
    const vals: unknown[] = [];
    for (const [k, v] of Object.entries(patch)) {
      if (v === undefined || !cols[k]) continue;
      sets.push(`${cols[k]} = ?`);
      vals.push(typeof v === 'bigint' ? String(v) : v);
    }
    if (!sets.length) return;
    this.run('update table', () => this.db.prepare(`UPDATE table_v10 SET ${sets.join(', ')}, update_time = ? WHERE table_name = ?`)
      .run(...vals, Date.now(), tableName));
  }

  async recordFailure(tableName: string, step: number, err: FailureInfo, engineId?: number): Promise<void> {
    const s = failedStatus(step);
    this.run('record failure', () => this.db.transaction(() => {
      const now = Date.now();
      this.db.prepare('UPDATE table_v10 SET status = ?, error_code = ?, error_message = ?, update_time = ? WHERE table_name = ?')
        .run(s, err.code, err.message, now, tableName);
      if (engineId !== undefined) {
        this.db.prepare('UPDATE engine_v5 SET status = ?, error_code = ?, error_message = ?, update_time = ? WHERE table_name = ? AND engine_id = ?')
          .run(s, err.code, err.message, now, tableName, engineId);
      }
    }).immediate());
  }

  async remove(target: string): Promise<void> {
    this.run('remove', () => this.db.transaction(() => {
      if (target === 'all') {
        for (const t of ['chunk_v6', 'engine_v5', 'table_v10', 'task_v2']) this.db.prepare(`DELETE FROM ${t}`).run();
        return;
      }
      for (const t of ['chunk_v6', 'engine_v5', 'table_v10']) this.db.prepare(`DELETE FROM ${t} WHERE table_name = ?`).run(target);
    }).immediate());
  }

  async ignoreError(target: string): Promise<void> {
    const w = target === 'all' ? '' : ' AND table_name = ?';
    const a = target === 'all' ? [] : [target];
    this.run('ignore error', () => this.db.transaction(() => {
      this.db.prepare(`UPDATE engine_v5 SET status = 30, error_code = NULL, error_message = NULL WHERE status <= 25${w}`).run(...a);
      this.db.prepare(`UPDATE table_v10 SET status = 30, error_code = NULL, error_message = NULL WHERE status <= 25${w}`).run(...a);
    }).immediate());
  }

  async destroyError(target: string): Promise<DestroyedTable[]> {
    const w = target === 'all' ? '' : ' AND t.table_name = ?';
    const a = target === 'all' ? [] : [target];
    return this.run('destroy error', () => this.db.transaction(() => {
      const rows = this.db.prepare(`SELECT t.table_name AS n, MIN(e.engine_id) AS lo, MAX(e.engine_id) AS hi FROM table_v10 t
        LEFT JOIN engine_v5 e ON e.table_name = t.table_name WHERE t.status <= 25${w} GROUP BY t.table_name`).all(...a) as R[];
      const out: DestroyedTable[] = rows.map((r) => ({ tableName: String(r.n), minEngineId: Math.min(-1, num(r.lo ?? -1)), maxEngineId: num(r.hi ?? -1) }));
      for (const d of out) {
        for (const t of ['chunk_v6', 'engine_v5', 'table_v10']) this.db.prepare(`DELETE FROM ${t} WHERE table_name = ?`).run(d.tableName);
      }
      return out;
    }).immediate());
  }

  async dump(dir: string): Promise<void> {
    mkdirSync(dir, { recursive: true });
    const dumpTo = (file: string, sql: string) => {
      const stmt = this.db.prepare(sql);
      writeCsv(join(dir, file), stmt.all() as R[], stmt.columns().map((c) => c.name));
    };
    dumpTo('tables.csv', 'SELECT * FROM table_v10 ORDER BY table_name');
    dumpTo('engines.csv', 'SELECT * FROM engine_v5 ORDER BY table_name, engine_id');
    dumpTo('chunks.csv', 'SELECT * FROM chunk_v6 ORDER BY table_name, engine_id, path, offset');
  }

  async finish(keep: KeepAfterSuccess, taskId: bigint): Promise<void> {
    if (keep === 'origin') { await this.close(); return; }
    await this.close();
    const files = [this.location, `${this.location}-wal`, `${this.location}-shm`];
    if (keep === 'remove') { for (const f of files) rmSync(f, { force: true }); return; }
    // rename: only the main file matters after a clean close (the WAL has been checkpointed into it).
    const bak = `${this.location}.${taskId}.bak`;
    renameSync(this.location, bak);
    for (const f of files.slice(1)) if (existsSync(f)) rmSync(f, { force: true });
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  /** True while every table in the store has reached `status` (e.g. Analyzed): the run finished. */
  async allTablesAtLeast(status: number = CheckpointStatus.Analyzed): Promise<boolean> {
    const r = this.db.prepare('SELECT COUNT(*) AS n FROM table_v10 WHERE status < ?').get(status) as R;
    return num(r.n) === 0;
  }

  /** Failed tables (for ctl / the orchestrator's refusal). */
  async failedTables(): Promise<TableCheckpoint[]> {
    return [...(await this.loadTables()).values()].filter((t) => isFailed(t.status));
  }
}

function rowToChunk(r: R): ChunkCheckpoint {
  return {
    tableName: String(r.table_name), engineId: num(r.engine_id), path: String(r.path), offset: num(r.offset),
    type: TYPE_NAME.get(num(r.type)) ?? 'sql', compression: COMPRESSION_NAME.get(num(r.compression)) ?? 'none',
    sortKey: String(r.sort_key), fileSize: num(r.file_size), mtimeMs: num(r.create_time),
    columns: JSON.parse(String(r.columns)) as string[] | null, shouldIncludeRowId: num(r.should_include_row_id) !== 0,
    endOffset: num(r.end_offset), pos: num(r.pos), realPos: num(r.real_pos), prevRowIdMax: num(r.prev_rowid_max),
    rowIdMax: num(r.rowid_max), kvcBytes: num(r.kvc_bytes), kvcKvs: num(r.kvc_kvs), kvcChecksum: BigInt(String(r.kvc_checksum)),
  };
}
