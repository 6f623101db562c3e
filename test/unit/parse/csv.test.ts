import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCsv, checkColumnCount, nextTerminator, type CsvOptions } from '../../../src/parse/csv.js';
import { FieldKind } from '../../../src/parse/types.js';
import { Codes } from '../../../src/errors.js';
import { chunked, collect, expectError } from './util.js';

const S = FieldKind.Str;
const vals = (rows: Array<{ v: Array<[number, string] | null> }>) => rows.map((r) => r.v.map((x) => (x === null ? null : x[1])));

async function csv(text: string | Buffer, o: Partial<CsvOptions> = {}, size = 3) {
  return collect(parseCsv(chunked(text, size), { file: 'f.csv', csv: { header: false, ...o } }));
}

for (const size of [1, 2, 5, 1 << 16]) {
  test(`default options: quotes, doubled delimiters, escapes, \\N, empty lines (chunk ${size})`, async () => {
    const text = 'a,b,c\n1,"x,y","q""q"\r\n\n2,\\N,"\\N"\n3,NULL,"a\\"b\\n\\\\"\n  \n4,,""\n5,x\\,y,z';
    const { rows, batches } = await csv(text, { header: true }, size);
    assert.deepEqual(batches[0]!.columns, ['a', 'b', 'c']);
    assert.deepEqual(vals(rows), [
      ['1', 'x,y', 'q"q'],
      ['2', null, null],
      ['3', 'NULL', 'a"b\n\\'],
      ['4', '', ''],
      ['5', 'x,y', 'z'],
    ]);
    assert.deepEqual(rows.map((r) => r.rowNo), [1, 2, 3, 4, 5]);
    assert.equal(rows[0]!.v[1]![0], S);
    const raw = Buffer.from(text, 'latin1');
    assert.equal(raw.toString('latin1', rows[1]!.offset, rows[1]!.end), '2,\\N,"\\N"\n');
  });
}

test('multi-byte separator, delimiter and terminator', async () => {
  const o = { separator: '||', delimiter: "''", terminator: '#END#\n' };
  const { rows } = await csv("1||''a||b''||c#END#\n2||''x#END#\ny''''z''||#END#\n", o, 2);
  assert.deepEqual(vals(rows), [['1', 'a||b', 'c'], ['2', "x#END#\ny''z", '']]);
});

test('null list, not-null, quoted NULL is text', async () => {
  let r = await csv('NULL,"NULL",\\N,,x\n', { null: ['NULL', '\\N', ''] });
  assert.deepEqual(vals(r.rows), [[null, 'NULL', null, null, 'x']]);
  r = await csv('NULL,\\N,\n', { null: ['NULL', '\\N'], notNull: true });
  assert.deepEqual(vals(r.rows), [['NULL', 'N', '']]);
  r = await csv('\\\\N,x\n', {});
  assert.deepEqual(vals(r.rows), [['\\N', 'x']]);
});

test('no escapes: backslash-escape=false / escaped-by=""', async () => {
  let r = await csv('a\\n,"b\\"\n', { backslashEscape: false });
  assert.deepEqual(vals(r.rows), [['a\\n', 'b\\']]);
  r = await csv('\\N,x\n', { escapedBy: '' });
  assert.deepEqual(vals(r.rows), [[null, 'x']]);
});

test('empty delimiter means no quoting', async () => {
  const r = await csv('"a",b"c\n', { delimiter: '' });
  assert.deepEqual(vals(r.rows), [['"a"', 'b"c']]);
});

test('trim-last-separator and tab separator', async () => {
  const r = await csv('1\t2\t\n3\t\t\n', { separator: '\t', trimLastSeparator: true });
  assert.deepEqual(vals(r.rows), [['1', '2'], ['3', '']]);
});

test('header-schema-match=false skips the header', async () => {
  const r = await csv('A,B\n1,2\n', { header: true, headerSchemaMatch: false });
  assert.equal(r.batches[0]!.columns, null);
  assert.deepEqual(vals(r.rows), [['1', '2']]);
});

test('resume at a row boundary keeps the header columns', async () => {
  const text = 'a,b\n1,x\n2,y\n3,z\n';
  const all = await csv(text, { header: true });
  const cut = all.rows[0]!.end;
  const r = await collect(parseCsv(chunked(text.slice(cut), 2), { file: 'f', startOffset: cut, columns: ['a', 'b'] }));
  assert.deepEqual(vals(r.rows), [['2', 'y'], ['3', 'z']]);
  assert.deepEqual(r.rows.map((x) => x.offset), all.rows.slice(1).map((x) => x.offset));
  assert.deepEqual(r.batches[0]!.columns, ['a', 'b']);
});

test('unclosed quote at EOF', async () => {
  const e = await expectError(csv('1,"abc\n2,x\n'));
  assert.equal(e.code, Codes.UnclosedQuote);
  assert.equal(e.context.offset, 2);
  assert.equal(e.context.row, 1);
  assert.equal(e.context.file, 'f.csv');
});

