// The manual repair flow an operator follows (seed 001: `kubectl exec … tidb-lightning-ctl`), through the built
// CLIs against a private MariaDB: a failed import → the rerun refuses and names the ctl command → the ctl command
// → rerun → the target holds exactly the source rows. Bad data and a target error are destroyed and imported
// again; a failure in ANALYZE is ignored and continued. Checkpoints in the SQLite file and in MySQL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import mysql from 'mysql2/promise';
import { startMariaDB, type MariaDB } from '../../harness/mariadb.js';
import { assertSameDatabase } from '../../harness/compare.js';
import { loadDumpInto, writeMydumperDir, type DumpTable } from '../../harness/dump-files.js';
import { runCtl, runLightning, startLightning, targetFlags, writeToml } from '../../harness/lightning.js';
import { PROGRESS_TABLE, progressDdl } from '../../../src/backend/tidb/progress.js';

let db: MariaDB;
let work = '';

before(async () => {
  db = await startMariaDB();
  work = mkdtempSync(join(tmpdir(), 'ctl-repair-'));
});
after(async () => {
  await db?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** `n` INSERT statements of `per` rows each, ids from `from` */
function inserts(table: string, from: number, n: number, per: number): string {
  const out: string[] = [];
  for (let s = 0; s < n; s++) {
    const rows = Array.from({ length: per }, (_, i) => { const id = from + s * per + i; return `(${id},'v${id}',${id % 7 ? `'${'x'.repeat(id % 40)}'` : 'NULL'})`; });
    out.push(`INSERT INTO \`${table}\` VALUES ${rows.join(',')};\n`);
  }
  return out.join('');
}
const ddl = (t: string) => `CREATE TABLE \`${t}\` (\`id\` int NOT NULL PRIMARY KEY, \`v\` varchar(20), \`pad\` varchar(64))`;
const nopk = (t: string) => `CREATE TABLE \`${t}\` (\`id\` int, \`v\` varchar(20), \`pad\` varchar(64))`;

function config(name: string, dataDir: string, extra = ''): string {
  return writeToml(work, `${name}.toml`, [
    '[lightning]', `file = ${JSON.stringify(join(work, `${name}.log`))}`, 'level = "info"',
    '[mydumper]', `data-source-dir = ${JSON.stringify(dataDir)}`,
    extra,
  ].join('\n'));
}

const count = async (t: string) => Number((await db.query<Array<{ n: number }>>(`SELECT COUNT(*) n FROM ${t}`))[0]!.n);

test('bad data: the failed table is destroyed by tidb-lightning-ctl, the fixed file imported on the rerun → exact rows', async () => {
  const good: DumpTable[] = [
    { name: 'a', ddl: ddl('a'), data: inserts('a', 1, 4, 50) },
    { name: 'c', ddl: nopk('c'), data: inserts('c', 1, 3, 50) },
  ];
  // more rows than one transaction (logical-import-batch-rows) before the bad statement: the failed run commits some of b
  const bad = `${inserts('b', 1, 45, 200)}INSERT INTO \`b\` VALUES (9001,'x','y') garbage;\n${inserts('b', 9002, 1, 10)}`;
  const dir = writeMydumperDir(join(work, 'rp1'), 'rp1', [...good, { name: 'b', ddl: nopk('b'), data: bad }]);
  const cfg = config('rp1', dir, '[tikv-importer]\nlogical-import-batch-rows = 4096');
  const args = ['-config', cfg, ...targetFlags(db)];

  const first = await runLightning(args);
  assert.equal(first.exitCode, 1, first.stderr);
  assert.match(first.stderr, /Lightning:Loader:ErrSyntax.*file rp1\.b\.sql/s);
  assert.ok(await count('rp1.b') > 0, 'b has rows of the failed run (what destroy must remove)');

  const refused = await runLightning(args);
  assert.equal(refused.exitCode, 1);
  assert.match(refused.stderr, /has failed last time.*run 'tidb-lightning-ctl --checkpoint-error-destroy='`rp1`\.`b`''/s);

  // the operator looks at the checkpoint first
  const dump = await runCtl(['-config', cfg, ...targetFlags(db), `--checkpoint-dump=${join(work, 'rp1-dump')}`]);
  assert.equal(dump.exitCode, 0, dump.stderr);
  assert.match(dump.stdout, /Dumped the checkpoint .*tidb_lightning_checkpoint\.db into .*tables\.csv \(3 rows\)/);
  const tables = readFileSync(join(work, 'rp1-dump', 'tables.csv'), 'utf8');
  assert.match(tables, /`rp1`\.`b`,[0-9a-f]{64},6,.*Lightning:Loader:ErrSyntax/);

  const destroy = await runCtl(['-config', cfg, ...targetFlags(db), '--checkpoint-error-destroy=all']);
  assert.equal(destroy.exitCode, 0, destroy.stderr);
  assert.match(destroy.stderr, /^Dropping table: `rp1`\.`b`$/m);
  assert.match(destroy.stdout, /Destroyed `rp1`\.`b`/);
  assert.doesNotMatch(destroy.stderr, /`rp1`\.`[ac]`/, 'only the failed table');
  const tablesNow = (await db.query<Array<{ t: string }>>("SELECT TABLE_NAME t FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'rp1' ORDER BY 1")).map((r) => r.t);
  assert.deepEqual(tablesNow, ['a', 'c'], 'b dropped in the target');
  assert.equal(await count("lightning_task_info.chunk_progress_v2 WHERE table_name = '`rp1`.`b`'"), 0, 'its progress rows removed');
  const again = await runCtl(['-config', cfg, ...targetFlags(db), '--checkpoint-error-destroy=all']);
  assert.equal(again.exitCode, 0);
  assert.match(again.stdout, /No failed table matches all/);

  // fix the file, rerun the same command
  const fixed = `${inserts('b', 1, 45, 200)}INSERT INTO \`b\` VALUES (9001,'x','y');\n${inserts('b', 9002, 1, 10)}`;
  writeFileSync(join(dir, 'rp1.b.sql'), fixed);
  const rerun = await runLightning(args);
  assert.equal(rerun.exitCode, 0, rerun.stderr);
  assert.match(rerun.stdout, /`rp1`\.`b`\s+9011 rows\s+OK/);
  await loadDumpInto(db, dir, 'rp1', 'rp1_expected');
  await assertSameDatabase(db, 'rp1_expected', db, 'rp1');
  assert.equal(existsSync(join(dir, 'tidb_lightning_checkpoint.db')), false, 'checkpoint removed after success');
});

test('target error with driver = "mysql": duplicate key → destroy → fixed rerun → exact rows; the checkpoint schema is dropped at the end', async () => {
  const dupe = `${inserts('d', 1, 4, 50)}${inserts('d', 120, 1, 10)}`; // ids 120..129 are already in the table
  const dir = writeMydumperDir(join(work, 'rp3'), 'rp3', [
    { name: 'a', ddl: ddl('a'), data: inserts('a', 1, 2, 50) },
    { name: 'd', ddl: ddl('d'), data: dupe },
  ]);
  const cfg = config('rp3', dir, '[checkpoint]\ndriver = "mysql"\nschema = "rp3_checkpoint"\n');
  const args = ['-config', cfg, ...targetFlags(db)];
  const first = await runLightning(args);
  assert.equal(first.exitCode, 1, first.stderr);
  assert.match(first.stderr, /Duplicate|duplicate/);
  assert.equal(existsSync(join(dir, 'tidb_lightning_checkpoint.db')), false, 'no checkpoint file: it is in the target');
  const [row] = await db.query<Array<{ status: number; error_code: string }>>("SELECT status, error_code FROM rp3_checkpoint.table_v10 WHERE table_name = '`rp3`.`d`'");
  assert.ok(row && row.status <= 25, JSON.stringify(row));

  const refused = await runLightning(args);
  assert.match(refused.stderr, /--checkpoint-error-destroy='`rp3`\.`d`'/);
  const destroy = await runCtl(['-config', cfg, ...targetFlags(db), '--checkpoint-error-destroy=`rp3`.`d`']);
  assert.equal(destroy.exitCode, 0, destroy.stderr);
  assert.match(destroy.stderr, /Dropping table: `rp3`\.`d`/);
  assert.equal(await count("rp3_checkpoint.table_v10 WHERE table_name = '`rp3`.`d`'"), 0);

  writeFileSync(join(dir, 'rp3.d.sql'), `${inserts('d', 1, 4, 50)}${inserts('d', 220, 1, 10)}`);
  const rerun = await runLightning(args);
  assert.equal(rerun.exitCode, 0, rerun.stderr);
  await loadDumpInto(db, dir, 'rp3', 'rp3_expected');
  await assertSameDatabase(db, 'rp3_expected', db, 'rp3');
  const left = await db.query<Array<{ s: string }>>("SELECT SCHEMA_NAME s FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'rp3_checkpoint%'");
  assert.deepEqual(left, [], 'keep-after-success = remove drops the checkpoint schema');
});

test('a failure in ANALYZE: --checkpoint-error-ignore, the rerun continues it (nothing imported twice) → exact rows', async () => {
  const dir = writeMydumperDir(join(work, 'rp2'), 'rp2', [
    { name: 'a', ddl: ddl('a'), data: inserts('a', 1, 3, 50) },
    { name: 'b', ddl: nopk('b'), data: inserts('b', 1, 3, 50) },
  ]);
  // The stats tables are held locked: ANALYZE (with engine-independent statistics) waits for them and the test
  // kills every waiting ANALYZE connection until the import's retries give up. The tables (and the progress
  // table) exist and were opened before the lock, so their statistics are cached and nothing else waits.
  const cfg = config('rp2', dir, '[post-restore]\nanalyze = "required"\n[tidb.session-vars]\nuse_stat_tables = "PREFERABLY"\n');
  const args = ['-config', cfg, ...targetFlags(db)];
  await db.query(`CREATE DATABASE rp2; ${ddl('rp2.a').replace('`rp2.a`', 'rp2.a')}; ${nopk('rp2.b').replace('`rp2.b`', 'rp2.b')};
    ${progressDdl('lightning_task_info').join(';\n')}; SELECT 1 FROM rp2.a; SELECT 1 FROM rp2.b; SELECT 1 FROM lightning_task_info.${PROGRESS_TABLE}`);
  const locker = await mysql.createConnection({ host: '127.0.0.1', port: db.port, user: 'root' });
  let kills = 0;
  try {
    await locker.query('LOCK TABLES mysql.table_stats WRITE, mysql.column_stats WRITE, mysql.index_stats WRITE');
    const child = startLightning(args);
    let done = false;
    void child.finally(() => { done = true; });
    while (!done) {
      const [rows] = await locker.query("SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE 'ANALYZE TABLE%'") as unknown as [Array<{ ID: number }>];
      for (const r of rows) { await locker.query(`KILL ${r.ID}`).catch(() => undefined); kills++; }
      await sleep(15);
    }
    const first = await child;
    assert.equal(first.exitCode, 1, String(first.stderr));
    assert.match(String(first.stderr), /ANALYZE TABLE failed/);
  } finally {
    await locker.query('UNLOCK TABLES').catch(() => undefined);
    await locker.end();
  }
  assert.ok(kills >= 2, `ANALYZE was retried (${kills} kills)`);
  const refused = await runLightning(args);
  assert.equal(refused.exitCode, 1);
  assert.match(refused.stderr, /failed at step analyzed.*run 'tidb-lightning-ctl --checkpoint-error-ignore='`rp2`\.`a`''/s);

  const ignore = await runCtl(['-config', cfg, ...targetFlags(db), '--checkpoint-error-ignore=all']);
  assert.equal(ignore.exitCode, 0, ignore.stderr);
  assert.match(ignore.stdout, /Ignored the error of `rp2`\.`a` \(failed at step analyzed: \[Lightning:DB:ErrDBQuery\] ANALYZE TABLE failed/);
  const rerun = await runLightning(args);
  assert.equal(rerun.exitCode, 0, rerun.stderr);
  assert.match(rerun.stdout, /`rp2`\.`a`.*OK: rows 150 = 150/);
  await loadDumpInto(db, dir, 'rp2', 'rp2_expected');
  await assertSameDatabase(db, 'rp2_expected', db, 'rp2');
});

test('ctl without a checkpoint says where it looked and creates nothing; bad arguments exit 2; no action prints the usage', async () => {
  const dir = join(work, 'empty');
  writeMydumperDir(dir, 'e', []);
  const r = await runCtl(['-d', dir, ...targetFlags(db), '--checkpoint-error-destroy=all']);
  assert.equal(r.exitCode, 1);
  assert.match(r.stderr, /Lightning:Checkpoint:ErrCheckpointNotFound.*checkpoint file '.*empty\/tidb_lightning_checkpoint\.db' not found.*-config, -d/s);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  assert.deepEqual(readdirSync(dir).filter((f) => f.includes('checkpoint')), []);
  const m = await runCtl(['-d', dir, ...targetFlags(db), '--checkpoint-dump', join(work, 'x'), '--checkpoint-driver-is-not-a-flag']);
  assert.equal(m.exitCode, 2);
  const bad = await runCtl(['-d', dir, ...targetFlags(db), '--checkpoint-remove=not a table']);
  assert.equal(bad.exitCode, 2);
  assert.match(bad.stderr, /neither 'all' nor a table name/);
  const usage = await runCtl(['-d', dir, ...targetFlags(db)]);
  assert.equal(usage.exitCode, 0);
  assert.match(usage.stderr, /-checkpoint-error-destroy/);
  const local = await runCtl(['-d', dir, ...targetFlags(db), '--check-local-storage']);
  assert.equal(local.exitCode, 0, local.stderr);
  assert.match(local.stdout, /tidb backend keeps no intermediate files/);
});

test('--checkpoint-remove of one table and of all: checkpoints only, the target untouched; the file is gone after all', async () => {
  const dir = writeMydumperDir(join(work, 'rm1'), 'rm1', [
    { name: 'a', ddl: ddl('a'), data: inserts('a', 1, 1, 20) },
    { name: 'b', ddl: nopk('b'), data: 'INSERT INTO `b` VALUES (1) nonsense;\n' },
  ]);
  const args = ['-config', config('rm1', dir), ...targetFlags(db)];
  assert.equal((await runLightning(args)).exitCode, 1);
  const one = await runCtl([...args, '--checkpoint-remove=rm1.b']);
  assert.equal(one.exitCode, 0, one.stderr);
  assert.match(one.stdout, /Removed the checkpoint of `rm1`\.`b`\. The target is untouched/);
  const none = await runCtl([...args, '--checkpoint-remove=`rm1`.`zz`']);
  assert.match(none.stdout, /No checkpoint for `rm1`\.`zz`/);
  const dump = await runCtl([...args, `--checkpoint-dump=${join(work, 'rm1-dump')}`]);
  assert.match(dump.stdout, /tables\.csv \(1 rows\)/);
  const left = (await db.query<Array<{ t: string }>>("SELECT TABLE_NAME t FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'rm1' ORDER BY 1")).map((r) => r.t);
  assert.deepEqual(left, ['a', 'b'], 'the target tables are untouched');
  const all = await runCtl([...args, '--checkpoint-remove=all']);
  assert.equal(all.exitCode, 0, all.stderr);
  assert.match(all.stdout, /Removed all checkpoints/);
  assert.deepEqual(readdirSync(dir).filter((f) => f.includes('checkpoint')), []);
});
