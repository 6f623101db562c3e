// The target database as the orchestrator sees it, whatever the backend: schema DDL, the table checks of the
// prechecks, and the post-restore statements (ANALYZE, AUTO_INCREMENT rebase). A small pool of its own, so DDL
// and post-restore never wait behind the backend's data connections.
import { readFileSync } from 'node:fs';
import { DatabaseError, Codes, ConfigError } from '../errors.js';
import { ConnPool, isTransient, backoffMs, type TidbConnOptions, type Conn } from '../backend/tidb/conn.js';
import { fetchColumns, type ColumnInfo } from '../backend/tidb/columns.js';
import { quoteIdent, tableKey } from '../backend/tidb/values.js';
import type { TableRef } from '../backend/backend.js';
import type { Config } from '../config/types.js';
import { setTimeout as sleep } from 'node:timers/promises';

type Rows = Array<Record<string, unknown>>;
const str = (v: unknown): string => (Buffer.isBuffer(v) ? v.toString('utf8') : v === null || v === undefined ? '' : String(v));

/**
 * TLS for MySQL connections, Go's `[tidb] tls` over `[tidb.security]` (a copy of `[security]` unless set):
 * "" = TLS as soon as a CA or client certificate is configured, verifying the server's certificate against the
 * CA and its name against `tidb.host` (DNS or IP SAN); "cluster" = the same, CA required; "skip-verify" and
 * "preferred" = TLS without verification (mysql2 cannot fall back to plain text, so "preferred" needs a server
 * with TLS); "false" = plain. The client certificate and key go together.
 */
export function tlsOptions(cfg: Config): TidbConnOptions['ssl'] {
  const t = cfg.tidb;
  const sec = t.security;
  if (t.tls === 'false') return undefined;
  const noVerify = t.tls === 'skip-verify' || t.tls === 'preferred';
  if (!noVerify && !sec.caPath && !sec.certPath && !sec.keyPath) return undefined;
  if (!!sec.certPath !== !!sec.keyPath) {
    throw new ConfigError('tidb.security.cert-path and tidb.security.key-path must be set together (the client certificate and its key)',
      { key: sec.certPath ? 'tidb.security.key-path' : 'tidb.security.cert-path' }, undefined, Codes.InvalidTLSConfig);
  }
  const read = (p: string, key: string): Buffer => {
    try {
      return readFileSync(p);
    } catch (e) {
      throw new ConfigError(`cannot read ${key} '${p}': ${(e as Error).message}`, { key }, e, Codes.InvalidTLSConfig);
    }
  };
  return {
    ...(sec.caPath ? { ca: read(sec.caPath, 'tidb.security.ca-path') } : {}),
    ...(sec.certPath ? { cert: read(sec.certPath, 'tidb.security.cert-path') } : {}),
    ...(sec.keyPath ? { key: read(sec.keyPath, 'tidb.security.key-path') } : {}),
    rejectUnauthorized: !noVerify,
    // mysql2 checks the name only when asked; Go's TLS config sets ServerName = tidb.host
    verifyIdentity: !noVerify,
  };
}

/** mysql2 options from `[tidb]` (host, port, user, password, sql-mode, session vars, TLS from `[tidb.security]`). */
export function connOptions(cfg: Config, connections: number): TidbConnOptions {
  const t = cfg.tidb;
  return {
    host: t.host, port: t.port, user: t.user, password: t.password,
    sqlMode: t.sqlMode === '' ? undefined : t.sqlMode,
    sessionVars: { ...t.sessionVars },
    connections, ssl: tlsOptions(cfg),
  };
}

export class TargetDb {
  readonly pool: ConnPool;

  constructor(opts: TidbConnOptions) {
    this.pool = new ConnPool({ ...opts, connections: 2 });
  }