test('content after a closing quote / quote inside an unquoted field', async () => {
  let e = await expectError(csv('1,"a"b,c\n'));
  assert.equal(e.code, Codes.Syntax);
  assert.equal(e.context.offset, 5);
  e = await expectError(csv('1,2\n3,a"b"\n'));
  assert.equal(e.code, Codes.Syntax);
  assert.equal(e.context.offset, 7);
  assert.equal(e.context.row, 2);
});

test('wrong column count', async () => {
  const { batches } = await csv('1,2\n3\n');
  checkColumnCount(batches[0]!.rows[0]!, 2, { file: 'f.csv' });
  assert.throws(() => checkColumnCount(batches[0]!.rows[1]!, 2, { file: 'f.csv', table: '`a`.`b`' }),
    (e: { code: string; context: Record<string, unknown> }) => e.code === Codes.ColumnCount && e.context.offset === 4 && e.context.row === 2);
});

test('row too large', async () => {
  async function* huge(): AsyncGenerator<Buffer> {
    yield Buffer.from('1,"');
    const b = Buffer.alloc(1 << 20, 0x61);
    for (let i = 0; i < 100; i++) yield b;
  }
  const before = process.memoryUsage().rss;
  const e = await expectError(collect(parseCsv(huge(), { file: 'big.csv', csv: { header: false }, maxRowSize: 1 << 20 })));
  assert.equal(e.code, Codes.RowTooLarge);
  assert.equal(e.context.offset, 0);
  assert.ok(process.memoryUsage().rss - before < 64 << 20);
});

test('nextTerminator', () => {
  const b = Buffer.from('ab\r\ncd\ref\n');
  assert.equal(nextTerminator(b, 0, ''), 4);
  assert.equal(nextTerminator(b, 4, ''), 7);
  assert.equal(nextTerminator(b, 0, '\n'), 4);
  assert.equal(nextTerminator(b, 10, '\n'), -1);
});

test('trim-last-separator keeps a trailing \\N; NULL fields have empty values', async () => {
  const r = await csv('1,\\N\n2,\n', { trimLastSeparator: true });
  assert.deepEqual(vals(r.rows), [['1', null], ['2']]);
  assert.equal(r.batches[0]!.rows[0]!.fields[1]!.value.length, 0);
  const n = await csv('NULL\n', { null: ['NULL'] });
  assert.equal(n.batches[0]!.rows[0]!.fields[0]!.value.length, 0);
});

for (const size of [1, 3, 1 << 16]) {
  test(`starting-by: lines without the prefix are skipped, text before it dropped (chunk ${size})`, async () => {
    const text = 'junk\nxxx1,a\nfooxxx2,"b\nc"\n\nxxx\nnope,1\nzzxxx3,d';
    const { rows } = await csv(text, { startingBy: 'xxx' }, size);
    assert.deepEqual(vals(rows), [['1', 'a'], ['2', 'b\nc'], ['3', 'd']]);
    const raw = Buffer.from(text, 'latin1');
    assert.equal(raw.toString('latin1', rows[1]!.offset, rows[1]!.end), 'fooxxx2,"b\nc"\n');
    assert.deepEqual(vals((await csv('a;;PFX1;2;;b;;PFX3;4;;', { startingBy: 'PFX', terminator: ';;', separator: ';' }, size)).rows), [['1', '2'], ['3', '4']]);
  });
}

test('allow-empty-line: an empty line is a row of one empty field; EOF after a terminator is not', async () => {
  const r = await csv('1,a\n\n2,b\n  \n', { allowEmptyLine: true });
  assert.deepEqual(vals(r.rows), [['1', 'a'], [''], ['2', 'b'], ['  ']]);
  assert.deepEqual(vals((await csv('1,a\n\n  \n2,b\n', {})).rows), [['1', 'a'], ['2', 'b']]);
});

test('quoted-null-is-text = false: a quoted field from the null list is NULL (Go Lightning LOAD DATA flavour)', async () => {
  const r = await csv('NULL,"NULL","x"\n', { null: ['NULL', 'x'], quotedNullIsText: false });
  assert.deepEqual(vals(r.rows), [[null, null, null]]);
  assert.deepEqual(vals((await csv('"\\\\N"\n', { quotedNullIsText: false })).rows), [['\\N']]);
});

test('unescaped-quote: a delimiter that does not end a field is text', async () => {
  const r = await csv('a"b,"The "BIG" boss","x""y",c\n', { unescapedQuote: true }, 2);
  assert.deepEqual(vals(r.rows), [['a"b', 'The "BIG" boss', 'x"y', 'c']]);
  const e = await expectError(csv('a"b,c\n', {}));
  assert.equal(e.code, Codes.Syntax);
});

test('a UTF-8 BOM at offset 0 is skipped (header and data); not when resuming', async () => {
  const text = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('id,v\n1,a\n')]);
  const { rows, batches } = await csv(text, { header: true }, 1);
  assert.deepEqual(batches[0]!.columns, ['id', 'v']);
  assert.deepEqual(vals(rows), [['1', 'a']]);
  assert.equal(rows[0]!.offset, 8);
});

test('starting-by must not contain the terminator', async () => {
  const e = await expectError(csv('x\n', { startingBy: 'a\nb' }));
  assert.equal(e.code, Codes.InvalidArgument);
});
