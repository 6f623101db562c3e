import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSql } from '../../../src/parse/sql.js';
import { sqlModeFlags } from '../../../src/parse/sql-mode.js';
import { makeFieldDecoder } from '../../../src/parse/charset.js';
import { FieldKind } from '../../../src/parse/types.js';
import { Codes } from '../../../src/errors.js';
import { chunked, collect, expectError } from './util.js';

const S = FieldKind.Str, N = FieldKind.Num, B = FieldKind.Bin, W = FieldKind.Word, BT = FieldKind.Bits;

const DUMP = `/*!40101 SET NAMES binary*/;
/*!40014 SET FOREIGN_KEY_CHECKS=0*/;
-- a comment
# another
SET @x = 'a;b';
INSERT INTO \`db\`.\`t\` VALUES
(1,"a\\"b",'c''d',NULL,'NULL',''),
(-2.5e3,0xABC,X'00ff',b'101',_binary 'x\\0y',_utf8mb4'中'),
(+3 , "\\0\\b\\n\\r\\t\\Z\\\\\\%\\_\\q" , DEFAULT , "" /* c */ , x'' , N'n');
REPLACE INTO t (\`a\`, b, \`c\`\`d\`) VALUES (1,2,3);
`;

for (const size of [1, 2, 3, 7, 64, 1 << 20]) {
  test(`sql dump parses every literal form (chunk size ${size})`, async () => {
    const { rows, batches } = await collect(parseSql(chunked(Buffer.from(DUMP, 'utf8'), size), { file: 'f.sql' }));
    assert.equal(rows.length, 4);
    assert.deepEqual(rows[0]!.v, [[N, '1'], [S, 'a"b'], [S, "c'd"], null, [S, 'NULL'], [S, '']]);
    assert.deepEqual(rows[1]!.v, [[N, '-2.5e3'], [B, '\x0a\xbc'], [B, '\x00\xff'], [BT, '\x05'], [B, 'x\0y'],
      [S, Buffer.from('中', 'utf8').toString('latin1')]]);
    assert.deepEqual(rows[2]!.v, [[N, '+3'], [S, '\0\b\n\r\t\x1a\\\\%\\_q'], [W, 'DEFAULT'], [S, ''], [B, ''], [S, 'n']]);
    assert.deepEqual(rows[3]!.v, [[N, '1'], [N, '2'], [N, '3']]);
    assert.deepEqual(rows.map((r) => r.rowNo), [1, 2, 3, 4]);
    const last = batches.at(-1)!;
    assert.deepEqual(last.columns, ['a', 'b', 'c`d']);
    assert.equal(last.verb, 'REPLACE');
    assert.equal(batches[0]!.columns, null);
    const raw = Buffer.from(DUMP, 'utf8');
    for (const r of rows) {
      assert.equal(raw[r.offset], 0x28);
      assert.equal(raw[r.end - 1], 0x29);
    }
  });
}

test('resume in the middle of a VALUES list', async () => {
  const full = "INSERT INTO t (a,b) VALUES (1,'a'),\n(2,'b'),\n(3,'c'),(4,'d');\nINSERT INTO t VALUES (5,'e');";
  const { rows } = await collect(parseSql(chunked(full, 5), { file: 'f' }));
  const cut = rows[1]!.end;
  const { rows: r2, batches } = await collect(parseSql(chunked(full.slice(cut), 4), { file: 'f', startOffset: cut, columns: ['a', 'b'], verb: 'INSERT' }));
  assert.deepEqual(r2.map((r) => r.v[1]![1]), ['c', 'd', 'e']);
  assert.deepEqual(r2.map((r) => r.offset), rows.slice(2).map((r) => r.offset));
  assert.deepEqual(batches[0]!.columns, ['a', 'b']);
  assert.equal(batches.at(-1)!.columns, null);
});

