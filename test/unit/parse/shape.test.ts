// Row shaping: ignore-data-columns drops fields by name, [[routes]] extract-* appends constants.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeBatchShaper, appendConstantFields } from '../../../src/parse/shape.js';
import { parseCsv } from '../../../src/parse/csv.js';
import { parseSql } from '../../../src/parse/sql.js';
import { Codes, LightningError } from '../../../src/errors.js';
import type { RowBatch } from '../../../src/parse/types.js';
import { chunked } from './util.js';

async function shaped(it: AsyncIterable<RowBatch>, shape: (b: RowBatch) => RowBatch) {
  const out: Array<{ columns: string[] | null; rows: Array<Array<string | null>> }> = [];
  for await (const b of it) {
    const s = shape(b);
    out.push({ columns: s.columns, rows: s.rows.map((r) => r.fields.map((f) => (f.kind === 0 ? null : f.value.toString('utf8')))) });
  }
  return out;
}

test('CSV with header: ignored columns dropped by name, extracted constants appended', async () => {
  const shape = makeBatchShaper({ ignoreColumns: ['B'], extraColumns: [{ column: 'src', value: 'east' }], file: 'f.csv' });
  const got = await shaped(parseCsv(chunked('a,b,c\n1,2,3\n4,\\N,6\n', 4), { file: 'f.csv' }), shape);
  assert.deepEqual(got, [{ columns: ['a', 'c', 'src'], rows: [['1', '3', 'east'], ['4', '6', 'east']] }]);
});

test('SQL without column list: table order minus extracted columns; a file column named like an extracted one is replaced', async () => {
  const shape = makeBatchShaper({ tableColumns: ['id', 'v', 'src'], extraColumns: [{ column: 'src', value: 's1' }] });
  const got = await shaped(parseSql(chunked("INSERT INTO t VALUES (1,'x'),(2,'y');\nINSERT INTO t (id,src,v) VALUES (3,'old','z');", 5), { file: 'f.sql' }), shape);
  assert.deepEqual(got, [
    { columns: ['id', 'v', 'src'], rows: [['1', 'x', 's1'], ['2', 'y', 's1']] },
    { columns: ['id', 'v', 'src'], rows: [['3', 'z', 's1']] },
  ]);
});

test('nothing to do: identity, same batch object, columns untouched', async () => {
  const shape = makeBatchShaper({ ignoreColumns: [], extraColumns: [] });
  const b: RowBatch = { rows: [], columns: null };
  assert.equal(shape(b), b);
  assert.equal(b.columns, null);
});

test('wrong row width is a ColumnCount error naming file, offset and row; missing table order is InvalidArgument', async () => {
  const shape = makeBatchShaper({ tableColumns: ['a', 'b'], ignoreColumns: ['a'], file: 'g.sql', table: 'd.t' });
  let err: unknown;
  try { await shaped(parseSql(chunked('INSERT INTO t VALUES (1,2),(3);', 64), { file: 'g.sql' }), shape); } catch (e) { err = e; }
  assert.ok(err instanceof LightningError);
  assert.equal(err.code, Codes.ColumnCount);
  assert.equal(err.context.file, 'g.sql');
  assert.equal(err.context.row, 2);
  assert.equal(err.context.offset, 27);
  assert.throws(() => appendConstantFields({ rows: [], columns: null }, [{ column: 'x', value: '1' }]),
    (e: unknown) => e instanceof LightningError && e.code === Codes.InvalidArgument);
});
