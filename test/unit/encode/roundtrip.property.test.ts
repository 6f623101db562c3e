// Property: for every column type, a random value in its canonical text form encodes (TableEncoder, row
// format v2 and v1, secondary and clustered-PK indexes) and decodes back to the same datum and to the same
// text. Runs 100k rows in total by default (a few seconds); LIGHTNING_RELIABILITY=full (`npm run
// test:codec-full`) or ROUNDTRIP_ROWS_PER_TYPE=N runs 100k (or N) rows per type.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { buildTableInfo } from '../../../src/encode/schema/create-table.js';
import { TableEncoder } from '../../../src/encode/table.js';
import { convertField, fieldFromInput } from '../../../src/encode/convert.js';
import { makeSession } from '../../../src/encode/session.js';
import { K, type Datum } from '../../../src/encode/datum.js';
import { decodeRecord, decodeIndex, datumText, formatFloat } from '../../../src/encode/decode/index.js';
import type { TableInfo } from '../../../src/encode/schema/model.js';

const TYPES_TOTAL = 100_000;
const FULL = process.env.LIGHTNING_RELIABILITY === 'full';
const SQL_MODE = 'STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION';
const TZ = '+05:30';
const SESSION = makeSession(SQL_MODE, TZ);

/** input handed to the encoder (string, {hex} or null) and the text SELECT must give back */
interface Sample { input: string | { hex: string } | null; text: string | Buffer | null; approx?: 'f32' | 'f64' | 'json' }

interface TypeCase { name: string; ddl: string; gen: fc.Arbitrary<Sample>; clustered?: boolean; indexLen?: number }

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
const s = (x: string): Sample => ({ input: x, text: x });
const ints = (min: bigint, max: bigint): fc.Arbitrary<Sample> => fc.bigInt({ min, max }).map((v) => s(String(v)));
const fracDigits = (fsp: number): fc.Arbitrary<string> => (fsp === 0 ? fc.constant('') : fc.integer({ min: 0, max: 10 ** fsp - 1 }).map((f) => '.' + pad(f, fsp)));

function decimal(p: number, sc: number): fc.Arbitrary<Sample> {
  return fc.tuple(fc.boolean(), fc.bigInt({ min: 0n, max: 10n ** BigInt(p - sc) - 1n }), fc.bigInt({ min: 0n, max: 10n ** BigInt(sc) - 1n }))
    .map(([neg, i, f]) => {
      const frac = sc ? '.' + f.toString().padStart(sc, '0') : '';
      const zero = i === 0n && f === 0n;
      return s(`${neg && !zero ? '-' : ''}${i}${frac}`);
    });
}

const date = fc.tuple(fc.integer({ min: 1000, max: 9999 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 31 }))
  .map(([y, m, d]) => `${pad(y, 4)}-${pad(m)}-${pad(Math.min(d, new Date(Date.UTC(y, m, 0)).getUTCDate()))}`);
const clock = fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 59 })).map(([h, m, x]) => `${pad(h)}:${pad(m)}:${pad(x)}`);

