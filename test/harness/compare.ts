// Exact comparison of table contents between two harness servers (or two tables on one server).
// Tables with a primary key are dumped by the real mariadb-dump ordered by the key (BLOBs as hex); tables
// without one by a SELECT of HEX() of every column ordered by the whole row, so the order is deterministic
// and byte-exact whatever the collation.
import { AssertionError } from 'node:assert';
import { execa } from 'execa';
import type { MariaDB } from './mariadb.js';
import { requireTool } from './sys.js';

const qi = (s: string): string => `\`${s.replace(/`/g, '``')}\``;

async function hasPrimaryKey(db: MariaDB, schema: string, table: string): Promise<boolean> {
  const rows = await db.query<Array<{ n: number }>>(
    "SELECT COUNT(*) AS n FROM information_schema.TABLE_CONSTRAINTS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND CONSTRAINT_TYPE = 'PRIMARY KEY'",
    [schema, table]);
  return Number(rows[0]?.n ?? 0) > 0;
}

async function columns(db: MariaDB, schema: string, table: string): Promise<string[]> {
  const rows = await db.query<Array<{ c: string }>>(
    'SELECT COLUMN_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION',
    [schema, table]);
  if (rows.length === 0) throw new Error(`harness: table ${schema}.${table} not found on 127.0.0.1:${db.port}`);
  return rows.map((r) => r.c);
}

/**
 * The rows of a table as text, one row per line, in a deterministic order; identical strings mean identical
 * rows (the table name is not part of the output, so differently named tables compare fine).
 */
export async function tableDump(db: MariaDB, schema: string, table: string): Promise<string> {
  const cols = await columns(db, schema, table);
  if (await hasPrimaryKey(db, schema, table)) {
    const args = ['--no-defaults', '--user=root', `--socket=${db.socket}`, '--order-by-primary', '--skip-extended-insert',
      '--no-create-info', '--skip-comments', '--skip-dump-date', '--hex-blob', '--single-transaction', '--skip-lock-tables',
      schema, table];
    const r = await execa(requireTool('mariadb-dump'), args, { reject: false, maxBuffer: 4 * 1024 ** 3, encoding: 'latin1' });
    if (r.exitCode !== 0) throw new Error(`harness: mariadb-dump ${schema}.${table} exited ${r.exitCode}: ${r.stderr}`);
    const prefix = `INSERT INTO ${qi(table)} VALUES `;
    return r.stdout.split('\n').filter((l) => l.startsWith(prefix)).map((l) => l.slice(prefix.length)).join('\n');
  }
  const hexed = cols.map((c) => `IFNULL(HEX(CONCAT(${qi(c)})), 'NULL')`);
  const rows = await db.query<Array<{ r: string }>>(
    `SELECT CONCAT('(', CONCAT_WS(',', ${hexed.join(', ')}), ')') AS r FROM ${qi(schema)}.${qi(table)} ORDER BY r`);
  return rows.map((x) => x.r).join('\n');
}

function rowCount(dump: string): number {
  return dump === '' ? 0 : dump.split('\n').length;
}

function cut(s: string | undefined): string {
  if (s === undefined) return '<no row>';
  return s.length > 300 ? `${s.slice(0, 300)}…` : s;
}

/** Throws an AssertionError naming the first differing row unless both tables hold exactly the same rows. */
export async function assertSameRows(dbA: MariaDB, schemaA: string, tableA: string, dbB: MariaDB, schemaB: string, tableB: string): Promise<void> {
  const [a, b] = await Promise.all([tableDump(dbA, schemaA, tableA), tableDump(dbB, schemaB, tableB)]);
  if (a === b) return;
  const la = a === '' ? [] : a.split('\n');
  const lb = b === '' ? [] : b.split('\n');
  let i = 0;
  while (i < la.length && i < lb.length && la[i] === lb[i]) i++;
  throw new AssertionError({
    message: `rows differ: ${schemaA}.${tableA}@${dbA.port} has ${rowCount(a)} rows, ${schemaB}.${tableB}@${dbB.port} has ${rowCount(b)}; ` +
      `first difference at row ${i + 1} (in dump order):\n  A: ${cut(la[i])}\n  B: ${cut(lb[i])}`,
    actual: cut(la[i]),
    expected: cut(lb[i]),
    operator: 'assertSameRows',
  });
}

/** Base tables of a schema, sorted. */
export async function listTables(db: MariaDB, schema: string): Promise<string[]> {
  const rows = await db.query<Array<{ t: string }>>(
    "SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME",
    [schema]);
  return rows.map((r) => r.t);
}

/** Same base tables (by name) with the same rows in two schemas. */
export async function assertSameDatabase(dbA: MariaDB, schemaA: string, dbB: MariaDB, schemaB: string): Promise<void> {
  const [ta, tb] = await Promise.all([listTables(dbA, schemaA), listTables(dbB, schemaB)]);
  if (ta.join('\n') !== tb.join('\n')) {
    throw new AssertionError({
      message: `tables differ: ${schemaA}@${dbA.port} [${ta.join(', ')}] vs ${schemaB}@${dbB.port} [${tb.join(', ')}]`,
      actual: ta, expected: tb, operator: 'assertSameDatabase',
    });
  }
  for (const t of ta) await assertSameRows(dbA, schemaA, t, dbB, schemaB, t);
}

/** `CHECKSUM TABLE` as a decimal string (exact for 64-bit values); throws when the table does not exist. */
export async function tableChecksum(db: MariaDB, schema: string, table: string): Promise<string> {
  const rows = await db.query<Array<{ Checksum: number | string | null }>>(`CHECKSUM TABLE ${qi(schema)}.${qi(table)}`);
  const c = rows[0]?.Checksum;
  if (c === null || c === undefined) throw new Error(`harness: CHECKSUM TABLE ${schema}.${table}: table not found on 127.0.0.1:${db.port}`);
  return String(c);
}
