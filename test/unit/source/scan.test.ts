import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, writeFileSync, rmSync, mkdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { scanSource, expandTemplate, compareSortKey } from '../../../src/source/scan.js';

let dir = '';
const files: Record<string, string> = {
  'metadata': 'Started dump at: x',
  'db1-schema-create.sql': 'CREATE DATABASE db1;',
  'db1.t1-schema.sql': 'CREATE TABLE t1 (a int);',
  'db1.t1.00002.sql': 'x',
  'db1.t1.00010.sql': 'x',
  'db1.t1.00001.sql.gz': 'x',
  'db1.t1-schema-trigger.sql': '',
  'db1.t1.sql.bak': '',
  'db1.v-schema.sql': 'CREATE TABLE v (a int);',
  'db1.v-schema-view.sql': 'CREATE VIEW v AS SELECT 1;',
  'sub/dir/db2.t.with.dots.csv.zst': 'x',
  'db2.t%2Fslash.csv': 'x',
  'db2.p.0001.snappy.parquet': 'x',
  'db2.q.parquet.gz': 'x',
  'db2.x.sql.lz4': 'x',
  'mysql.user.sql': 'x',
  'README.txt': 'x',
  'custom/part-7.dat': 'x',
};

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'scan-'));
  for (const [p, c] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), c);
  }
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('default rules, sort keys, compression, unescape, views, skipped reasons', async () => {
  const s = await scanSource({ dataSourceDir: dir });
  assert.equal(s.metadataFile, 'metadata');
  const db1 = s.schemas.find((x) => x.name === 'db1')!;
  assert.equal(db1.schemaFile, 'db1-schema-create.sql');
  assert.deepEqual(db1.tables.map((t) => t.table), ['t1']);
  const t1 = db1.tables[0]!;
  assert.equal(t1.schemaFile, 'db1.t1-schema.sql');
  assert.deepEqual(t1.dataFiles.map((f) => [f.path, f.compression, f.sortKey]),
    [['db1.t1.00001.sql.gz', 'gzip', '00001'], ['db1.t1.00002.sql', 'none', '00002'], ['db1.t1.00010.sql', 'none', '00010']]);
  assert.deepEqual(db1.views, [{ table: 'v', schemaFile: 'db1.v-schema-view.sql' }]);
  const db2 = s.schemas.find((x) => x.name === 'db2')!;
  assert.deepEqual(db2.tables.map((t) => [t.table, t.dataFiles.map((f) => `${f.type}:${f.compression}`).join()]),
    [['p', 'parquet:none'], ['t.with.dots', 'csv:zstd'], ['t/slash', 'csv:none']]);
  const reasons = Object.fromEntries(s.skipped.map((x) => [x.path, x.reason]));
  assert.match(reasons['db1.t1-schema-trigger.sql']!, /ignore/);
  assert.match(reasons['db1.t1.sql.bak']!, /ignore/);
  assert.match(reasons['db2.q.parquet.gz']!, /parquet/);
  assert.match(reasons['db2.x.sql.lz4']!, /not supported/);
  assert.match(reasons['mysql.user.sql']!, /filter/);
  assert.match(reasons['README.txt']!, /does not match/);
  assert.match(reasons['db1.v-schema.sql']!, /placeholder/);
  assert.match(reasons['metadata']!, /metadata/);
  assert.equal(s.skipped.length, 9);
});

test('custom file rules with templates, filter and routes', async () => {
  const s = await scanSource({
    dataSourceDir: dir,
    fileRules: [{ pattern: String.raw`^custom/part-(?P<n>\d+)\.dat$`, schema: 'db3', table: 'parts', type: 'csv', key: '${n}' }],
    defaultFileRules: true,
    filter: ['db*.*', '!db1.*'],
    routes: [{ schemaPattern: 'db3', targetSchema: 'target' }, { schemaPattern: 'db2', tablePattern: 't*', targetSchema: 'target', targetTable: 'all_t' }],
  });
  const target = s.schemas.find((x) => x.name === 'target')!;
  assert.deepEqual(target.tables.map((t) => [t.table, t.sourceSchema, t.dataFiles.map((f) => f.path)]), [
    ['all_t', 'db2', ['db2.t%2Fslash.csv', 'sub/dir/db2.t.with.dots.csv.zst']],
    ['parts', 'db3', ['custom/part-7.dat']],
  ]);
  assert.equal(target.tables[1]!.dataFiles[0]!.sortKey, '7');
  assert.ok(s.skipped.some((x) => x.path === 'db1.t1.00002.sql' && /filter/.test(x.reason)));
});

test('only custom rules when default-file-rules is off', async () => {
  const s = await scanSource({ dataSourceDir: dir, fileRules: [{ path: 'custom/part-7.dat', schema: 'a', table: 'b', type: 'sql' }] });
  assert.deepEqual(s.schemas.map((x) => x.name), ['a']);
  assert.equal(s.skipped.filter((x) => /does not match/.test(x.reason)).length, Object.keys(files).length - 2);
});

test('expandTemplate and compareSortKey', () => {
  const m = /(?<a>x)(y)/.exec('xy')!;
  assert.equal(expandTemplate('$1-${a}-$2-$$-$a', m), 'x-x-y-$-x');
  assert.ok(compareSortKey('2', '10') < 0);
  assert.ok(compareSortKey('00002', '00010') < 0);
  assert.ok(compareSortKey('', '1') < 0);
});

test('an unreadable directory below the root (lost+found of a volume, for a non-root user) is skipped with the reason', (t) => {
  // The chart runs as uid 10001; root reads everything, so the scan runs as `nobody` in a child process.
  if (process.getuid?.() !== 0) { t.skip('needs root to run the scan as another user'); return; }
  const dir = mkdtempSync(join(tmpdir(), 'scan-lf-'));
  try {
    mkdirSync(join(dir, 'lost+found'), { mode: 0o700 });
    writeFileSync(join(dir, 'db.t.sql'), 'INSERT INTO t VALUES (1);\n', { mode: 0o644 });
    chmodSync(dir, 0o755);
    const mod = fileURLToPath(new URL('../../../src/source/scan.js', import.meta.url));
    const out = execFileSync('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, '--input-type=module', '-e',
      `import { scanSource } from ${JSON.stringify(mod)}; const s = await scanSource({ dataSourceDir: ${JSON.stringify(dir)} });` +
      'console.log(JSON.stringify({ skipped: s.skipped, tables: s.schemas.flatMap((x) => x.tables.map((t) => t.table)) }));'], { encoding: 'utf8' });
    const got = JSON.parse(out) as { skipped: Array<{ path: string; reason: string }>; tables: string[] };
    assert.ok(got.skipped.some((x) => x.path === 'lost+found' && /cannot be read: EACCES/.test(x.reason)), out);
    assert.deepEqual(got.tables, ['t']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