function timestamp(fsp: number): fc.Arbitrary<Sample> {
  // 1970-01-01 00:00:01 … 2038-01-19 03:14:07 UTC, written in the session zone (+05:30)
  return fc.tuple(fc.integer({ min: 1, max: 2147483647 }), fracDigits(fsp)).map(([sec, f]) => {
    const d = new Date((sec + 5.5 * 3600) * 1000);
    const t = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${f}`;
    return s(t);
  });
}

function duration(fsp: number): fc.Arbitrary<Sample> {
  return fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 838 }), fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 59 }), fracDigits(fsp))
    .map(([neg, h, m, x, f]) => {
      if (h === 838 && m === 59 && x === 59) f = fsp ? '.' + '0'.repeat(fsp) : '';
      const zero = h === 0 && m === 0 && x === 0 && !/[1-9]/.test(f);
      return s(`${neg && !zero ? '-' : ''}${pad(h)}:${pad(m)}:${pad(x)}${f}`);
    });
}

// any code point but surrogates; mostly ASCII/BMP so that collations see realistic text (built from integers:
// fc.string's binary unit spent most of this test's time in its reverse mapping)
const codePoint = fc.oneof(
  { arbitrary: fc.integer({ min: 0x20, max: 0x7e }), weight: 4 },
  { arbitrary: fc.integer({ min: 0, max: 0xffff }), weight: 2 },
  { arbitrary: fc.integer({ min: 0x10000, max: 0x10ffff }), weight: 1 },
).map((c) => (c >= 0xd800 && c <= 0xdfff ? c - 0x800 : c));
const anyText = (max: number): fc.Arbitrary<string> => fc.array(codePoint, { maxLength: max }).map((a) => String.fromCodePoint(...a));
// GBK columns only hold characters GBK can encode
const GBK_CHARS = [...'abcXYZ019 ~-_中文字符测试一二三四五六七八九十汉语拼音龍鳳ぁアБЖαβ€、。「」'].filter((c) => iconv.decode(iconv.encode(c, 'gbk'), 'gbk') === c);
const gbkText = (max: number): fc.Arbitrary<string> => fc.array(fc.constantFrom(...GBK_CHARS), { maxLength: max }).map((a) => a.join(''));

function charCol(gen: fc.Arbitrary<string>): fc.Arbitrary<Sample> {
  return gen.map((v) => ({ input: v, text: Buffer.from(v.replace(/ +$/, '')) }));
}
const varcharCol = (gen: fc.Arbitrary<string>): fc.Arbitrary<Sample> => gen.map((v) => ({ input: v, text: Buffer.from(v) }));
const bytesCol = (max: number, big = false): fc.Arbitrary<Sample> => {
  const small = fc.uint8Array({ maxLength: max }).map((b) => Buffer.from(b));
  // now and then a value over 64 KiB: the row takes row v2's "large" layout
  const arb = big ? fc.oneof({ arbitrary: small, weight: 50 }, { arbitrary: fc.integer({ min: 65536, max: 70000 }).map((n) => Buffer.alloc(n, n & 0xff)), weight: 1 }) : small;
  return arb.map((b) => ({ input: { hex: b.toString('hex') }, text: b }));
};

const ENUM = ['a', 'B', 'c d', 'ü'];
const SET = ['x', 'y', 'z', 'w'];
const caseVariant = (e: string): fc.Arbitrary<string> => fc.boolean().map((up) => (up ? e.toUpperCase() : e.toLowerCase()));

function bit(n: number): fc.Arbitrary<Sample> {
  return fc.bigInt({ min: 0n, max: (1n << BigInt(n)) - 1n }).map((v) => {
    const len = Math.ceil(n / 8);
    const b = Buffer.from(v.toString(16).padStart(len * 2, '0'), 'hex');
    return { input: { hex: b.toString('hex') }, text: b };
  });
}

const TYPES: TypeCase[] = [
  { name: 'tinyint', ddl: 'tinyint', gen: ints(-128n, 127n), clustered: true },
  { name: 'tinyint unsigned', ddl: 'tinyint unsigned', gen: ints(0n, 255n) },
  { name: 'smallint', ddl: 'smallint', gen: ints(-32768n, 32767n) },
  { name: 'smallint unsigned', ddl: 'smallint unsigned', gen: ints(0n, 65535n), clustered: true },
  { name: 'mediumint', ddl: 'mediumint', gen: ints(-8388608n, 8388607n) },
  { name: 'mediumint unsigned', ddl: 'mediumint unsigned', gen: ints(0n, 16777215n) },
  { name: 'int', ddl: 'int', gen: ints(-2147483648n, 2147483647n), clustered: true },
  { name: 'int unsigned', ddl: 'int unsigned', gen: ints(0n, 4294967295n) },
  { name: 'bigint', ddl: 'bigint', gen: ints(-(1n << 63n), (1n << 63n) - 1n), clustered: true },
  { name: 'bigint unsigned', ddl: 'bigint unsigned', gen: ints(0n, (1n << 64n) - 1n), clustered: true },
  { name: 'float', ddl: 'float', gen: fc.float({ noNaN: true, noDefaultInfinity: true }).map((v) => ({ input: formatFloat(v, true), text: String(v), approx: 'f32' as const })) },
  { name: 'double', ddl: 'double', gen: fc.double({ noNaN: true, noDefaultInfinity: true }).map((v) => ({ input: formatFloat(v, false), text: String(v), approx: 'f64' as const })), clustered: true },
  { name: 'decimal(10,2)', ddl: 'decimal(10,2)', gen: decimal(10, 2), clustered: true },
  { name: 'decimal(65,30)', ddl: 'decimal(65,30)', gen: decimal(65, 30) },
  { name: 'decimal(5,0) unsigned', ddl: 'decimal(5,0) unsigned', gen: decimal(5, 0).map((x) => s(String(x.input).replace('-', ''))) },
  { name: 'date', ddl: 'date', gen: date.map(s), clustered: true },
  { name: 'datetime', ddl: 'datetime', gen: fc.tuple(date, clock).map(([d, c]) => s(`${d} ${c}`)) },
  { name: 'datetime(6)', ddl: 'datetime(6)', gen: fc.tuple(date, clock, fracDigits(6)).map(([d, c, f]) => s(`${d} ${c}${f}`)), clustered: true },
  { name: 'timestamp(3)', ddl: 'timestamp(3)', gen: timestamp(3), clustered: true },
  { name: 'time', ddl: 'time', gen: duration(0) },
  { name: 'time(4)', ddl: 'time(4)', gen: duration(4), clustered: true },
  { name: 'year', ddl: 'year', gen: fc.oneof(fc.integer({ min: 1901, max: 2155 }), fc.constant(0)).map((y) => s(pad(y, 4))), clustered: true },
  { name: 'char(20) utf8mb4_bin', ddl: 'char(20) COLLATE utf8mb4_bin', gen: charCol(anyText(20)), clustered: true },
  { name: 'char(10) utf8mb4_general_ci', ddl: 'char(10) COLLATE utf8mb4_general_ci', gen: charCol(anyText(10)), clustered: true },
  { name: 'varchar(64) utf8mb4_bin', ddl: 'varchar(64) COLLATE utf8mb4_bin', gen: varcharCol(anyText(64)), clustered: true },
  { name: 'varchar(40) utf8mb4_unicode_ci', ddl: 'varchar(40) COLLATE utf8mb4_unicode_ci', gen: varcharCol(anyText(40)), clustered: true, indexLen: 8 },
  { name: 'varchar(40) utf8mb4_0900_ai_ci', ddl: 'varchar(40) COLLATE utf8mb4_0900_ai_ci', gen: varcharCol(anyText(40)) },
  { name: 'varchar(30) gbk_chinese_ci', ddl: 'varchar(30) CHARACTER SET gbk COLLATE gbk_chinese_ci', gen: varcharCol(gbkText(30)), clustered: true },
  { name: 'char(12) gbk_bin', ddl: 'char(12) CHARACTER SET gbk COLLATE gbk_bin', gen: charCol(gbkText(12)) },
  { name: 'text utf8mb4_bin', ddl: 'text COLLATE utf8mb4_bin', gen: varcharCol(anyText(300)), indexLen: 16 },
  { name: 'binary(8)', ddl: 'binary(8)', gen: fc.uint8Array({ maxLength: 8 }).map((b) => ({ input: { hex: Buffer.from(b).toString('hex') }, text: Buffer.concat([b, Buffer.alloc(8 - b.length)]) })), clustered: true },
  { name: 'varbinary(32)', ddl: 'varbinary(32)', gen: bytesCol(32), clustered: true },
  { name: 'longblob', ddl: 'longblob', gen: bytesCol(200, true), indexLen: 10 },
  { name: 'enum', ddl: `enum(${ENUM.map((e) => `'${e}'`).join(',')}) COLLATE utf8mb4_general_ci`, gen: fc.oneof(fc.integer({ min: 0, max: 3 }).chain((i) => caseVariant(ENUM[i]!).map((v) => ({ input: v, text: ENUM[i]! }))), fc.integer({ min: 1, max: 4 }).map((i) => ({ input: String(i), text: ENUM[i - 1]! }))), clustered: true },
  { name: 'set', ddl: `set(${SET.map((e) => `'${e}'`).join(',')})`, gen: fc.oneof(fc.shuffledSubarray(SET).map((sub) => ({ input: sub.join(','), text: SET.filter((e) => sub.includes(e)).join(',') })), fc.integer({ min: 0, max: 15 }).map((m) => ({ input: String(m), text: SET.filter((_, i) => (m >> i) & 1).join(',') }))) },
  { name: 'bit(1)', ddl: 'bit(1)', gen: bit(1) },
  { name: 'bit(10)', ddl: 'bit(10)', gen: bit(10), clustered: true },
  { name: 'bit(64)', ddl: 'bit(64)', gen: bit(64) },
  { name: 'json', ddl: 'json', gen: fc.jsonValue({ maxDepth: 3 }).map((v) => ({ input: JSON.stringify(v), text: JSON.stringify(v), approx: 'json' as const })) },
];

const perType = Number(process.env.ROUNDTRIP_ROWS_PER_TYPE ?? (FULL ? 100_000 : Math.ceil(TYPES_TOTAL / TYPES.length)));

interface Harness { table: TableInfo; v2: TableEncoder; v1: TableEncoder; col: number }

function harness(ddl: string): Harness {
  const table = buildTableInfo(ddl, { tableID: 500 });
  const opts = { sqlMode: SQL_MODE, timeZone: TZ };
  return { table, v2: new TableEncoder(table, { ...opts, rowFormatVersion: 2 }), v1: new TableEncoder(table, { ...opts, rowFormatVersion: 1 }), col: table.cols.findIndex((c) => c.name.L === 'c') };
}

const norm = (d: Datum): Datum => (d.k === K.Float && Object.is(d.v, -0) ? { ...d, v: 0 } : d);
const show = (x: unknown): string => String(JSON.stringify(x, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))).slice(0, 300);
/** messages are built only on failure (this runs millions of times) */
function check(ok: boolean, msg: () => string): void {
  if (!ok) assert.fail(msg());
}

function textMatches(got: Buffer | null, want: Sample): boolean {
  if (got === null || want.text === null) return got === want.text;
  if (want.approx === 'f32') return Math.fround(Number(got.toString())) === Math.fround(Number(want.text));
  if (want.approx === 'f64') return Number(got.toString()) === Number(want.text);
  if (want.approx === 'json') return isDeepStrictEqual(JSON.parse(got.toString()), JSON.parse(want.text as string));
  return got.equals(Buffer.isBuffer(want.text) ? want.text : Buffer.from(want.text));
}

/** encode one row, decode record + every index entry, and check datum and text round trips */
function roundTrip(h: Harness, sample: Sample, others: Sample['input'][], rowID: bigint, v1: boolean): void {
  const { table, col } = h;
  const row = table.cols.map((_c, i) => (i === col ? sample.input : others[i] ?? null));
  const fields = row.map(fieldFromInput);
  const pairs = (v1 ? h.v1 : h.v2).encodeRow(fields, rowID);
  const ft = table.cols[col]!.type;
  const want = norm(convertField(fields[col]!, ft, SESSION));
  const rec = decodeRecord(table, pairs[0]!.key, pairs[0]!.val);
  check(isDeepStrictEqual(rec.values[col], want), () => `record: got ${show(rec.values[col])} want ${show(want)} for ${show(sample.input)}`);
  const text = datumText(rec.values[col]!, ft, { timeZone: TZ });
  check(textMatches(text, sample), () => `text: got ${show(text?.toString())} want ${show(sample.text?.toString())}`);
  for (const p of pairs.slice(1)) {
    const ix = decodeIndex(table, p.key, p.val);
    check(isDeepStrictEqual(ix.handle, rec.handle), () => `index ${ix.index.idx_name.O} handle ${show(ix.handle)} vs ${show(rec.handle)}`);
    ix.values.forEach((d, i) => {
      if (!ix.exact[i]) return;
      const off = ix.index.idx_cols[i]!.offset;
      check(isDeepStrictEqual(d, rec.values[off]), () => `index ${ix.index.idx_name.O}: got ${show(d)} want ${show(rec.values[off])}`);
    });
  }
}

test(`encode → decode round trip for every column type (${perType} rows per type, ${TYPES.length} types)`, () => {
  for (const [n, t] of TYPES.entries()) {
    const idx = t.name === 'json' ? '' : `, KEY k_c (c${t.indexLen ? `(${t.indexLen})` : ''}), UNIQUE KEY uk_ac (a, c${t.indexLen ? `(${t.indexLen})` : ''})`;
    const plain = harness(`CREATE TABLE t (a int, c ${t.ddl} NULL, z varchar(8)${idx}) DEFAULT CHARSET=utf8mb4`);
    const clustered = t.clustered ? harness(`CREATE TABLE t (c ${t.ddl} NOT NULL, a int, z varchar(8) COLLATE utf8mb4_general_ci, PRIMARY KEY (c) CLUSTERED, KEY k_a (a), UNIQUE KEY uk_zc (z, c)) DEFAULT CHARSET=utf8mb4`) : null;
    const arb = fc.record({
      sample: fc.option(t.gen, { freq: 20, nil: null }),
      a: fc.option(fc.integer().map(String), { freq: 5, nil: null }),
      z: fc.option(anyText(8), { freq: 5, nil: null }),
      rowID: fc.bigInt({ min: 1n, max: (1n << 63n) - 1n }),
      v1: fc.integer({ min: 0, max: 7 }).map((x) => x === 0),
      clustered: fc.boolean(),
    });
    fc.assert(fc.property(arb, (r) => {
      const useClustered = clustered && r.clustered && r.sample !== null;
      const h = useClustered ? clustered : plain;
      const sample = r.sample ?? { input: null, text: null };
      const others = h.table.cols.map((c) => (c.name.L === 'a' ? r.a : r.z));
      roundTrip(h, sample, others, r.rowID, r.v1);
    }), { numRuns: perType, seed: 0x5eed + n, includeErrorInReport: true });
  }
});
