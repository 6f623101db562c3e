// The `file` driver: one SQLite database (better-sqlite3), by default next to the source data.
// journal_mode=WAL + synchronous=FULL: WAL lets a reader (ctl, status server) look while the import writes,
// and FULL makes every returned commit durable even on power loss (NORMAL in WAL mode survives kill -9 but may
// drop the last commits on an OS crash). Writes are one small transaction per committed batch, so the extra
// fsync is noise next to the import itself. A crash mid-transaction leaves the previous state: SQLite's
// atomic commit is what the "reopen after crash" tests check.
import Database from 'better-sqlite3';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { CheckpointError, Codes, toLightningError, type ErrorContext } from '../errors.js';
import { SqlCheckpointStore, type CheckpointTable, type Row, type SqlDriver, type SqlRunner } from './sql-store.js';
import type { KeepAfterSuccess } from './types.js';

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

/**
 * better-sqlite3 is synchronous, but the shared store code awaits between the statements of a transaction:
 * every statement and transaction runs under one FIFO lock, so another caller's statement never lands inside
 * an open transaction (one connection is one transaction scope).
 */
class SqliteDriver implements SqlDriver {
  private readonly stmts = new Map<string, Database.Statement>();
  private lock: Promise<unknown> = Promise.resolve();

  constructor(readonly db: Database.Database) {}

  private stmt(sql: string): Database.Statement {
    let s = this.stmts.get(sql);
    if (!s) this.stmts.set(sql, (s = this.db.prepare(sql)));
    return s;
  }

  private readonly direct: SqlRunner = {
    select: async (sql, args = []) => {
      const s = this.stmt(sql);
      return { rows: s.all(...args) as Row[], columns: s.columns().map((c) => c.name) };
    },
    run: async (sql, args = []) => this.stmt(sql).run(...args).changes,
  };

  private locked<T>(f: () => Promise<T>): Promise<T> {
    const p = this.lock.then(f);
    this.lock = p.catch(() => undefined);
    return p;
  }

  select(sql: string, args?: readonly unknown[]) {
    return this.locked(() => this.direct.select(sql, args));
  }

  run(sql: string, args?: readonly unknown[]) {
    return this.locked(() => this.direct.run(sql, args));
  }

  tx<T>(f: (x: SqlRunner) => Promise<T>): Promise<T> {
    return this.locked(async () => {
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const r = await f(this.direct);
        this.db.exec('COMMIT');
        return r;
      } catch (e) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw e;
      }
    });
  }

  async close(): Promise<void> {
    await this.lock;
    if (this.db.open) this.db.close();
  }
}

export class SqliteCheckpointStore extends SqlCheckpointStore {
  readonly driver = 'file' as const;

  private constructor(location: string, private readonly sqlite: SqliteDriver) {
    super(location, sqlite);
  }

  static open(path: string): SqliteCheckpointStore {
    try {
      if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
      const db = new Database(path);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('busy_timeout = 5000');
      db.exec(SCHEMA);
      return new SqliteCheckpointStore(path, new SqliteDriver(db));
    } catch (e) {
      throw new CheckpointError(Codes.OpenCheckpoint, `cannot open checkpoint file '${path}': ${toLightningError(e).message}`, { file: path }, e);
    }
  }

  protected t(name: CheckpointTable): string {
    return name;
  }

  protected errorContext(): ErrorContext {
    return { file: this.location };
  }

  async finish(keep: KeepAfterSuccess, taskId: bigint): Promise<void> {
    await this.close();
    if (keep === 'origin') return;
    const files = [this.location, `${this.location}-wal`, `${this.location}-shm`];
    if (keep === 'remove') { for (const f of files) rmSync(f, { force: true }); return; }
    // rename: only the main file matters after a clean close (the WAL has been checkpointed into it).
    const bak = `${this.location}.${taskId}.bak`;
    renameSync(this.location, bak);
    for (const f of files.slice(1)) if (existsSync(f)) rmSync(f, { force: true });
  }

  /** True while every table in the store has reached `status` (e.g. Analyzed): the run finished. */
  async allTablesAtLeast(status: number): Promise<boolean> {
    const { rows } = await this.sqlite.select('SELECT COUNT(*) AS n FROM table_v10 WHERE status < ?', [status]);
    return Number(rows[0]?.n ?? 0) === 0;
  }
}
