// Source-side transforms through the CLI: sharded tables merged by [[routes]] with the shard's name extracted
// into a column, ignore-data-columns, and data-character-set conversion (GBK files into a utf8mb4 table).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { startMariaDB, type MariaDB } from '../../harness/mariadb.js';
import { runLightning, targetFlags, writeToml } from '../../harness/lightning.js';

let db: MariaDB;
let work = '';

before(async () => {
  db = await startMariaDB();
  work = mkdtempSync(join(tmpdir(), 'shape-it-'));
});
after(async () => {
  await db?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

test('sharded tables merge into one with the shard extracted into a column; ignored columns are dropped', async () => {
  const dir = join(work, 'shards');
  mkdirSync(dir);
  for (const n of [1, 2]) {
    writeFileSync(join(dir, `shard_${n}-schema-create.sql`), `CREATE DATABASE shard_${n};\n`);
    writeFileSync(join(dir, `shard_${n}.t-schema.sql`),
      'CREATE TABLE `t` (`id` int NOT NULL, `v` varchar(20), `src` varchar(20) NOT NULL, PRIMARY KEY (`id`, `src`));\n');
    // the dump has a column the target must not get, and no `src`
    writeFileSync(join(dir, `shard_${n}.t.sql`), `INSERT INTO \`t\` (\`id\`,\`v\`,\`secret\`) VALUES (1,'a${n}','pw${n}'),(2,'b${n}','pw${n}');\n`);
  }
  const cfg = writeToml(work, 'shards.toml', [
    '[[routes]]', 'schema-pattern = "shard_*"', 'table-pattern = "t"', 'target-schema = "merged"', 'target-table = "t"',
    '[routes.extract-schema]', 'schema-regexp = "shard_(.*)"', 'target-column = "src"',
    '[[mydumper.ignore-data-columns]]', 'db = "merged"', 'table = "t"', 'columns = ["secret"]',
  ].join('\n'));
  const r = await runLightning(['-config', cfg, '-d', dir, ...targetFlags(db), '--log-file', join(work, 'shards.log')]);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.match(r.stdout, /`merged`\.`t`\s+4 rows\s+OK/);
  const rows = await db.query<Array<{ id: number; v: string; src: string }>>('SELECT id, v, src FROM merged.t ORDER BY src, id');
  assert.deepEqual(rows.map((x) => `${x.src}:${x.id}:${x.v}`), ['1:1:a1', '1:2:b1', '2:1:a2', '2:2:b2']);
});

test('data-character-set = "gbk": GBK bytes become the same characters in a utf8mb4 table', async () => {
  const dir = join(work, 'gbk');
  mkdirSync(dir);
  const text = '中文字符，简体';
  writeFileSync(join(dir, 'cs-schema-create.sql'), 'CREATE DATABASE cs;\n');
  writeFileSync(join(dir, 'cs.t-schema.sql'), 'CREATE TABLE `t` (`id` int PRIMARY KEY, `s` varchar(40)) DEFAULT CHARSET utf8mb4;\n');
  writeFileSync(join(dir, 'cs.t.sql'), Buffer.concat([Buffer.from("INSERT INTO `t` VALUES (1,'"), iconv.encode(text, 'gbk'), Buffer.from("');\n")]));
  writeFileSync(join(dir, 'cs.u.csv'), Buffer.concat([Buffer.from('id,s\n2,"'), iconv.encode(text, 'gbk'), Buffer.from('"\n')]));
  writeFileSync(join(dir, 'cs.u-schema.sql'), 'CREATE TABLE `u` (`id` int PRIMARY KEY, `s` varchar(40)) DEFAULT CHARSET utf8mb4;\n');
  const cfg = writeToml(work, 'gbk.toml', '[mydumper]\ndata-character-set = "gbk"\n');
  const r = await runLightning(['-config', cfg, '-d', dir, ...targetFlags(db), '--log-file', join(work, 'gbk.log')]);
  assert.equal(r.exitCode, 0, r.stderr);
  for (const t of ['t', 'u']) {
    const [row] = await db.query<Array<{ s: string }>>(`SELECT s FROM cs.${t}`);
    assert.equal(row!.s, text);
  }
});
