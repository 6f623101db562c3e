import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTableFilter, DEFAULT_FILTER } from '../../../src/source/filter.js';
import { makeRouter } from '../../../src/source/routes.js';

test('default filter excludes system schemas, case-insensitively', () => {
  const f = parseTableFilter(DEFAULT_FILTER);
  assert.ok(f.matchTable('db', 't'));
  assert.ok(!f.matchTable('mysql', 'user'));
  assert.ok(!f.matchTable('information_schema', 'tables'));
  assert.ok(!f.matchTable('Performance_Schema', 'x'));
  assert.ok(f.matchSchema('db'));
  assert.ok(!f.matchSchema('sys'));
});

test('wildcards, classes, negation, later rules win', () => {
  const f = parseTableFilter(['db?.*', '!db1.tmp_*', 'db1.tmp_keep', 'x.[a-c]*', 'y.[!a-c]*']);
  assert.ok(f.matchTable('db1', 't'));
  assert.ok(!f.matchTable('db10', 't'));
  assert.ok(!f.matchTable('db1', 'tmp_x'));
  assert.ok(f.matchTable('db1', 'tmp_keep'));
  assert.ok(f.matchTable('x', 'b1') && !f.matchTable('x', 'd1'));
  assert.ok(f.matchTable('y', 'd1') && !f.matchTable('y', 'a1'));
  assert.ok(!f.matchTable('other', 't'));
  assert.ok(f.matchSchema('db1'));
});

test('quoting, escapes, regex, case sensitivity', () => {
  const f = parseTableFilter(['`a.b`.`c``d`', 'e\\*.f', '/^re[0-9]+$/.*', '"q"."t"']);
  assert.ok(f.matchTable('a.b', 'c`d'));
  assert.ok(f.matchTable('e*', 'f') && !f.matchTable('ex', 'f'));
  assert.ok(f.matchTable('re12', 'any') && !f.matchTable('rex', 'any'));
  assert.ok(f.matchTable('Q', 'T'));
  const cs = parseTableFilter(['Db.T'], true);
  assert.ok(cs.matchTable('Db', 'T') && !cs.matchTable('db', 't'));
  assert.throws(() => parseTableFilter(['nodot']), /missing '\.'/);
  assert.throws(() => parseTableFilter(['`x.t']), /unterminated/);
});

test('routes: table rules before schema rules, wildcards, case', () => {
  const r = makeRouter([
    { schemaPattern: 'shard_*', targetSchema: 'merged' },
    { schemaPattern: 'shard_*', tablePattern: 'orders_?', targetSchema: 'merged', targetTable: 'orders' },
  ]);
  assert.deepEqual(r.route('SHARD_1', 'orders_2'), { schema: 'merged', table: 'orders' });
  assert.deepEqual(r.route('shard_1', 'users'), { schema: 'merged', table: 'users' });
  assert.deepEqual(r.route('other', 'orders_1'), { schema: 'other', table: 'orders_1' });
  assert.equal(r.routeSchema('shard_9'), 'merged');
  assert.deepEqual(makeRouter([{ schemaPattern: 'A', targetSchema: 'b' }], true).route('a', 't'), { schema: 'a', table: 't' });
});