test('rows stay valid after later chunks arrive', async () => {
  const rows: Buffer[] = [];
  const text = 'INSERT INTO t VALUES ' + Array.from({ length: 500 }, (_, i) => `('v${i}')`).join(',') + ';';
  for await (const b of parseSql(chunked(text, 13), { file: 'f', batchRows: 7 })) for (const r of b.rows) rows.push(r.fields[0]!.value);
  assert.deepEqual(rows.map((b) => b.toString()), Array.from({ length: 500 }, (_, i) => `v${i}`));
});

test('all 256 byte values survive in a mydumper-style string', async () => {
  const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  // mydumper 0.10 escapes only \0 \n ' " and backslash
  const esc: number[] = [];
  for (const c of bytes) {
    if (c === 0) esc.push(0x5c, 0x30);
    else if (c === 0x0a) esc.push(0x5c, 0x6e);
    else if (c === 0x27 || c === 0x22 || c === 0x5c) esc.push(0x5c, c);
    else esc.push(c);
  }
  const dump = Buffer.concat([Buffer.from('INSERT INTO `t` VALUES\n(1,"'), Buffer.from(esc), Buffer.from('");\n')]);
  for (const size of [1, 5, 1000]) {
    const out: Buffer[] = [];
    for await (const b of parseSql(chunked(dump, size), { file: 'f' })) out.push(b.rows[0]!.fields[1]!.value);
    assert.deepEqual(out[0], bytes);
  }
});

test('unclosed quote at EOF', async () => {
  const e = await expectError(collect(parseSql(chunked("INSERT INTO t VALUES (1,'abc", 3), { file: 'x.sql' })));
  assert.equal(e.code, Codes.UnclosedQuote);
  assert.equal(e.context.file, 'x.sql');
  assert.equal(e.context.offset, 24);
  assert.equal(e.context.row, 1);
});

test('garbage between rows', async () => {
  const e = await expectError(collect(parseSql(chunked("INSERT INTO t VALUES (1,'a') xx (2,'b');", 4), { file: 'x.sql' })));
  assert.equal(e.code, Codes.Syntax);
  assert.equal(e.context.offset, 29);
  assert.equal(e.context.row, 2);
  assert.match(e.message, /between rows/);
});

test('garbage inside a row and truncated statement', async () => {
  let e = await expectError(collect(parseSql(chunked('INSERT INTO t VALUES (1 2);', 4), { file: 'x.sql' })));
  assert.equal(e.code, Codes.Syntax);
  assert.equal(e.context.offset, 24);
  e = await expectError(collect(parseSql(chunked('INSERT INTO t VALUES (1,2),(3', 4), { file: 'x.sql' })));
  assert.equal(e.code, Codes.Syntax);
  assert.equal(e.context.row, 2);
  assert.match(e.message, /ends too early/);
  e = await expectError(collect(parseSql(chunked('INSERT INTO t VALUES (1,2)', 4), { file: 'x.sql' })));
  assert.match(e.message, /ends too early.*expected ',' or ';'/);
});

test('row larger than maxRowSize is an error, not an allocation of the whole input', async () => {
  async function* huge(): AsyncGenerator<Buffer> {
    yield Buffer.from("INSERT INTO t VALUES (1,'");
    const block = Buffer.alloc(1 << 20, 0x61);
    for (let i = 0; i < 100; i++) yield block;
    yield Buffer.from("');");
  }
  const before = process.memoryUsage().rss;
  const e = await expectError(collect(parseSql(huge(), { file: 'big.sql', maxRowSize: 4 << 20 })));
  assert.equal(e.code, Codes.RowTooLarge);
  assert.ok(e.context.offset === 20 || e.context.offset === 21);
  assert.equal(e.context.row, 1);
  assert.ok(process.memoryUsage().rss - before < 64 << 20, 'RSS stays bounded');
});

test('a large row under the limit parses in linear time', async () => {
  async function* big(): AsyncGenerator<Buffer> {
    yield Buffer.from("INSERT INTO t VALUES (1,'");
    const block = Buffer.alloc(64 << 10, 0x62);
    for (let i = 0; i < 320; i++) yield block; // 20 MiB in 64 KiB chunks
    yield Buffer.from("');");
  }
  const t = Date.now();
  const { rows } = await collect(parseSql(big(), { file: 'f' }));
  assert.equal(rows[0]!.v[1]![1].length, 20 << 20);
  assert.ok(Date.now() - t < 5000);
});

