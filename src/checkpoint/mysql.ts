// driver = "mysql": the checkpoint model in database `[checkpoint] schema` of the target (dsn empty) or of the
// server a Go DSN names, through a small mysql2 pool. Same statements as the SQLite file (sql-store.ts); the
// tables carry Go's names and columns (lightning.md §4) with our error_code/error_message/config_json added.
// Transient errors (lost connection, server restart, too many connections) are retried with backoff: every
// statement is idempotent or runs in a transaction that a retry repeats as a whole.
import mysql from 'mysql2/promise';
import { retryTransient, verifiedIpStream } from '../backend/tidb/conn.js';
import { CheckpointError, Codes, toLightningError, type ErrorContext } from '../errors.js';
import { registerSecret } from '../redact.js';
import { SqlCheckpointStore, CHECKPOINT_TABLES, type CheckpointTable, type Row, type SqlDriver, type SqlRunner } from './sql-store.js';
import type { KeepAfterSuccess } from './types.js';

export interface MysqlCheckpointOptions {
  host: string;
  port: number;
  user: string;
  password: string;
  schema: string;
  socketPath?: string;
  ssl?: mysql.SslOptions;
  /** false (tidb-lightning-ctl): a missing checkpoint schema is CheckpointNotFound instead of being created */
  create?: boolean;
  connectTimeoutMs?: number;
  /** retries of a transient error (default 8, about 10 s of backoff: a restarting server) */
  retries?: number;
}

const ddl = (s: string): string[] => [
  `CREATE DATABASE IF NOT EXISTS ${s} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`,
  `CREATE TABLE IF NOT EXISTS ${s}.task_v2 (
    id TINYINT UNSIGNED NOT NULL PRIMARY KEY, task_id BIGINT NOT NULL, source_dir VARCHAR(2048) NOT NULL,
    backend VARCHAR(16) NOT NULL, importer_addr VARCHAR(256) NOT NULL, tidb_host VARCHAR(128) NOT NULL, tidb_port INT NOT NULL,
    pd_addr VARCHAR(128) NOT NULL, sorted_kv_dir VARCHAR(2048) NOT NULL, lightning_ver VARCHAR(48) NOT NULL,
    config_json LONGTEXT NOT NULL) ENGINE=InnoDB`,
  // hash: ours is the hex text of a SHA-256 (Go: binary(32))
  `CREATE TABLE IF NOT EXISTS ${s}.table_v10 (
    task_id BIGINT NOT NULL, table_name VARCHAR(261) NOT NULL PRIMARY KEY, hash VARCHAR(64) NOT NULL,
    status TINYINT UNSIGNED NOT NULL DEFAULT 30, table_id BIGINT NOT NULL DEFAULT 0, table_info LONGTEXT NOT NULL,
    create_time BIGINT NOT NULL, update_time BIGINT NOT NULL, kv_bytes BIGINT UNSIGNED NOT NULL DEFAULT 0,
    kv_kvs BIGINT UNSIGNED NOT NULL DEFAULT 0, kv_checksum BIGINT UNSIGNED NOT NULL DEFAULT 0,
    auto_rand_base BIGINT NOT NULL DEFAULT 0, auto_incr_base BIGINT NOT NULL DEFAULT 0, auto_row_id_base BIGINT NOT NULL DEFAULT 0,
    error_code VARCHAR(128) NULL, error_message MEDIUMTEXT NULL, INDEX (task_id)) ENGINE=InnoDB`,
  `CREATE TABLE IF NOT EXISTS ${s}.engine_v5 (
    table_name VARCHAR(261) NOT NULL, engine_id INT NOT NULL, status TINYINT UNSIGNED NOT NULL DEFAULT 30,
    create_time BIGINT NOT NULL, update_time BIGINT NOT NULL, error_code VARCHAR(128) NULL, error_message MEDIUMTEXT NULL,
    PRIMARY KEY (table_name, engine_id)) ENGINE=InnoDB`,
  `CREATE TABLE IF NOT EXISTS ${s}.chunk_v6 (
    table_name VARCHAR(261) NOT NULL, engine_id INT NOT NULL, path VARCHAR(2048) NOT NULL, \`offset\` BIGINT NOT NULL,
    type INT NOT NULL, compression INT NOT NULL, sort_key VARCHAR(256) NOT NULL, file_size BIGINT NOT NULL,
    columns TEXT NOT NULL, should_include_row_id BOOL NOT NULL, end_offset BIGINT NOT NULL, pos BIGINT NOT NULL,
    real_pos BIGINT NOT NULL, prev_rowid_max BIGINT NOT NULL, rowid_max BIGINT NOT NULL,
    kvc_bytes BIGINT UNSIGNED NOT NULL DEFAULT 0, kvc_kvs BIGINT UNSIGNED NOT NULL DEFAULT 0,
    kvc_checksum BIGINT UNSIGNED NOT NULL DEFAULT 0, create_time BIGINT NOT NULL, update_time BIGINT NOT NULL,
    PRIMARY KEY (table_name, engine_id, path(500), \`offset\`)) ENGINE=InnoDB`,
];

export const quoteSchema = (s: string): string => `\`${s.replace(/`/g, '``')}\``;

type Queryable = Pick<mysql.PoolConnection, 'query'>;

