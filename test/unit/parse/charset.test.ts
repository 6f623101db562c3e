import { test } from 'node:test';
import assert from 'node:assert/strict';
import iconv from 'iconv-lite';
import { makeFieldDecoder, decodeSchemaText, firstInvalidUtf8 } from '../../../src/parse/charset.js';
import { parseCsv } from '../../../src/parse/csv.js';
import { Codes } from '../../../src/errors.js';
import { chunked, collect, expectError } from './util.js';

test('binary and ascii pass through', () => {
  assert.equal(makeFieldDecoder('binary'), undefined);
  assert.equal(makeFieldDecoder('ascii'), undefined);
});

test('gbk, gb18030, latin1 (cp1252) decode to UTF-8 with replacement', () => {
  const ctx = { file: 'f' };
  assert.equal(makeFieldDecoder('gbk')!(iconv.encode('中文,abc', 'gbk'), ctx).toString(), '中文,abc');
  assert.equal(makeFieldDecoder('gb18030')!(iconv.encode('😀中', 'gb18030'), ctx).toString(), '😀中');
  assert.equal(makeFieldDecoder('latin1')!(Buffer.from([0x80, 0xe9]), ctx).toString(), '€é');
  assert.equal(makeFieldDecoder('gbk', '?')!(Buffer.from([0x61, 0x81]), ctx).toString(), 'a?');
});

test('invalid UTF-8 under utf8mb4 is an InvalidCharset error with file, offset, row', async () => {
  const data = Buffer.concat([Buffer.from('1,ok\n2,b'), Buffer.from([0xc3, 0x28]), Buffer.from('\n')]);
  const e = await expectError(collect(parseCsv(chunked(data, 3), { file: 'x.csv', csv: { header: false }, decode: makeFieldDecoder('utf8mb4') })));
  assert.equal(e.code, Codes.InvalidCharset);
  assert.equal(e.context.file, 'x.csv');
  assert.equal(e.context.offset, 5);
  assert.equal(e.context.row, 2);
  const ok = await collect(parseCsv(chunked(Buffer.from('中,😀\n'), 1), { file: 'x.csv', csv: { header: false }, decode: makeFieldDecoder('utf8mb4') }));
  assert.equal(ok.rows[0]!.v[1]![1], Buffer.from('😀').toString('latin1'));
});

test('gbk CSV end to end', async () => {
  const data = iconv.encode('名字,值\n张三,"一,二"\n', 'gbk');
  const r = await collect(parseCsv(chunked(data, 2), { file: 'g.csv', decode: makeFieldDecoder('gbk') }));
  assert.deepEqual(r.batches[0]!.columns, ['名字', '值']);
  assert.deepEqual(r.rows[0]!.v.map((x) => Buffer.from(x![1], 'latin1').toString('utf8')), ['张三', '一,二']);
});

test('schema text decoding and firstInvalidUtf8', () => {
  assert.equal(decodeSchemaText(Buffer.from('CREATE TABLE `中` (a int)')), 'CREATE TABLE `中` (a int)');
  assert.equal(decodeSchemaText(iconv.encode('CREATE TABLE `中`', 'gb18030')), 'CREATE TABLE `中`');
  assert.equal(firstInvalidUtf8(Buffer.from([0x61, 0xe4, 0xb8, 0xad, 0xff])), 4);
  assert.equal(firstInvalidUtf8(Buffer.from([0xf0, 0x9f])), 0);
  assert.equal(firstInvalidUtf8(Buffer.from('ok')), -1);
});
