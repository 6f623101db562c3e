// Per-chunk progress kept IN THE TARGET, updated in the same transaction as each batch of rows: after a crash
// the target itself says which rows are in (tables without a primary key included). Keyed by task id so a new
// task (checkpoints removed) never mistakes an old run's rows for its own.
import type { ChunkCommit, ChunkRef } from '../backend.js';
import type { Conn } from './conn.js';
import { quoteIdent, sqlString } from './values.js';

export const PROGRESS_TABLE = 'chunk_progress_v2';

export function progressTable(schema: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(PROGRESS_TABLE)}`;
}

export function progressDdl(schema: string): string[] {
  return [
    `CREATE DATABASE IF NOT EXISTS ${quoteIdent(schema)}`,
    `CREATE TABLE IF NOT EXISTS ${progressTable(schema)} (
      task_id BIGINT UNSIGNED NOT NULL, table_name VARBINARY(261) NOT NULL, engine_id INT NOT NULL,
      path VARBINARY(2048) NOT NULL, \`offset\` BIGINT NOT NULL, pos BIGINT NOT NULL, prev_rowid_max BIGINT NOT NULL,
      row_count BIGINT NOT NULL, skipped BIGINT NOT NULL DEFAULT 0, checksum BIGINT UNSIGNED NOT NULL, unverifiable VARBINARY(1024) NOT NULL,
      columns_json MEDIUMBLOB NULL, update_time TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
      PRIMARY KEY (task_id, table_name, engine_id, path(512), \`offset\`)) ENGINE=InnoDB`,
  ];
}

function where(taskId: bigint, c: ChunkRef): string {
  return `task_id = ${taskId} AND table_name = ${sqlString(c.tableName)} AND engine_id = ${c.engineId} AND path = ${sqlString(c.path)} AND \`offset\` = ${c.offset}`;
}

function setList(p: ChunkCommit): string {
  return `pos = ${p.pos}, prev_rowid_max = ${p.prevRowIdMax}, row_count = ${p.rows}, skipped = ${p.skipped}, checksum = ${p.checksum}, ` +
    `unverifiable = ${sqlString(p.unverifiable.slice(0, 250))}, columns_json = ${p.columns === null ? 'NULL' : sqlString(JSON.stringify(p.columns))}`;
}

/** Create the row at the chunk's resume point if it does not exist yet (autocommit). */
export function ensureSql(schema: string, taskId: bigint, c: ChunkRef, p: ChunkCommit): string {
  return `INSERT IGNORE INTO ${progressTable(schema)} (task_id, table_name, engine_id, path, \`offset\`, pos, prev_rowid_max, row_count, ` +
    `skipped, checksum, unverifiable, columns_json) VALUES (${taskId}, ${sqlString(c.tableName)}, ${c.engineId}, ${sqlString(c.path)}, ${c.offset}, ` +
    `${p.pos}, ${p.prevRowIdMax}, ${p.rows}, ${p.skipped}, ${p.checksum}, ${sqlString(p.unverifiable.slice(0, 250))}, ${p.columns === null ? 'NULL' : sqlString(JSON.stringify(p.columns))})`;
}

/** Advance from `from.pos` to `to`: affects 0 rows unless the stored pos is still `from.pos` (ordering guard). */
export function advanceSql(schema: string, taskId: bigint, c: ChunkRef, from: ChunkCommit, to: ChunkCommit): string {
  return `UPDATE ${progressTable(schema)} SET ${setList(to)} WHERE ${where(taskId, c)} AND pos = ${from.pos}`;
}

const str = (v: unknown): string => (Buffer.isBuffer(v) ? v.toString('utf8') : v === null || v === undefined ? '' : String(v));

export async function readProgress(conn: Conn, schema: string, taskId: bigint, c: ChunkRef): Promise<ChunkCommit | undefined> {
  let rows: Array<Record<string, unknown>>;
  try {
    [rows] = await conn.query(`SELECT pos, prev_rowid_max, row_count, skipped, checksum, unverifiable, columns_json FROM ${progressTable(schema)} WHERE ${where(taskId, c)}`) as unknown as [Array<Record<string, unknown>>];
  } catch (e) {
    if ((e as { errno?: number }).errno === 1146 || (e as { errno?: number }).errno === 1049) return undefined; // no table/db yet
    throw e;
  }
  const r = rows[0];
  if (!r) return undefined;
  const cols = r.columns_json === null ? null : (JSON.parse(str(r.columns_json)) as string[]);
  return { pos: Number(str(r.pos)), prevRowIdMax: Number(str(r.prev_rowid_max)), rows: Number(str(r.row_count)),
    skipped: Number(str(r.skipped)), checksum: BigInt(str(r.checksum)), unverifiable: str(r.unverifiable), columns: cols };
}

export function deleteTableSql(schema: string, taskId: bigint, tableName: string): string {
  return `DELETE FROM ${progressTable(schema)} WHERE task_id = ${taskId} AND table_name = ${sqlString(tableName)}`;
}

/** Committed totals of a table (all chunks) as the target records them. */
export async function tableTotals(conn: Conn, schema: string, taskId: bigint, tableName: string): Promise<{ rows: number; skipped: number; checksum: bigint; unverifiable: string }> {
  const [rows] = await conn.query(`SELECT row_count, skipped, checksum, unverifiable FROM ${progressTable(schema)} WHERE task_id = ${taskId} AND table_name = ${sqlString(tableName)}`) as unknown as [Array<Record<string, unknown>>];
  let n = 0;
  let skipped = 0;
  let sum = 0n;
  let why = '';
  for (const r of rows) {
    n += Number(str(r.row_count));
    skipped += Number(str(r.skipped));
    sum = (sum + BigInt(str(r.checksum))) % (1n << 64n);
    why ||= str(r.unverifiable);
  }
  return { rows: n, skipped, checksum: sum, unverifiable: why };
}