function runner(c: Queryable): SqlRunner {
  return {
    select: async (sql, args = []) => {
      const [rows, fields] = await c.query({ sql, values: [...args] });
      return { rows: rows as Row[], columns: (fields ?? []).map((f) => f.name) };
    },
    run: async (sql, args = []) => {
      const [r] = await c.query({ sql, values: [...args] });
      // affectedRows counts matched rows: mysql2 connects with CLIENT_FOUND_ROWS
      return (r as mysql.ResultSetHeader).affectedRows;
    },
  };
}

class MysqlDriver implements SqlDriver {
  constructor(readonly pool: mysql.Pool, private readonly retries: number) {}

  private retry<T>(f: () => Promise<T>): Promise<T> {
    return retryTransient(f, { retries: this.retries, maxDelayMs: 3000 });
  }

  select(sql: string, args?: readonly unknown[]) {
    return this.retry(() => runner(this.pool).select(sql, args));
  }

  run(sql: string, args?: readonly unknown[]) {
    return this.retry(() => runner(this.pool).run(sql, args));
  }

  tx<T>(f: (x: SqlRunner) => Promise<T>): Promise<T> {
    return this.retry(async () => {
      const c = await this.pool.getConnection();
      try {
        await c.query('START TRANSACTION');
        const r = await f(runner(c));
        await c.query('COMMIT');
        c.release();
        return r;
      } catch (e) {
        // the connection's state is unknown (a half-done transaction is rolled back when it closes)
        c.destroy();
        throw e;
      }
    });
  }

  async close(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }
}

export class MysqlCheckpointStore extends SqlCheckpointStore {
  readonly driver = 'mysql' as const;
  private readonly schema: string;

  private constructor(location: string, private readonly my: MysqlDriver, schema: string) {
    super(location, my);
    this.schema = quoteSchema(schema);
  }

  static async open(o: MysqlCheckpointOptions): Promise<MysqlCheckpointStore> {
    registerSecret(o.password);
    const where = o.socketPath ? `unix(${o.socketPath})` : `${o.host}:${o.port}`;
    const location = `schema \`${o.schema}\` on ${o.user ? `${o.user}@` : ''}${where}`;
    const pool = mysql.createPool({
      host: o.host, port: o.port, user: o.user, password: o.password, socketPath: o.socketPath, ssl: o.ssl,
      stream: o.socketPath ? undefined : verifiedIpStream(o.host, o.port, o.ssl),
      connectionLimit: 4, maxIdle: 2, idleTimeout: 60_000, enableKeepAlive: true, charset: 'utf8mb4',
      supportBigNumbers: true, bigNumberStrings: true, connectTimeout: o.connectTimeoutMs ?? 10_000,
      // Go forces allowAllFiles off for the checkpoint DSN: no LOAD DATA LOCAL on this connection
      flags: ['-LOCAL_FILES'],
    });
    // an error event of an idle pooled connection must not crash the process; the next statement reports it
    pool.on('connection', (c) => c.on('error', () => undefined));
    const my = new MysqlDriver(pool, o.retries ?? 8);
    const store = new MysqlCheckpointStore(location, my, o.schema);
    try {
      if (o.create === false) await store.mustExist();
      else for (const q of ddl(store.schema)) await my.run(q);
      return store;
    } catch (e) {
      await my.close();
      if (e instanceof CheckpointError) throw e;
      throw new CheckpointError(Codes.OpenCheckpoint, `cannot open the checkpoint ${location}: ${toLightningError(e).message}`, {}, e);
    }
  }

  private async mustExist(): Promise<void> {
    const { rows } = await this.my.select('SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?', [this.schemaName()]);
    const have = new Set(rows.map((r) => String(r.t)));
    const missing = CHECKPOINT_TABLES.filter((t) => !have.has(t));
    if (missing.length) {
      throw new CheckpointError(Codes.CheckpointNotFound, `checkpoint table(s) ${missing.join(', ')} not found in ${this.location}`);
    }
  }

  private schemaName(): string {
    return this.schema.slice(1, -1).replace(/``/g, '`');
  }

  protected t(name: CheckpointTable): string {
    return `${this.schema}.${name}`;
  }

  protected errorContext(): ErrorContext {
    return {};
  }

  /**
   * remove: DROP SCHEMA. rename: Go's `<schema>.<taskID>.bak` schema with the four tables moved into it (the
   * emptied schema is dropped when nothing else lives in it). origin: untouched.
   */
  async finish(keep: KeepAfterSuccess, taskId: bigint): Promise<void> {
    try {
      if (keep === 'remove') await this.op('remove after success', () => this.my.run(`DROP SCHEMA IF EXISTS ${this.schema}`));
      if (keep === 'rename') {
        const bak = quoteSchema(`${this.schemaName()}.${taskId}.bak`);
        await this.op('rename after success', async () => {
          await this.my.run(`CREATE SCHEMA IF NOT EXISTS ${bak} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
          await this.my.run(`RENAME TABLE ${CHECKPOINT_TABLES.map((t) => `${this.schema}.${t} TO ${bak}.${t}`).join(', ')}`);
          const { rows } = await this.my.select('SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?', [this.schemaName()]);
          if (Number(rows[0]?.n ?? 0) === 0) await this.my.run(`DROP SCHEMA IF EXISTS ${this.schema}`);
        });
      }
    } finally {
      await this.close();
    }
  }
}

export function openMysqlCheckpointStore(o: MysqlCheckpointOptions): Promise<MysqlCheckpointStore> {
  return MysqlCheckpointStore.open(o);
}
