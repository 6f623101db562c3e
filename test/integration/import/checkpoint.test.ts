// The import's checkpoint behaviour through the CLI: the SQLite file next to the data, failures recorded with
// their code and refused on the next run with the tidb-lightning-ctl command to run, changed input files and
// changed config refused, keep-after-success, and clear errors (file, offset, row) for bad input.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startMariaDB, type MariaDB } from '../../harness/mariadb.js';
import { runLightning, targetFlags, writeToml } from '../../harness/lightning.js';

let db: MariaDB;
let work = '';
let n = 0;

before(async () => {
  db = await startMariaDB();
  work = mkdtempSync(join(tmpdir(), 'ckpt-it-'));
});
after(async () => {
  await db?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** A dump directory with schema `schema`: table a (good rows) and table b (the given data text). */
function dump(schema: string, bData: string): string {
  const dir = join(work, `dump${++n}`);
  mkdirSync(dir);
  writeFileSync(join(dir, `${schema}-schema-create.sql`), `CREATE DATABASE \`${schema}\`;\n`);
  writeFileSync(join(dir, `${schema}.a-schema.sql`), 'CREATE TABLE `a` (`id` int PRIMARY KEY, `v` varchar(10));\n');
  writeFileSync(join(dir, `${schema}.a.sql`), "INSERT INTO `a` VALUES (1,'one'),(2,'two'),(3,'three');\n");
  writeFileSync(join(dir, `${schema}.b-schema.sql`), 'CREATE TABLE `b` (`id` int, `v` varchar(10));\n');
  writeFileSync(join(dir, `${schema}.b.sql`), bData);
  return dir;
}

const flags = () => targetFlags(db);

function tables(file: string): Array<{ table_name: string; status: number; error_code: string | null; error_message: string | null }> {
  const s = new Database(file, { readonly: true });
  try {
    return s.prepare('SELECT table_name, status, error_code, error_message FROM table_v10 ORDER BY table_name').all() as never;
  } finally {
    s.close();
  }
}

test('bad input: the error names file, offset and row; the checkpoint next to the data records it; the rerun names the ctl command', async () => {
  const bad = "INSERT INTO `b` VALUES (1,'ok'),(2,'ok');\nINSERT INTO `b` VALUES (3,'x') garbage (4,'y');\n";
  const dir = dump('ck1', bad);
  const r = await runLightning(['-d', dir, ...flags(), '--log-file', join(work, 'ck1.log')]);
  assert.equal(r.exitCode, 1, r.stderr);
  const at = bad.indexOf('garbage');
  assert.match(r.stderr, /Lightning:Loader:ErrSyntax/);
  assert.match(r.stderr, new RegExp(`file ck1\\.b\\.sql, offset ${at}, row 4`), r.stderr);
  const file = join(dir, 'tidb_lightning_checkpoint.db');
  assert.ok(existsSync(file), 'checkpoint next to the data');
  const b = tables(file).find((t) => t.table_name === '`ck1`.`b`')!;
  assert.equal(b.status, 6, 'failed while writing (60 / 10)');
  assert.equal(b.error_code, 'Lightning:Loader:ErrSyntax');
  assert.match(b.error_message!, /offset/);
  // the error came before the first batch was complete: nothing of b is in, a was imported
  assert.deepEqual((await db.query<Array<{ id: number }>>('SELECT id FROM ck1.b ORDER BY id')).map((x) => x.id), []);
  assert.equal(Number((await db.query<Array<{ n: number }>>('SELECT COUNT(*) n FROM ck1.a'))[0]!.n), 3);

  const again = await runLightning(['-d', dir, ...flags(), '--log-file', join(work, 'ck1b.log')]);
  assert.equal(again.exitCode, 1);
  assert.match(again.stderr, /has failed last time/);
  assert.match(again.stderr, /tidb-lightning-ctl --checkpoint-error-destroy='`ck1`.`b`'/);
});

test('wrong column count and unknown columns are coded errors naming the file and row', async () => {
  const dir = dump('ck2', "INSERT INTO `b` VALUES (1,'a'),(2);\n");
  const r = await runLightning(['-d', dir, ...flags(), '--log-file', join(work, 'ck2.log')]);
  assert.equal(r.exitCode, 1);
  assert.match(r.stderr, /Lightning:Loader:ErrColumnCountMismatch.*row has 1 values but 2 were expected.*file ck2\.b\.sql, offset 31, row 2/s);
  const dir2 = dump('ck3', "INSERT INTO `b` (`id`,`nope`) VALUES (1,'a');\n");
  const r2 = await runLightning(['-d', dir2, ...flags(), '--log-file', join(work, 'ck3.log')]);
  assert.equal(r2.exitCode, 1);
  assert.match(r2.stderr, /Lightning:Restore:ErrUnknownColumns.*`nope`.*file ck3\.b\.sql/s);
});

test('success: keep-after-success remove/rename/origin; a rerun over the kept checkpoint does nothing', async () => {
  const good = "INSERT INTO `b` VALUES (1,'a'),(2,'b');\n";
  const dir = dump('ck4', good);
  const r = await runLightning(['-d', dir, ...flags(), '--log-file', join(work, 'ck4.log')]);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.match(r.stdout, /`ck4`\.`b`\s+2 rows\s+OK: rows 2 = 2/);
  assert.equal(existsSync(join(dir, 'tidb_lightning_checkpoint.db')), false, 'removed by default');

  const dir5 = dump('ck5', good);
  const cfg = writeToml(work, 'ck5.toml', '[checkpoint]\nkeep-after-success = "rename"\n');
  assert.equal((await runLightning(['-config', cfg, '-d', dir5, ...flags(), '--log-file', join(work, 'ck5.log')])).exitCode, 0);
  assert.ok(readdirSync(dir5).some((f) => /^tidb_lightning_checkpoint\.db\.\d+\.bak$/.test(f)), readdirSync(dir5).join(' '));

  const dir6 = dump('ck6', good);
  const cfg6 = writeToml(work, 'ck6.toml', '[checkpoint]\nkeep-after-success = "origin"\n');
  assert.equal((await runLightning(['-config', cfg6, '-d', dir6, ...flags(), '--log-file', join(work, 'ck6.log')])).exitCode, 0);
  const ck = join(dir6, 'tidb_lightning_checkpoint.db');
  assert.ok(tables(ck).every((t) => t.status === 210), JSON.stringify(tables(ck)));
  const again = await runLightning(['-config', cfg6, '-d', dir6, ...flags(), '--log-file', join(work, 'ck6b.log')]);
  assert.equal(again.exitCode, 0, again.stderr);
  assert.match(again.stdout, /verified by an earlier run/);
  assert.equal(Number((await db.query<Array<{ n: number }>>('SELECT COUNT(*) n FROM ck6.b'))[0]!.n), 2, 'nothing imported twice');

  // a data file that changed since the checkpoint was made is refused, naming the ctl command
  utimesSync(join(dir6, 'ck6.b.sql'), new Date(), new Date(Date.now() - 3600_000));
  const changed = await runLightning(['-config', cfg6, '-d', dir6, ...flags(), '--log-file', join(work, 'ck6c.log')]);
  assert.equal(changed.exitCode, 1);
  assert.match(changed.stderr, /ErrCheckpointMismatch.*input files of table `ck6`.`b` changed.*tidb-lightning-ctl --checkpoint-remove=`ck6`.`b`/s);
});

test('a changed config is refused on resume; a non-empty target table is refused on a new task', async () => {
  const dir = dump('ck7', "INSERT INTO `b` VALUES (1,'a') oops;\n");
  assert.equal((await runLightning(['-d', dir, ...flags(), '--log-file', join(work, 'ck7.log')])).exitCode, 1);
  const cfg = writeToml(work, 'ck7.toml', '[conflict]\nstrategy = "replace"\n');
  const r = await runLightning(['-config', cfg, '-d', dir, ...flags(), '--log-file', join(work, 'ck7b.log')]);
  assert.equal(r.exitCode, 1);
  assert.match(r.stderr, /config 'conflict.strategy' value 'replace' different from checkpoint value 'error'.*tidb-lightning-ctl --checkpoint-remove=all/s);

  // same data again under a new checkpoint: ck7.a holds rows from the first run
  rmSync(join(dir, 'tidb_lightning_checkpoint.db'));
  const fresh = await runLightning(['-d', dir, ...flags(), '--log-file', join(work, 'ck7c.log')]);
  assert.equal(fresh.exitCode, 1);
  assert.match(fresh.stderr, /Lightning:Restore:ErrCheckTableEmpty.*`ck7`.`a`/s);
});

test('checkpoint.enable = false leaves no file behind', async () => {
  const dir = dump('ck8', "INSERT INTO `b` VALUES (1,'a');\n");
  const r = await runLightning(['-d', dir, ...flags(), '--enable-checkpoint=false', '--log-file', join(work, 'ck8.log')]);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.deepEqual(readdirSync(dir).filter((f) => f.includes('checkpoint')), []);
});