  /** Run with retries of transient errors (DDL is idempotent here: IF NOT EXISTS everywhere). */
  async withConn<T>(f: (c: Conn) => Promise<T>, retries = 5): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.pool.withConn(f);
      } catch (e) {
        if (!isTransient(e) || attempt >= retries) throw e;
        await sleep(backoffMs(attempt));
      }
    }
  }

  async query(sql: string, what: string, ctx: Record<string, string | number> = {}): Promise<Rows> {
    try {
      return await this.withConn(async (c) => ((await c.query(sql)) as unknown as [Rows])[0]);
    } catch (e) {
      throw new DatabaseError(`${what} failed: ${(e as Error).message}`, { cause: e, context: ctx, retryable: isTransient(e) });
    }
  }

  /** Statements on one connection, in order (schema files: `USE db`, SET …, CREATE …). */
  async execAll(stmts: string[], what: string, ctx: Record<string, string | number> = {}): Promise<void> {
    try {
      await this.withConn(async (c) => { for (const s of stmts) await c.query(s); });
    } catch (e) {
      throw new DatabaseError(`${what} failed: ${(e as Error).message}`, { cause: e, context: ctx, code: Codes.CreateSchema, retryable: isTransient(e) });
    }
  }

  async version(): Promise<string> {
    const r = await this.query('SELECT VERSION() AS v', 'reading the target version');
    return str(r[0]?.v);
  }

  async columns(t: TableRef): Promise<ColumnInfo[]> {
    try {
      return await this.withConn((c) => fetchColumns(c, t.schema, t.table));
    } catch (e) {
      throw new DatabaseError(`reading the columns of ${tableKey(t.schema, t.table)} failed: ${(e as Error).message}`, { cause: e });
    }
  }

  async tableExists(t: TableRef): Promise<boolean> {
    const r = await this.query(`SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ${hexStr(t.schema)} AND TABLE_NAME = ${hexStr(t.table)}`,
      'looking up a table', { table: tableKey(t.schema, t.table) });
    return Number(str(r[0]?.n)) > 0;
  }

  async isEmpty(t: TableRef): Promise<boolean> {
    const r = await this.query(`SELECT 1 AS x FROM ${quoteIdent(t.schema)}.${quoteIdent(t.table)} LIMIT 1`, 'checking that the table is empty',
      { table: tableKey(t.schema, t.table) });
    return r.length === 0;
  }

  /** Index names of a table (as UTF-8 text). */
  async indexNames(t: TableRef): Promise<Set<string>> {
    const r = await this.query(`SELECT DISTINCT INDEX_NAME AS n FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ${hexStr(t.schema)} AND TABLE_NAME = ${hexStr(t.table)}`,
      'reading the indexes', { table: tableKey(t.schema, t.table) });
    return new Set(r.map((x) => str(x.n).toLowerCase()));
  }

  /**
   * `ALTER TABLE … ADD <definition>, …` (definitions in wire form). An index that exists already (an ALTER of a
   * killed run that the server finished) is fine: on ER_DUP_KEYNAME the indexes are added one by one.
   */
  async addIndexes(t: TableRef, definitions: string[]): Promise<void> {
    if (!definitions.length) return;
    const alter = (defs: string[]) => this.query(`ALTER TABLE ${quoteIdent(t.schema)}.${quoteIdent(t.table)} ${defs.map((d) => `ADD ${d}`).join(', ')}`,
      'adding the secondary indexes', { table: tableKey(t.schema, t.table) });
    const dupName = (e: unknown) => (e as { cause?: { errno?: number } }).cause?.errno === 1061;
    try {
      await alter(definitions);
    } catch (e) {
      if (!dupName(e)) throw e;
      for (const d of definitions) await alter([d]).catch((x: unknown) => { if (!dupName(x)) throw x; });
    }
  }

  /**
   * `<task-info-schema>.table_done_v1`: one row per table a task finished (with its source files' hash). A rerun
   * after the checkpoint is gone (keep-after-success = remove, or a kill just after it was removed) finds the table
   * finished instead of refusing it as not empty.
   */
  async markDone(schema: string, table: string, hash: string, taskId: bigint, rows: number): Promise<void> {
    const t = `${quoteIdent(schema)}.\`table_done_v1\``;
    await this.query(`CREATE DATABASE IF NOT EXISTS ${quoteIdent(schema)}`, 'creating the task info schema');
    await this.query(`CREATE TABLE IF NOT EXISTS ${t} (table_name VARBINARY(261) NOT NULL PRIMARY KEY, source_hash VARBINARY(64) NOT NULL,
      task_id BIGINT UNSIGNED NOT NULL, row_count BIGINT NOT NULL, finished_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP) ENGINE=InnoDB`, 'creating table_done_v1');
    await this.query(`REPLACE INTO ${t} (table_name, source_hash, task_id, row_count) VALUES (${hexStr(table)}, ${hexStr(hash)}, ${taskId}, ${rows})`,
      'recording a finished table', { table });
  }

  async doneBy(schema: string, table: string): Promise<{ hash: string; taskId: bigint } | undefined> {
    let r: Rows;
    try {
      r = await this.withConn(async (c) => ((await c.query(`SELECT source_hash h, task_id t FROM ${quoteIdent(schema)}.\`table_done_v1\` WHERE table_name = ${hexStr(table)}`)) as unknown as [Rows])[0]);
    } catch (e) {
      if ([1146, 1049].includes((e as { errno?: number }).errno ?? 0)) return undefined;
      throw new DatabaseError(`reading table_done_v1 failed: ${(e as Error).message}`, { cause: e });
    }
    return r[0] ? { hash: str(r[0].h), taskId: BigInt(str(r[0].t)) } : undefined;
  }

  async analyze(t: TableRef): Promise<void> {
    const r = await this.query(`ANALYZE TABLE ${quoteIdent(t.schema)}.${quoteIdent(t.table)}`, 'ANALYZE TABLE', { table: tableKey(t.schema, t.table) });
    const bad = r.find((x) => str(x.Msg_type).toLowerCase() === 'error');
    if (bad) throw new DatabaseError(`ANALYZE TABLE failed: ${str(bad.Msg_text)}`, { context: { table: tableKey(t.schema, t.table) } });
  }

  /**
   * Make the next AUTO_INCREMENT value larger than every imported one. MySQL/MariaDB already move it on explicit
   * inserts; this covers targets that do not (and TiDB, whose allocator Lightning must rebase). Returns the new
   * base, or undefined when the table has no AUTO_INCREMENT column or nothing to do.
   */
  async rebaseAutoIncrement(t: TableRef, cols: ColumnInfo[], minNext?: number): Promise<number | undefined> {
    const col = cols.find((c) => c.autoIncrement);
    if (!col && minNext === undefined) return undefined;
    const ctx = { table: tableKey(t.schema, t.table) };
    let next = BigInt(minNext ?? 0);
    if (col) {
      const [mx] = await this.query(`SELECT MAX(${quoteIdent(col.name)}) AS m FROM ${quoteIdent(t.schema)}.${quoteIdent(t.table)}`, 'reading the AUTO_INCREMENT maximum', ctx);
      const max = str(mx?.m);
      if (/^-?\d+$/.test(max) && BigInt(max) + 1n > next) next = BigInt(max) + 1n;
    }
    if (next <= 0n) return undefined;
    const [ai] = await this.query(`SELECT AUTO_INCREMENT AS a FROM information_schema.TABLES WHERE TABLE_SCHEMA = ${hexStr(t.schema)} AND TABLE_NAME = ${hexStr(t.table)}`,
      'reading AUTO_INCREMENT', ctx);
    const cur = str(ai?.a);
    if (cur !== '' && BigInt(cur) >= next) return undefined;
    await this.query(`ALTER TABLE ${quoteIdent(t.schema)}.${quoteIdent(t.table)} AUTO_INCREMENT = ${next}`, 'rebasing AUTO_INCREMENT', ctx);
    return Number(next);
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}

/** A string literal for information_schema lookups that is byte-exact whatever the connection charset. */
export function hexStr(s: string): string {
  return s === '' ? "''" : `X'${Buffer.from(s, 'utf8').toString('hex')}'`;
}
