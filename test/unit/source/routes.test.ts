// [[routes]] extractors (DM shard merging), ambiguous rules, and ignore-data-columns lookup.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeRouter } from '../../../src/source/routes.js';
import { makeIgnoreColumns } from '../../../src/source/ignore-columns.js';
import { scanSource } from '../../../src/source/scan.js';
import { LightningError } from '../../../src/errors.js';

const shardRule = {
  schemaPattern: 'shard_*', tablePattern: 't_*', targetSchema: 'merged', targetTable: 't',
  extractTable: { tableRegexp: 't_(.*)', targetColumn: 'c_table' },
  extractSchema: { schemaRegexp: 'shard_(\\d+)', targetColumn: 'c_schema' },
  extractSource: { sourceRegexp: '(.*)-(\\d+)', targetColumn: 'c_source' },
};

test('extract-table / extract-schema / extract-source: capture groups concatenated, "" when no match', () => {
  const r = makeRouter([shardRule]);
  assert.deepEqual(r.route('shard_01', 't_east'), { schema: 'merged', table: 't' });
  assert.deepEqual(r.extraColumns('shard_01', 't_east', 'mysql-replica-07'), [
    { column: 'c_table', value: 'east' }, { column: 'c_schema', value: '01' }, { column: 'c_source', value: 'mysql-replica07' },
  ]);
  assert.deepEqual(r.extraColumns('shard_x', 't_w', ''), [
    { column: 'c_table', value: 'w' }, { column: 'c_schema', value: '' }, { column: 'c_source', value: '' },
  ]);
  assert.deepEqual(r.extraColumns('other', 't_1'), []);
  // a schema-level rule's extractors apply when no table rule matches
  const s = makeRouter([{ schemaPattern: 'db_*', targetSchema: 'all', extractSchema: { schemaRegexp: 'db_(?P<n>.*)', targetColumn: 'src' } }]);
  assert.deepEqual(s.extraColumns('db_9', 'x'), [{ column: 'src', value: '9' }]);
});

test('routes: a schema rule with target-table renames every table (Go), ambiguous rules are an error', () => {
  assert.deepEqual(makeRouter([{ schemaPattern: 'a', targetSchema: 'b', targetTable: 'c' }]).route('a', 'x'), { schema: 'b', table: 'c' });
  const r = makeRouter([
    { schemaPattern: 's*', tablePattern: 't*', targetSchema: 'x' },
    { schemaPattern: 's1', tablePattern: 't1', targetSchema: 'y' },
  ]);
  assert.deepEqual(r.route('s2', 't2'), { schema: 'x', table: 't2' });
  assert.throws(() => r.route('s1', 't1'), (e: unknown) => e instanceof LightningError && /matches 2 table route rules/.test(e.message));
});

test('routes: extractor without target-column or with a bad regexp is a config error', () => {
  assert.throws(() => makeRouter([{ schemaPattern: 'a', targetSchema: 'b', extractTable: { tableRegexp: 'x', targetColumn: '' } }]), /empty target-column/);
  assert.throws(() => makeRouter([{ schemaPattern: 'a', targetSchema: 'b', extractSchema: { schemaRegexp: '(', targetColumn: 'c' } }]), /regexp "\(" is invalid/);
});

test('scanSource: each data file carries its source names and extracted columns', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'routes-'));
  try {
    for (const f of ['shard_1.t_a.sql', 'shard_2.t_b.0001.csv', 'shard_2.t_b.0002.csv', 'plain.u.sql']) writeFileSync(join(dir, f), 'x');
    const s = await scanSource({ dataSourceDir: dir, routes: [shardRule], sourceId: 'src-1' });
    const merged = s.schemas.find((x) => x.name === 'merged')!;
    assert.equal(merged.tables.length, 1);
    const files = merged.tables[0]!.dataFiles.map((f) => [f.path, f.sourceSchema, f.sourceTable, f.extraColumns?.map((c) => c.value).join('|')]);
    assert.deepEqual(files.sort(), [
      ['shard_1.t_a.sql', 'shard_1', 't_a', 'a|1|src1'],
      ['shard_2.t_b.0001.csv', 'shard_2', 't_b', 'b|2|src1'],
      ['shard_2.t_b.0002.csv', 'shard_2', 't_b', 'b|2|src1'],
    ]);
    const plain = s.schemas.find((x) => x.name === 'plain')!.tables[0]!.dataFiles[0]!;
    assert.equal(plain.extraColumns, undefined);
    assert.equal(plain.sourceTable, 'u');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('ignore-data-columns: db/table equality or table-filter, first rule wins, names lower-cased', () => {
  const look = makeIgnoreColumns([
    { db: 'Db1', table: 'T1', columns: ['A', 'b'] },
    { tableFilter: ['db*.*', '!db3.*'], columns: ['X'] },
  ]);
  assert.deepEqual(look('db1', 't1'), ['a', 'b']);
  assert.deepEqual(look('DB2', 'any'), ['x']);
  assert.deepEqual(look('db3', 't'), []);
  const cs = makeIgnoreColumns([{ db: 'Db1', table: 'T1', columns: ['a'] }], true);
  assert.deepEqual(cs('db1', 't1'), []);
  assert.deepEqual(cs('Db1', 'T1'), ['a']);
});
