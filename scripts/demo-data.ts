// The demo dump: the seed example `cloud.test_tbl` (3 rows) plus a sysbench table `sbtest.sbtest1`, made in a
// (source) MariaDB, dumped with the real mydumper, then dropped from the source so an import into the same
// server starts clean.
import { existsSync, readdirSync } from 'node:fs';
// A script (not src/): it drives the test harness on purpose.
import type { MariaDB } from '../test/harness/mariadb.js';
import { mydumper, sysbenchPrepare } from '../test/harness/mydumper.js';

export interface DemoDump {
  dir: string;
  tables: Array<{ schema: string; table: string; rows: number }>;
}

/** `outDir` must be missing or empty. Returns the dump dir and each table with its row count. */
export async function buildDemoDump(db: MariaDB, outDir: string, opts: { sysbenchRows?: number } = {}): Promise<DemoDump> {
  const sysbenchRows = opts.sysbenchRows ?? 100_000;
  await db.query('DROP DATABASE IF EXISTS cloud; DROP DATABASE IF EXISTS sbtest');
  await db.query(`CREATE DATABASE cloud;
    CREATE TABLE cloud.test_tbl (id INT PRIMARY KEY, title VARCHAR(64), author VARCHAR(64), date DATE);
    INSERT INTO cloud.test_tbl VALUES (1,'K8s','shonge','2020-03-07'), (2,'operator','shonge','2020-03-07'),
      (3,'kubernetes','shonge','2020-03-07');`);
  await sysbenchPrepare(db, { database: 'sbtest', tableSize: sysbenchRows, tables: 1 });

  const tables: DemoDump['tables'] = [];
  for (const [schema, table] of [['cloud', 'test_tbl'], ['sbtest', 'sbtest1']] as const) {
    const rows = await db.query<Array<{ n: number }>>(`SELECT COUNT(*) AS n FROM \`${schema}\`.\`${table}\``);
    tables.push({ schema, table, rows: Number(rows[0]?.n ?? 0) });
  }

  if (existsSync(outDir) && readdirSync(outDir).length > 0) throw new Error(`buildDemoDump: ${outDir} is not empty`);
  await mydumper(db, { databases: ['cloud', 'sbtest'], outDir, rowsPerChunk: 100_000, threads: 2 });
  await db.query('DROP DATABASE cloud; DROP DATABASE sbtest');
  return { dir: outDir, tables };
}
