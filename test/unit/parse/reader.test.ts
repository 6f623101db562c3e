// ChunkReader: windows over the input buffers. Rows that straddle two input buffers are joined in a small
// buffer; every other row is parsed from a view of the input buffer it came in (no copy of each read).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSql } from '../../../src/parse/sql.js';
import { parseCsv } from '../../../src/parse/csv.js';
import { ChunkReader } from '../../../src/parse/reader.js';
import { chunked, collect } from './util.js';

/** a sysbench-like dump of `n` rows, ~200 bytes each, with a few huge rows in between */
function dump(n: number, hugeEvery = 0): Buffer {
  const rows: string[] = [];
  for (let i = 1; i <= n; i++) {
    const pad = hugeEvery && i % hugeEvery === 0 ? 'x'.repeat(300_000 + i) : `${i}`.padStart(110, '7');
    rows.push(`(${i},${i * 7 % 1000},"${pad}","p${i}")`);
  }
  return Buffer.from(`/*!40101 SET NAMES binary*/;\nINSERT INTO \`t\` VALUES\n${rows.join(',\n')};\n`, 'latin1');
}

test('rows parse the same whatever the input buffer sizes; huge rows grow the window by doubling', async () => {
  const data = dump(3000, 997);
  const want = await collect(parseSql(chunked(data, data.length), { file: 'f.sql' }));
  assert.equal(want.rows.length, 3000);
  for (const size of [1, 13, 4096, 16 << 10, 65_537, 1 << 20]) {
    const got = await collect(parseSql(chunked(data, size), { file: 'f.sql' }));
    assert.deepEqual(got.rows, want.rows, `input buffers of ${size} bytes`);
    for (const b of got.batches) {
      for (const r of b.rows) {
        // the row text a LOAD DATA run sends is the source bytes, wherever the window came from
        assert.ok(r.src!.subarray(r.srcStart!, r.srcStart! + (r.end - r.offset)).equals(data.subarray(r.offset, r.end)), `row ${r.rowNo}`);
      }
    }
  }
});

test('rows inside an input buffer are views of it: only rows across a buffer boundary are copied', async () => {
  const data = dump(20_000); // ~4.6 MB
  const inputs: Buffer[] = [];
  async function* reads(): AsyncGenerator<Buffer> {
    for await (const b of chunked(data, 1 << 20)) { inputs.push(b); yield b; }
  }
  const { batches } = await collect(parseSql(reads(), { file: 'f.sql' }));
  const owners = new Set(inputs.map((b) => b.buffer));
  let viewed = 0, copied = 0;
  for (const b of batches) for (const r of b.rows) { if (owners.has(r.src!.buffer)) viewed++; else copied++; }
  assert.equal(viewed + copied, 20_000);
  // a 16 KiB join per boundary holds ~70 rows; 4 boundaries
  assert.ok(copied <= 4 * 80, `${copied} rows were parsed from copies`);
});

test('CSV goes through the same reader: same rows for any buffer size', async () => {
  const lines: string[] = [];
  for (let i = 0; i < 5000; i++) lines.push(`${i},"${'c'.repeat(i % 300)}",${i % 2 ? '\\N' : 'x'}`);
  const data = Buffer.from(lines.join('\n') + '\n');
  const csv = { header: false };
  const want = await collect(parseCsv(chunked(data, data.length), { file: 'f.csv', csv }));
  assert.equal(want.rows.length, 5000);
  for (const size of [3, 1000, 16 << 10, 1 << 20]) {
    assert.deepEqual((await collect(parseCsv(chunked(data, size), { file: 'f.csv', csv }))).rows, want.rows, `input buffers of ${size} bytes`);
  }
});

test('fill: eof only when the input is exhausted, a kept tail larger than the maximum is an error', async () => {
  const rd = new ChunkReader(chunked('abcdefghij', 4), 0, 'f', 6);
  assert.equal(await rd.fill(0, 1), true);
  assert.equal(rd.buf.toString(), 'abcd');
  assert.equal(await rd.fill(4, 1), true); // nothing kept: the next input buffer itself
  assert.equal(rd.buf.toString(), 'efgh');
  assert.equal(rd.eof, false);
  assert.equal(await rd.fill(2, 1), true); // keeps 'gh' and joins up to 16 KiB: the rest of the input
  assert.equal(rd.buf.toString(), 'ghij');
  assert.equal(rd.base, 6);
  assert.equal(rd.eof, true);
  assert.equal(await rd.fill(4, 1), false);
  assert.equal(rd.buf.length, 0);
  const big = new ChunkReader(chunked('x'.repeat(20), 8), 0, 'f', 6);
  await big.fill(0, 1);
  await assert.rejects(big.fill(0, 3), /larger than the maximum row size 6/);
});