test('batches split by rows and bytes, and on column changes', async () => {
  const text = 'INSERT INTO t VALUES (1),(2),(3);INSERT INTO t (a) VALUES (4);';
  const { batches } = await collect(parseSql(chunked(text, 100), { file: 'f', batchRows: 2 }));
  assert.deepEqual(batches.map((b) => b.rows.length), [2, 1, 1]);
});

test('NO_BACKSLASH_ESCAPES keeps backslashes', async () => {
  const { rows } = await collect(parseSql(chunked("INSERT INTO t VALUES ('a\\n''b');", 3), { file: 'f', noBackslashEscapes: true }));
  assert.deepEqual(rows[0]!.v, [[S, "a\\n'b"]]);
});

for (const size of [1, 4, 1 << 16]) {
  test(`ANSI_QUOTES: "..." names with "" and literal backslash; a double-quoted value is an error (chunk ${size})`, async () => {
    const flags = sqlModeFlags('ONLY_FULL_GROUP_BY,ANSI');
    assert.deepEqual(flags, { ansiQuotes: true, noBackslashEscapes: false });
    const text = 'SET @a = "x\\";\nINSERT INTO "db"."t" ("a\\", "b""c") VALUES (\'1\\\'\',2);';
    const { rows, batches } = await collect(parseSql(chunked(text, size), { file: 'a.sql', ...flags }));
    assert.deepEqual(batches[0]!.columns, ['a\\', 'b"c']);
    assert.deepEqual(rows.map((r) => r.v), [[[S, "1'"], [N, '2']]]);
    const e = await expectError(collect(parseSql(chunked('INSERT INTO t VALUES (1,"x");', size), { file: 'a.sql', ...flags })));
    assert.equal(e.code, Codes.Syntax);
    assert.equal(e.context.offset, 24);
    assert.match(e.message, /ANSI_QUOTES/);
  });
}

test('sqlModeFlags: NO_BACKSLASH_ESCAPES, case and spaces, default mode', async () => {
  assert.deepEqual(sqlModeFlags(' no_backslash_escapes , ansi_quotes'), { ansiQuotes: true, noBackslashEscapes: true });
  assert.deepEqual(sqlModeFlags('ONLY_FULL_GROUP_BY,NO_AUTO_CREATE_USER'), { ansiQuotes: false, noBackslashEscapes: false });
  const { rows } = await collect(parseSql(chunked("INSERT INTO t VALUES ('a\\n\\');", 3), { file: 'n.sql', ...sqlModeFlags('NO_BACKSLASH_ESCAPES') }));
  assert.deepEqual(rows.map((r) => r.v), [[[S, 'a\\n\\']]]);
});

test('data-character-set for SQL: string values decoded (gbk), invalid utf8mb4 names the row, hex and _binary kept; a BOM is skipped', async () => {
  const gbk = Buffer.from([0xd6, 0xd0, 0xce, 0xc4]); // 中文
  const text = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("INSERT INTO t VALUES ('"), gbk, Buffer.from("',_binary '"), gbk, Buffer.from("',0xD6D0);")]);
  const got: Buffer[][] = [];
  for await (const b of parseSql(chunked(text, 2), { file: 'g.sql', decode: makeFieldDecoder('gbk') })) got.push(...b.rows.map((r) => r.fields.map((f) => f.value)));
  assert.deepEqual(got.map((r) => r.map((v) => v.toString('hex'))), [[Buffer.from('中文').toString('hex'), gbk.toString('hex'), 'd6d0']]);
  const e = await expectError(collect(parseSql(chunked(Buffer.from("INSERT INTO t VALUES ('ok'),('\xff');", 'latin1'), 5), { file: 'u.sql', decode: makeFieldDecoder('utf8mb4') })));
  assert.equal(e.code, Codes.InvalidCharset);
  assert.equal(e.context.row, 2);
  assert.equal(e.context.offset, 28);
});
