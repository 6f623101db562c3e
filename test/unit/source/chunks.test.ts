import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTableChunks, COMPRESSED_SIZE_INF } from '../../../src/source/chunks.js';
import type { DataFile } from '../../../src/source/types.js';
import { parseCsv } from '../../../src/parse/csv.js';
import { openDataFile } from '../../../src/source/open.js';

let dir = '';
const df = (path: string, size: number, type: DataFile['type'] = 'csv', compression: DataFile['compression'] = 'none'): DataFile =>
  ({ path, type, compression, size, sortKey: '', mtimeMs: 0 });

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'chunks-'));
  const lines = ['a,b,c'];
  for (let i = 0; i < 5000; i++) lines.push(`${i},"v${i}",${i * 3}`);
  writeFileSync(join(dir, 'big.csv'), lines.join('\r\n') + '\r\n');
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('one chunk per file, cumulative non-overlapping row-ID ranges', async () => {
  const ch = await makeTableChunks({ dataFiles: [df('a.sql', 1000, 'sql'), df('b.csv', 300), df('c.sql.gz', 10, 'sql', 'gzip')] }, { root: dir, columnCount: 3 });
  assert.deepEqual(ch.map((c) => [c.offset, c.endOffset, c.prevRowIdMax, c.rowIdMax]), [
    [0, 1000, 0, 200], [0, 300, 200, 300], [0, COMPRESSED_SIZE_INF, 300, 300 + Math.ceil(COMPRESSED_SIZE_INF / 5)],
  ]);
});

test('strict-format CSV is split at terminators; chunks parse to exactly the whole file', async () => {
  const size = readFileSync(join(dir, 'big.csv')).length;
  const f = df('big.csv', size);
  const ch = await makeTableChunks({ dataFiles: [f] }, { root: dir, columnCount: 3, strictFormat: true, maxRegionSize: 10000 });
  assert.ok(ch.length > 5);
  const data = readFileSync(join(dir, 'big.csv'));
  let prevEnd = 0, prevRow = 0;
  const all: string[] = [];
  let columns: string[] | null = null;
  for (const c of ch) {
    assert.equal(c.offset, prevEnd);
    assert.equal(c.prevRowIdMax, prevRow);
    assert.ok(c.endOffset === size || data[c.endOffset - 1] === 0x0a);
    let n = 0;
    for await (const b of parseCsv(openDataFile(dir, f, { offset: c.offset, end: c.endOffset }), { file: f.path, startOffset: c.offset, columns })) {
      columns = b.columns;
      for (const r of b.rows) { all.push(r.fields[0]!.value.toString()); n++; assert.ok(r.end <= c.endOffset); }
    }
    assert.ok(n <= c.rowIdMax - c.prevRowIdMax, 'row estimate is an upper bound');
    prevEnd = c.endOffset; prevRow = c.rowIdMax;
  }
  assert.equal(prevEnd, size);
  assert.deepEqual(all, Array.from({ length: 5000 }, (_, i) => String(i)));
  const again = await makeTableChunks({ dataFiles: [f] }, { root: dir, columnCount: 3, strictFormat: true, maxRegionSize: 10000 });
  assert.deepEqual(again, ch, 'deterministic');
  const small = await makeTableChunks({ dataFiles: [f] }, { root: dir, columnCount: 3, strictFormat: true, maxRegionSize: Math.ceil(size / 1.1) });
  assert.equal(small.length, 1, 'not split below max-region-size * 1.1');
});
