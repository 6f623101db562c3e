// The real mydumper / myloader / sysbench against a harness MariaDB; file layout of mydumper 0.10.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { startMariaDB, type MariaDB } from '../../harness/mariadb.js';
import { ensureToolsInstalled, mydumper, myloader, sysbenchPrepare } from '../../harness/mydumper.js';
import { assertSameRows, tableChecksum } from '../../harness/compare.js';
import { buildDemoDump } from '../../../scripts/demo-data.js';

describe('harness: mydumper, myloader, sysbench', () => {
  let db: MariaDB;
  let work: string;
  before(async () => {
    await ensureToolsInstalled(['mydumper', 'sysbench']);
    db = await startMariaDB();
    work = mkdtempSync(join(tmpdir(), 'lightning-ts-harness-'));
    await db.query(`CREATE DATABASE d1;
      CREATE TABLE d1.t (id INT PRIMARY KEY, s VARCHAR(20), b BLOB);
      INSERT INTO d1.t SELECT seq, CONCAT('row ', seq), UNHEX(LPAD(HEX(seq), 6, '0')) FROM d1.seq_1_to_250;
      CREATE TABLE d1.empty (id INT PRIMARY KEY);`);
  });
  after(async () => {
    await db?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const ls = (dir: string): string[] => readdirSync(dir).sort();

  it('writes metadata, schema and one data file per table', async () => {
    const dir = await mydumper(db, { databases: ['d1'], outDir: join(work, 'plain') });
    assert.deepEqual(ls(dir), ['d1-schema-create.sql', 'd1.empty-schema.sql', 'd1.t-schema.sql', 'd1.t.sql', 'metadata']);
    assert.match(readFileSync(join(dir, 'metadata'), 'utf8'), /Started dump at/);
    assert.match(readFileSync(join(dir, 'd1-schema-create.sql'), 'utf8'), /CREATE DATABASE `d1`/);
    assert.match(readFileSync(join(dir, 'd1.t-schema.sql'), 'utf8'), /CREATE TABLE `t`/);
    const data = readFileSync(join(dir, 'd1.t.sql'), 'latin1');
    assert.match(data, /INSERT INTO `t` VALUES/);
    assert.equal(data.match(/^\(\d+,/gm)?.length, 250);
  });

  it('-r splits into numbered chunks, -c gzips every file but metadata, tables filters', async () => {
    const chunked = await mydumper(db, { databases: ['d1'], tables: ['t'], outDir: join(work, 'chunked'), rowsPerChunk: 100 });
    const files = ls(chunked);
    // mydumper sizes chunks from the optimizer's row estimate, so 250 rows at -r 100 give 2 or 3 chunks
    const chunks = files.filter((f) => f.startsWith('d1.t.'));
    assert.ok(chunks.length >= 2 && chunks.every((f, i) => f === `d1.t.${String(i).padStart(5, '0')}.sql`), chunks.join(' '));
    const rows = chunks.map((f) => readFileSync(join(chunked, f), 'latin1').match(/^\(\d+,/gm)?.length ?? 0);
    assert.equal(rows.reduce((a, b) => a + b, 0), 250);
    assert.ok(files.includes('d1.t-schema.sql') && files.includes('metadata'), files.join(' '));
    assert.equal(files.some((f) => f.startsWith('d1.empty')), false);
    const gz = await mydumper(db, { databases: ['d1'], outDir: join(work, 'gz'), compress: true });
    assert.deepEqual(ls(gz), ['d1-schema-create.sql.gz', 'd1.empty-schema.sql.gz', 'd1.t-schema.sql.gz', 'd1.t.sql.gz', 'metadata']);
    const text = gunzipSync(readFileSync(join(gz, 'd1.t.sql.gz'))).toString('latin1');
    assert.equal(text.match(/^\(\d+,/gm)?.length, 250);
  });

  it('dumps several databases at once and myloader restores them exactly', async () => {
    await db.query('CREATE DATABASE d2; CREATE TABLE d2.u (k VARCHAR(10), v DOUBLE); INSERT INTO d2.u VALUES ("x", 1.5), ("x", 1.5), (NULL, -0.25)');
    const dir = await mydumper(db, { databases: ['d1', 'd2'], outDir: join(work, 'multi'), threads: 2 });
    const files = ls(dir);
    assert.ok(files.includes('d1.t.sql') && files.includes('d2.u.sql') && files.includes('d2-schema-create.sql'), files.join(' '));
    assert.equal(files.some((f) => f.startsWith('mysql') || f.startsWith('sys')), false);
    const ms = await myloader(db, { dir: join(work, 'plain'), database: 'restored', threads: 2, overwrite: true });
    assert.ok(ms > 0 && ms < 60_000);
    await assertSameRows(db, 'd1', 't', db, 'restored', 't');
    assert.equal(await tableChecksum(db, 'restored', 't'), await tableChecksum(db, 'd1', 't'));
    await myloader(db, { dir: join(work, 'plain'), database: 'restored', threads: 2, overwrite: true }); // -o: rerun is fine
    await assert.rejects(myloader(db, { dir: join(work, 'plain'), database: 'restored', threads: 1, overwrite: false }), /myloader/);
  });

  it('sysbenchPrepare makes N rows per table', async () => {
    await sysbenchPrepare(db, { database: 'sb', tableSize: 1234, tables: 2 });
    const rows = await db.query<Array<{ a: number; b: number }>>('SELECT (SELECT COUNT(*) FROM sb.sbtest1) AS a, (SELECT COUNT(*) FROM sb.sbtest2) AS b');
    assert.deepEqual(rows[0], { a: 1234, b: 1234 });
  });

  it('buildDemoDump dumps cloud.test_tbl and sbtest.sbtest1, then drops them from the source', async () => {
    const dump = await buildDemoDump(db, join(work, 'demo'), { sysbenchRows: 2500 });
    assert.deepEqual(dump.tables, [{ schema: 'cloud', table: 'test_tbl', rows: 3 }, { schema: 'sbtest', table: 'sbtest1', rows: 2500 }]);
    const files = ls(dump.dir);
    for (const f of ['metadata', 'cloud-schema-create.sql', 'cloud.test_tbl-schema.sql', 'cloud.test_tbl.sql',
      'sbtest-schema-create.sql', 'sbtest.sbtest1-schema.sql', 'sbtest.sbtest1.sql']) assert.ok(files.includes(f), `${f} in ${files.join(' ')}`);
    assert.match(readFileSync(join(dump.dir, 'cloud.test_tbl.sql'), 'utf8'), /\(1,"K8s","shonge","2020-03-07"\)/);
    const dbs = await db.query<Array<{ n: number }>>("SELECT COUNT(*) AS n FROM information_schema.SCHEMATA WHERE SCHEMA_NAME IN ('cloud', 'sbtest')");
    assert.equal(dbs[0]!.n, 0);
    await assert.rejects(buildDemoDump(db, join(work, 'demo')), /not empty/);
  });
});
