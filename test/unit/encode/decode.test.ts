// The decoder against TiDB's own bytes (table-row vectors) and its text forms.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import path from 'node:path';
import { fromVectorTableInfo } from '../../../src/encode/schema/model.js';
import { buildTableInfo } from '../../../src/encode/schema/create-table.js';
import { TableEncoder } from '../../../src/encode/table.js';
import { convertField, fieldFromInput } from '../../../src/encode/convert.js';
import { makeSession } from '../../../src/encode/session.js';
import { K, type Datum } from '../../../src/encode/datum.js';
import { Flag } from '../../../src/encode/types.js';
import {
  decodeKv, decodeRecord, decodeIndex, parseKey, splitIndexValue, datumText, describeKv, formatFloat, selectRow, selectColumns,
} from '../../../src/encode/index.js';
import { LightningError, Codes } from '../../../src/errors.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const file = path.join(root, '..', 'shared', 'vectors', 'table-row.json');

interface Case { name: string; table_info: Parameters<typeof fromVectorTableInfo>[0]; row: unknown[]; sql_mode: string; time_zone?: string; expect: { key: string; val: string }[] }

const show = (x: unknown): string => JSON.stringify(x, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
/** TiDB stores -0.0 as +0.0 */
const norm = (d: Datum): Datum => (d.k === K.Float && Object.is(d.v, -0) ? { ...d, v: 0 } : d);

test('TiDB-encoded table rows decode to the converted input values (record and every index)', { skip: !existsSync(file) && 'no vectors' }, () => {
  const cases = JSON.parse(readFileSync(file, 'utf8')) as Case[];
  const fails: string[] = [];
  let checkedIdx = 0;
  for (const c of cases) {
    const t = fromVectorTableInfo(c.table_info);
    const s = makeSession(c.sql_mode, c.time_zone ?? 'UTC');
    const rec = decodeKv(t, Buffer.from(c.expect[0]!.key, 'hex'), Buffer.from(c.expect[0]!.val, 'hex'));
    assert.equal(rec.type, 'record', c.name);
    if (rec.type !== 'record') continue;
    t.cols.forEach((col, i) => {
      const input = c.row[i];
      if (input === null && (col.default != null || (col.type.Flag & Flag.NotNull) !== 0)) return; // default/zero value
      const want = norm(convertField(fieldFromInput(input), col.type, s));
      if (!isDeepStrictEqual(rec.values[col.offset], want)) fails.push(`${c.name} ${col.name.O}: got ${show(rec.values[col.offset])} want ${show(want)}`);
    });
    for (const p of c.expect.slice(1)) {
      const ix = decodeKv(t, Buffer.from(p.key, 'hex'), Buffer.from(p.val, 'hex'));
      if (ix.type !== 'index') { fails.push(`${c.name}: index pair decoded as ${ix.type}`); continue; }
      if (show(ix.handle) !== show(rec.handle)) fails.push(`${c.name} ${ix.index.idx_name.O}: handle ${show(ix.handle)} vs ${show(rec.handle)}`);
      ix.values.forEach((d, i) => {
        if (!ix.exact[i]) return;
        checkedIdx++;
        const want = rec.values[ix.index.idx_cols[i]!.offset]!;
        if (!isDeepStrictEqual(d, want)) fails.push(`${c.name} ${ix.index.idx_name.O}[${i}]: got ${show(d)} want ${show(want)}`);
      });
    }
  }
  assert.deepEqual(fails.slice(0, 10), []);
  assert.ok(checkedIdx > 200, `only ${checkedIdx} exact index values checked`);
});

const ddl = `CREATE TABLE t (
  id bigint unsigned NOT NULL, a int(5) zerofill, y year, f float, d double, dec decimal(10,2), dt datetime(3),
  ts timestamp(2) NULL, tm time(1), e enum('x','y'), st set('a','b','c'), b bit(10), j json, s varchar(10) COLLATE utf8mb4_general_ci,
  bin varbinary(8), PRIMARY KEY (id), UNIQUE KEY uk_s (s), KEY k_dt (dt, a)) DEFAULT CHARSET=utf8mb4`;

function encodeOne(sqlTimeZone = 'UTC'): { t: ReturnType<typeof buildTableInfo>; pairs: { key: Buffer; val: Buffer }[] } {
  const t = buildTableInfo(ddl, { tableID: 42 });
  const enc = new TableEncoder(t, { sqlMode: 'STRICT_TRANS_TABLES', timeZone: sqlTimeZone });
  const row = ['18446744073709551615', '7', '99', '1.1', '-2.5e-20', '-3.456', '2024-02-29 23:59:59.9996', '2030-01-01 08:00:00.125', '-12:34:56.78', 'y', 'c,a', { hex: '0203' }, '{"k": [1, 2.5, "x", null]}', 'Grüße ', { hex: '00ff' }];
  return { t, pairs: enc.encodeRow(row.map(fieldFromInput), 1) };
}

test('datumText is the MySQL text form of every type', () => {
  const { t, pairs } = encodeOne('+08:00');
  const r = decodeRecord(t, pairs[0]!.key, pairs[0]!.val);
  const text = t.cols.map((c) => datumText(r.values[c.offset]!, c.type, { timeZone: '+08:00' })?.toString('latin1'));
  assert.deepEqual(text, [
    '18446744073709551615', '00007', '1999', '1.1', '-2.5e-20', '-3.46', '2024-03-01 00:00:00.000', '2030-01-01 08:00:00.13',
    '-12:34:56.8', 'y', 'a,c', '\x02\x03', '{"k": [1, 2.5, "x", null]}', Buffer.from('Grüße ').toString('latin1'), '\x00\xff',
  ]);
  // stored as UTC
  assert.equal(datumText(r.values[7]!, t.cols[7]!.type)?.toString(), '2030-01-01 00:00:00.13');
});

test('selectRow: the record as SELECT * returns it', () => {
  const t = buildTableInfo('CREATE TABLE s (a int, b varchar(10), c timestamp NULL, PRIMARY KEY (a))', { tableID: 9 });
  const enc = new TableEncoder(t, { timeZone: '+08:00' });
  const [rec] = enc.encodeRow(['7', null, '2024-05-06 07:08:09'].map(fieldFromInput), 1);
  assert.deepEqual(selectColumns(t).map((c) => c.name.O), ['a', 'b', 'c']);
  assert.deepEqual(selectRow(t, rec!.key, rec!.val, { timeZone: '+08:00' }).map((v) => v?.toString() ?? null), ['7', null, '2024-05-06 07:08:09']);
});

test('index entries decode: unique (handle in value), non-unique (handle in key), sort-key-only marks', () => {
  const { t, pairs } = encodeOne();
  const uk = decodeIndex(t, pairs[1]!.key, pairs[1]!.val);
  assert.equal(uk.index.idx_name.O, 'uk_s');
  assert.equal(uk.distinct, true);
  assert.deepEqual(uk.handle, { int: -1n }); // u64 max as int64 bits
  assert.equal((uk.values[0] as { v: Buffer }).v.toString(), 'Grüße '); // restored data, trailing space kept
  assert.deepEqual(uk.exact, [true]);
  const k = decodeIndex(t, pairs[2]!.key, pairs[2]!.val);
  assert.equal(k.distinct, false);
  assert.deepEqual(k.handle, { int: -1n });
  assert.deepEqual(k.exact, [true, true]);
  assert.equal(datumText(k.values[1]!, t.cols[1]!.type)?.toString(), '00007');
  // decodeRecord rejects an index key, decodeIndex a record key, both with the codec code
  assert.throws(() => decodeRecord(t, pairs[1]!.key, pairs[1]!.val), (e: unknown) => e instanceof LightningError && e.code === Codes.KVCodec);
  assert.throws(() => decodeIndex(t, pairs[0]!.key, pairs[0]!.val), (e: unknown) => e instanceof LightningError && e.code === Codes.KVCodec);
});

test('corrupt values and foreign keys are coded errors naming the table', () => {
  const { t, pairs } = encodeOne();
  const cut = pairs[0]!.val.subarray(0, 20);
  assert.throws(() => decodeRecord(t, pairs[0]!.key, cut), (e: unknown) => e instanceof LightningError && e.code === Codes.KVCodec && e.context.table === 't');
  const other = Buffer.from(pairs[0]!.key);
  other[8] = 99; // table id 99
  assert.throws(() => decodeRecord(t, other, pairs[0]!.val), /not to t \(id 42\)/);
});

test('parseKey and splitIndexValue layouts', () => {
  assert.deepEqual(parseKey(Buffer.from('7480000000000000495f728000000000000001', 'hex')), { type: 'record', tableID: 73n, handle: { int: 1n } });
  assert.equal(parseKey(Buffer.from('6d42', 'hex')).type, 'other');
  assert.deepEqual(splitIndexValue(Buffer.from('30', 'hex')), { version: 0 });
  assert.deepEqual(splitIndexValue(Buffer.from('0000000000000005', 'hex')), { version: 0, intHandle: 5n });
  assert.deepEqual(splitIndexValue(Buffer.from('007d01', 'hex')), { version: 1 });
  const v1 = splitIndexValue(Buffer.from('007d017f000a' + Buffer.from('abcdefghij').toString('hex'), 'hex'));
  assert.deepEqual(v1.commonHandle, Buffer.from('abcdefghij'));
  assert.deepEqual(splitIndexValue(Buffer.from('007d000000000005', 'hex')), { version: 0, intHandle: 0x7d000000000005n }); // a handle, not a version flag
  const v0 = splitIndexValue(Buffer.from('08' + '800001000000000100' + 'fffffffffffffffe', 'hex'));
  assert.equal(v0.intHandle, -2n);
  assert.ok(v0.restored && v0.restored[0] === 0x80);
});

test('describeKv names table, handle and columns; other keys are still split', () => {
  const { t, pairs } = encodeOne();
  const rec = describeKv(t, pairs[0]!.key.toString('hex'), pairs[0]!.val.toString('hex'));
  assert.match(rec, /^record of table t \(id 42\)\nhandle -1 \(int handle\)\nrow format v2/);
  assert.match(rec, /\n {2}id +bigint unsigned +18446744073709551615\n/);
  assert.match(rec, /\n {2}s +varchar\(10\) utf8mb4_general_ci +'Grüße '\n/);
  assert.match(rec, /\n {2}bin +varbinary\(8\) +0x00ff$/);
  const idx = describeKv(t, pairs[1]!.key.toString('hex'), pairs[1]!.val.toString('hex'));
  assert.match(idx, /^unique index uk_s \(id 1\) entry of table t \(id 42\)\nhandle -1 \(int handle\), in the value/);
  const foreign = describeKv(null, '7480000000000000495f728000000000000001', '00');
  assert.match(foreign, /^record of table id 73\nhandle 1 \(int handle\)/);
  assert.throws(() => describeKv(t, 'xyz', ''), (e: unknown) => e instanceof LightningError && e.code === Codes.InvalidArgument);
});

test('formatFloat follows TiDB display rules', () => {
  assert.equal(formatFloat(0.1, false), '0.1');
  assert.equal(formatFloat(1e15, false), '1e15');
  assert.equal(formatFloat(123456789012345, false), '123456789012345');
  assert.equal(formatFloat(1.5e-16, false), '1.5e-16');
  assert.equal(formatFloat(1e-7, false), '0.0000001');
  assert.equal(formatFloat(Math.fround(1.1), true), '1.1');
  assert.equal(formatFloat(Math.fround(16777217), true), '16777216');
});
