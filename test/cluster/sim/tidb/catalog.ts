// The simulated TiDB's schema: databases and tables with ids from one global allocator (as TiDB's meta does:
// database, table and partition ids share it), TableInfo built offline from the CREATE TABLE text by
// src/encode/schema, the auto-id allocator base per table, and the mysql.tidb rows (GC life time & co).
import { buildTableInfo } from '../../../../src/encode/schema/create-table.js';
import type { TableInfo } from '../../../../src/encode/schema/model.js';
import { Flag } from '../../../../src/encode/types.js';
import { SqlError } from './lexer.js';

export interface SimDatabase { id: number; name: string; charset: string; collate: string; tables: Map<string, SimTable> }

export interface SimTable {
  db: SimDatabase;
  info: TableInfo;
  /** the statement as received (SHOW CREATE TABLE echoes it with the current AUTO_INCREMENT) */
  createSql: string;
  /** the next value the shared auto-increment / _tidb_rowid allocator hands out */
  autoIdNext: bigint;
  autoRandomBase: bigint;
  /** AUTO_INCREMENT=N of CREATE TABLE or the last ALTER (TableInfo.auto_inc_id) */
  autoIncId: bigint;
  analyzeCount: number;
  createTime: Date;
  updateTimestamp: bigint;
}

export const SYSTEM_DBS = ['INFORMATION_SCHEMA', 'METRICS_SCHEMA', 'PERFORMANCE_SCHEMA', 'mysql'];

const MAX_INT64 = (1n << 63n) - 1n;

export class Catalog {
  readonly dbs = new Map<string, SimDatabase>();
  /** mysql.tidb: VARIABLE_NAME → [VARIABLE_VALUE, COMMENT] */
  readonly tidbRows = new Map<string, [string, string]>([
    ['bootstrapped', ['True', 'Bootstrap flag. Do not delete.']],
    ['tidb_server_version', ['218', 'Bootstrap version. Do not delete.']],
    ['system_tz', ['UTC', 'TiDB Global System Timezone.']],
    ['new_collation_enabled', ['True', 'If the new collations are enabled. Do not edit it.']],
    ['tikv_gc_leader_uuid', ['63a5e2a3c0c0005', 'Current GC worker leader UUID. (DO NOT EDIT)']],
    ['tikv_gc_leader_desc', ['host:sim, pid:1, start at 2024-01-01 00:00:00', 'Host name and pid of current GC leader. (DO NOT EDIT)']],
    ['tikv_gc_enable', ['true', 'Current GC enable status']],
    ['tikv_gc_run_interval', ['10m0s', 'GC run interval, at least 10m, in Go format.']],
    ['tikv_gc_life_time', ['10m0s', 'All versions within life time will not be collected by GC, at least 10m, in Go format.']],
    ['tikv_gc_auto_concurrency', ['true', 'Let TiDB pick the concurrency automatically. If set false, tikv_gc_concurrency will be used']],
    ['tikv_gc_scan_lock_mode', ['legacy', 'Mode of scanning locks, "physical" or "legacy"']],
    ['tikv_gc_mode', ['distributed', 'Mode of GC, "central" or "distributed"']],
  ]);
  private nextId = 100;
  private schemaVersion = 1;

  constructor() {
    this.dbs.set('test', { id: 2, name: 'test', charset: 'utf8mb4', collate: 'utf8mb4_bin', tables: new Map() });
  }

  get version(): number { return this.schemaVersion; }

  database(name: string): SimDatabase {
    const d = this.dbs.get(name.toLowerCase());
    if (!d) throw new SqlError(1049, `Unknown database '${name}'`, '42000');
    return d;
  }

  createDatabase(name: string, ifNotExists: boolean, charset = 'utf8mb4', collate?: string): void {
    if (SYSTEM_DBS.some((s) => s.toLowerCase() === name.toLowerCase()) || this.dbs.has(name.toLowerCase())) {
      if (ifNotExists) return;
      throw new SqlError(1007, `Can't create database '${name}'; database exists`);
    }
    this.dbs.set(name.toLowerCase(), { id: this.nextId++, name, charset, collate: collate ?? (charset === 'utf8mb4' ? 'utf8mb4_bin' : `${charset}_bin`), tables: new Map() });
    this.schemaVersion++;
  }

