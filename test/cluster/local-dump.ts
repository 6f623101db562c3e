// The dump the local backend's CLI tests import: three tables (a primary key, none, AUTO_INCREMENT + unique key)
// written by real mydumper from a private MariaDB in chunks of 700 rows, the CLI flags that point tidb-lightning
// at a simulated cluster, and the comparison of a routed copy in the cluster with MariaDB's rows.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import type { MariaDB } from '../harness/mariadb.js';
import { mydumper } from '../harness/mydumper.js';
import type { SimCluster } from './sim/index.js';

const TABLES: Record<string, string> = {
  pk: 'id INT PRIMARY KEY, k INT NOT NULL, c CHAR(20) NOT NULL, v VARCHAR(40), KEY k_1 (k)',
  nopk: 'a INT, b VARCHAR(20), d DECIMAL(12,3), dt DATETIME, bl BLOB, KEY ab (a, b)',
  auto: 'id BIGINT AUTO_INCREMENT PRIMARY KEY, s VARCHAR(10) NOT NULL, UNIQUE KEY us (s)',
};
export const TABLE_NAMES = Object.keys(TABLES);
const COLS: Record<string, string[]> = { pk: ['id', 'k', 'c', 'v'], nopk: ['a', 'b', 'd', 'dt', 'bl'], auto: ['id', 's'] };

/** Creates database `lc` in `src` and dumps it under `work`/dump; returns the dump directory. */
export async function createLocalDump(src: MariaDB, work: string): Promise<string> {
  await src.query('CREATE DATABASE lc');
  for (const [t, def] of Object.entries(TABLES)) await src.query(`CREATE TABLE lc.${t} (${def}) DEFAULT CHARSET utf8mb4`);
  const rows = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i)).join(',');
  await src.query(`INSERT INTO lc.pk VALUES ${rows(3000, (i) => `(${i + 1}, ${(i * 37) % 500}, 'c${i % 17}', ${i % 9 ? `'v${i}中'` : 'NULL'})`)}`);
  await src.query(`INSERT INTO lc.nopk VALUES ${rows(2000, (i) => `(${i % 100}, 'b${i % 7}', ${i}.${i % 1000}, '2020-01-02 03:04:${String(i % 60).padStart(2, '0')}', X'${(i % 256).toString(16).padStart(2, '0')}00ff')`)}`);
  await src.query(`INSERT INTO lc.auto (s) VALUES ${rows(500, (i) => `('s${i}')`)}`);
  return mydumper(src, { databases: ['lc'], outDir: join(work, 'dump'), rowsPerChunk: 700 });
}

/** tidb-lightning flags for the local backend against `sim`, engines under `sorted`. */
export function localFlags(sim: SimCluster, sorted: string): string[] {
  const [host, port] = sim.tidbAddr!.split(':');
  return ['--backend', 'local', '--sorted-kv-dir', sorted, '--pd-urls', sim.pdAddr, '--tidb-host', host!, '--tidb-port', port!,
    '--tidb-status', sim.statusAddr!.split(':')[1]!, '--tidb-user', 'root'];
}

/** Rows of a table as text lines in a stable order, from either server. */
async function rowsOf(conn: mysql.Connection, table: string, cols: string[]): Promise<string[]> {
  const [rows] = await conn.query({ sql: `SELECT ${cols.join(', ')} FROM ${table}`, rowsAsArray: true }) as unknown as [unknown[][]];
  const txt = (v: unknown) => (v === null ? 'NULL' : Buffer.isBuffer(v) ? v.toString('hex') : String(v));
  return rows.map((r) => r.map(txt).join('|')).sort();
}

/** Every table of `lc` in MariaDB equals `schema` (default lc) in the simulated cluster, row for row. */
export async function assertSameAsSource(src: MariaDB, sim: SimCluster, schema = 'lc'): Promise<void> {
  const [host, port] = sim.tidbAddr!.split(':');
  const o = { user: 'root', dateStrings: true, supportBigNumbers: true, bigNumberStrings: true };
  const a = await mysql.createConnection({ host: '127.0.0.1', port: src.port, ...o });
  const b = await mysql.createConnection({ host, port: Number(port), ...o });
  try {
    for (const [t, cols] of Object.entries(COLS)) {
      const [x, y] = [await rowsOf(a, `lc.${t}`, cols), await rowsOf(b, `${schema}.${t}`, cols)];
      assert.equal(y.length, x.length, `${schema}.${t}: ${y.length} rows in the cluster, ${x.length} in MariaDB`);
      assert.deepEqual(y, x, `${schema}.${t} rows differ`);
    }
  } finally {
    await a.end();
    await b.end();
  }
}
