import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { parseParquet, formatDecimal } from '../../../src/parse/parquet.js';
import { makeTableChunks } from '../../../src/source/chunks.js';
import { FieldKind, type Row } from '../../../src/parse/types.js';
import { Codes } from '../../../src/errors.js';

let dir = '';
const N = 2500;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'pq-'));
  const ids = Int32Array.from({ length: N }, (_, i) => i - 5);
  const big = Array.from({ length: N }, (_, i) => (i === 1 ? null : BigInt(i) * 10000000000n));
  const dbl = Array.from({ length: N }, (_, i) => i + 0.5);
  const str = Array.from({ length: N }, (_, i) => (i % 7 === 0 ? null : `s${i}中😀`));
  const bin = Array.from({ length: N }, (_, i) => Uint8Array.from([0, 255, i & 255]));
  const bool = Array.from({ length: N }, (_, i) => i % 2 === 0);
  const ts = Array.from({ length: N }, (_, i) => new Date(Date.UTC(2020, 0, 2, 3, 4, 5) + i));
  const buf = parquetWriteBuffer({
    columnData: [
      { name: 'id', data: ids, type: 'INT32' },
      { name: 'big', data: big, type: 'INT64' },
      { name: 'dbl', data: dbl, type: 'DOUBLE' },
      { name: 'str', data: str, type: 'STRING' },
      { name: 'bin', data: bin, type: 'BYTE_ARRAY' },
      { name: 'flag', data: bool, type: 'BOOLEAN' },
      { name: 'ts', data: ts, type: 'TIMESTAMP' },
    ],
    rowGroupSize: 1000,
  });
  writeFileSync(join(dir, 'db.t.parquet'), Buffer.from(buf));
  writeFileSync(join(dir, 'bad.parquet'), Buffer.from('not parquet at all'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('parquet rows map to typed fields across row groups', async () => {
  const rows: Row[] = [];
  let columns: string[] | null = null;
  for await (const b of parseParquet(join(dir, 'db.t.parquet'), { file: 'db.t.parquet', batchRows: 700 })) {
    columns = b.columns;
    rows.push(...b.rows);
  }
  assert.deepEqual(columns, ['id', 'big', 'dbl', 'str', 'bin', 'flag', 'ts']);
  assert.equal(rows.length, N);
  const show = (i: number) => rows[i]!.fields.map((f) => (f.kind === FieldKind.Null ? null : [f.kind, f.kind === FieldKind.Bin ? f.value.toString('hex') : f.value.toString('utf8')]));
  assert.deepEqual(show(1), [[2, '-4'], null, [2, '1.5'], [1, 's1中😀'], [3, '00ff01'], [2, '0'], [1, '2020-01-02 03:04:05.001']]);
  assert.deepEqual(show(0)[3], null);
  assert.deepEqual(show(2000)[1], [2, '20000000000000']);
  assert.deepEqual(rows.map((r) => r.rowNo).slice(998, 1002), [999, 1000, 1001, 1002]);
  const resumed: Row[] = [];
  for await (const b of parseParquet(join(dir, 'db.t.parquet'), { file: 'x', startRow: 1999 })) resumed.push(...b.rows);
  assert.equal(resumed.length, N - 1999);
  assert.equal(resumed[0]!.fields[0]!.value.toString(), String(1999 - 5));
});

test('parquet chunk row-ID range is the row count; bad file is a Parquet error', async () => {
  const chunks = await makeTableChunks({ dataFiles: [{ path: 'db.t.parquet', type: 'parquet', compression: 'none', size: 1, sortKey: '', mtimeMs: 0 }] }, { root: dir, columnCount: 7 });
  assert.equal(chunks[0]!.rowIdMax, N);
  await assert.rejects(async () => { for await (const _ of parseParquet(join(dir, 'bad.parquet'), { file: 'bad.parquet' })) { /* */ } },
    (e: { code: string; context: { file: string } }) => e.code === Codes.Parquet && e.context.file === 'bad.parquet');
});

test('formatDecimal', () => {
  assert.equal(formatDecimal(12345n, 2), '123.45');
  assert.equal(formatDecimal(-5n, 3), '-0.005');
  assert.equal(formatDecimal(7n, 0), '7');
});