  dropDatabase(name: string, ifExists: boolean): void {
    if (!this.dbs.delete(name.toLowerCase())) {
      if (ifExists) return;
      throw new SqlError(1008, `Can't drop database '${name}'; database doesn't exist`);
    }
    this.schemaVersion++;
  }

  table(db: string, name: string): SimTable {
    const t = this.database(db).tables.get(name.toLowerCase());
    if (!t) throw new SqlError(1146, `Table '${db}.${name}' doesn't exist`, '42S02');
    return t;
  }

  /** CREATE TABLE: ids from the global allocator (table first, then its partitions), TableInfo from the text. */
  createTable(dbName: string, sql: string, ifNotExists: boolean): SimTable | undefined {
    const db = this.database(dbName);
    const id = this.nextId;
    let info: TableInfo;
    try {
      info = buildTableInfo(sql, { tableID: id });
    } catch (e) {
      throw new SqlError(1064, e instanceof Error ? e.message : String(e), '42000');
    }
    if (db.tables.has(info.name.L)) {
      if (ifNotExists) return undefined;
      throw new SqlError(1050, `Table '${info.name.O}' already exists`, '42S01');
    }
    this.nextId += 1 + (info.partition?.definitions.length ?? 0);
    const randomBits = /\bAUTO_RANDOM\s*(\(\s*(\d+))?/i.exec(sql);
    if (randomBits) info.auto_random_bits = Number(randomBits[2] ?? 5);
    const autoInc = /\)\s*[^()]*\bAUTO_INCREMENT\s*=?\s*(\d+)/i.exec(sql);
    const t: SimTable = {
      db, info, createSql: sql.trim().replace(/;\s*$/, ''), autoIdNext: autoInc ? BigInt(autoInc[1]!) : 1n, autoRandomBase: 1n,
      autoIncId: autoInc ? BigInt(autoInc[1]!) : 0n, analyzeCount: 0, createTime: new Date(), updateTimestamp: 0n,
    };
    db.tables.set(info.name.L, t);
    this.schemaVersion++;
    return t;
  }

  dropTable(db: string, name: string, ifExists: boolean): void {
    const d = this.database(db);
    if (!d.tables.delete(name.toLowerCase())) {
      if (ifExists) return;
      throw new SqlError(1051, `Unknown table '${db}.${name}'`, '42S02');
    }
    this.schemaVersion++;
  }

  /** TRUNCATE: a new table id (the old data stays under the old id, invisible) */
  truncateTable(db: string, name: string): void {
    const t = this.table(db, name);
    const id = this.nextId;
    this.nextId += 1 + (t.info.partition?.definitions.length ?? 0);
    t.info = { ...t.info, id, partition: t.info.partition && { ...t.info.partition, definitions: t.info.partition.definitions.map((d, i) => ({ ...d, id: id + i + 1 })) } };
    t.autoIdNext = 1n;
    this.schemaVersion++;
  }

  /** ALTER TABLE … [FORCE] AUTO_INCREMENT = n: never moves the allocator backwards unless FORCE (clamped to MaxInt64) */
  rebaseAutoId(t: SimTable, n: bigint, force: boolean): void {
    const v = n > MAX_INT64 ? MAX_INT64 : n;
    if (force || v > t.autoIdNext) t.autoIdNext = v;
    t.autoIncId = t.autoIdNext;
    this.schemaVersion++;
  }

  rebaseAutoRandom(t: SimTable, n: bigint): void {
    if (n > t.autoRandomBase) t.autoRandomBase = n;
    this.schemaVersion++;
  }

  /** the auto-increment column, if any */
  autoIncColumn(t: SimTable): string | undefined {
    return t.info.cols.find((c) => (c.type.Flag & Flag.AutoIncrement) !== 0)?.name.O;
  }

  gcLifeTime(): string { return this.tidbRows.get('tikv_gc_life_time')![0]; }
}
