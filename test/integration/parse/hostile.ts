// The hostile table for the parser acceptance tests: every MySQL type, all 256 byte values, CJK/emoji,
// quotes/backslashes, NULL vs 'NULL' vs '', min/max numbers, zero dates, plus random rows.
import type { MariaDB } from '../../harness/mariadb.js';

export const COLUMNS: Array<[string, string]> = [
  ['id', 'INT PRIMARY KEY'],
  ['ti', 'TINYINT'], ['tiu', 'TINYINT UNSIGNED'], ['si', 'SMALLINT'], ['siu', 'SMALLINT UNSIGNED'],
  ['mi', 'MEDIUMINT'], ['miu', 'MEDIUMINT UNSIGNED'], ['i', 'INT'], ['iu', 'INT UNSIGNED'],
  ['bi', 'BIGINT'], ['biu', 'BIGINT UNSIGNED'], ['de', 'DECIMAL(65,30)'], ['de0', 'DECIMAL(10,0)'],
  ['fl', 'FLOAT'], ['db', 'DOUBLE'], ['bt', 'BIT(64)'], ['b1', 'BIT(1)'],
  ['d', 'DATE'], ['dt', 'DATETIME(6)'], ['ts', 'TIMESTAMP(6) NULL DEFAULT NULL'], ['tm', 'TIME(6)'], ['y', 'YEAR'],
  ['c', 'CHAR(20)'], ['vc', 'VARCHAR(300)'], ['bn', 'BINARY(16)'], ['vb', 'VARBINARY(300)'],
  ['tb', 'TINYBLOB'], ['bl', 'BLOB'], ['mb', 'MEDIUMBLOB'], ['tt', 'TINYTEXT'], ['tx', 'TEXT'], ['lt', 'LONGTEXT'],
  ['en', "ENUM('a','b','c''d','NULL','')"], ['st', "SET('x','y','z')"], ['js', 'JSON'],
];

const ALL = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
const NASTY = "'\"\\'\\\"''\"\"\\%\\_\\n\\r\\t\\0\\Z\\\\ \n\r\t\0\x1a,;()|#END#|| `NULL` \\N";
const CJK = '中文字符😀🎉한국어日本語𠀀 ñ é ß';

type V = unknown;
function fixed(): V[][] {
  const n = COLUMNS.length;
  const row = (id: number, o: Record<string, V>): V[] => COLUMNS.map(([c], k) => (k === 0 ? id : c in o ? o[c] : null)).slice(0, n);
  return [
    row(1, { vb: ALL.subarray(0, 256), bl: ALL, mb: Buffer.concat([ALL, ALL]), tb: ALL.subarray(1), bn: Buffer.from("\0'\"\\\n\r\x1a\t,|#E\xff\xfe\x80A", 'latin1'), vc: NASTY, tx: CJK, c: 'NULL', tt: '', lt: 'NULL', en: 'NULL', st: '', js: '{"k": "v\\"q", "u": "中😀"}' }),
    row(2, { c: '', vc: 'NULL', tt: null, tx: '', en: '', vb: Buffer.alloc(0), bl: Buffer.from('\\N'), lt: '\\N' }),
    row(3, {
      ti: -128, tiu: 0, si: -32768, siu: 0, mi: -8388608, miu: 0, i: -2147483648, iu: 0, bi: '-9223372036854775808', biu: '0',
      de: '-' + '9'.repeat(35) + '.' + '9'.repeat(30), de0: -9999999999, fl: -3.40282e38, db: -1.7976931348623157e308,
      bt: Buffer.alloc(8), b1: Buffer.from([0]), d: '1000-01-01', dt: '1000-01-01 00:00:00', ts: '1970-01-01 00:00:01', tm: '-838:59:59', y: 1901,
    }),
    row(4, {
      ti: 127, tiu: 255, si: 32767, siu: 65535, mi: 8388607, miu: 16777215, i: 2147483647, iu: 4294967295,
      bi: '9223372036854775807', biu: '18446744073709551615', de: '9'.repeat(35) + '.' + '9'.repeat(30), de0: 9999999999,
      fl: 3.40282e38, db: 1.7976931348623157e308, bt: Buffer.alloc(8, 0xff), b1: Buffer.from([1]), d: '9999-12-31',
      dt: '9999-12-31 23:59:59.999999', ts: '2038-01-19 03:14:07.999999', tm: '838:59:59.999999', y: 2155,
      en: "c'd", st: 'x,y,z',
    }),
    row(5, { d: '0000-00-00', dt: '0000-00-00 00:00:00', ts: '0000-00-00 00:00:00', y: 0, tm: '00:00:00', de: '0.000000000000000000000000000001', fl: 1.5e-38, db: 4.9e-324 }),
    row(6, { de: '-0.5', fl: -0, db: 0.1, vc: '\\', tx: '\\\\', c: "'", tt: '"', lt: '\\\'' }),
  ];
}

/** deterministic pseudo-random generator (same corpus every run) */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 4294967296; };
}

function randomRows(n: number, from: number): V[][] {
  const r = rng(42);
  const pick = <T>(a: T[]): T => a[Math.floor(r() * a.length)]!;
  const bytes = (max: number) => Buffer.from(Array.from({ length: Math.floor(r() * max) }, () => pick([0, 10, 13, 39, 34, 92, 26, 9, 44, 124, 35, 255, Math.floor(r() * 256)])));
  const chars = ['a', 'Z', '中', '😀', "'", '"', '\\', '\n', '\r', '\t', '\0', ',', '|', '#', ' ', 'é', '𠀀', '%', '_'];
  const str = (max: number) => Array.from({ length: Math.floor(r() * max) }, () => pick(chars)).join('');
  const rows: V[][] = [];
  for (let k = 0; k < n; k++) {
    const maybe = (v: V) => (r() < 0.1 ? null : v);
    const int = (lo: number, hi: number) => Math.floor(lo + r() * (hi - lo + 1));
    rows.push([from + k, maybe(int(-128, 127)), maybe(int(0, 255)), maybe(int(-32768, 32767)), maybe(int(0, 65535)),
      maybe(int(-8388608, 8388607)), maybe(int(0, 16777215)), maybe(int(-2147483648, 2147483647)), maybe(int(0, 4294967295)),
      maybe(String(BigInt(int(-1e9, 1e9)) * 9223372036n)), maybe(String(BigInt(int(0, 2e9)) * 9223372036n)),
      maybe(`${int(-1e9, 1e9)}.${String(int(0, 1e9)).padStart(9, '0')}`), maybe(int(-1e9, 1e9)),
      maybe(Math.fround((r() - 0.5) * 10 ** int(-30, 30))), maybe((r() - 0.5) * 10 ** int(-300, 300)),
      maybe(bytes(8).subarray(0, 8)), maybe(Buffer.from([int(0, 1)])),
      maybe(`${int(1000, 9999)}-${String(int(1, 12)).padStart(2, '0')}-${String(int(1, 28)).padStart(2, '0')}`),
      maybe(`${int(1000, 9999)}-01-02 03:04:05.${String(int(0, 999999)).padStart(6, '0')}`),
      maybe(`20${int(10, 37)}-05-06 07:08:09.${String(int(0, 999999)).padStart(6, '0')}`),
      maybe(`${int(-838, 838)}:${int(10, 59)}:${int(10, 59)}`), maybe(int(1901, 2155)),
      maybe(str(20).slice(0, 20)), maybe(str(300).slice(0, 300)), maybe(bytes(16)), maybe(bytes(300)),
      maybe(bytes(255)), maybe(bytes(3000)), maybe(bytes(5000)), maybe(str(60)), maybe(str(2000)), maybe(str(3000)),
      maybe(pick(['a', 'b', "c'd", 'NULL', ''])), maybe(pick(['', 'x', 'y,z', 'x,y,z'])), maybe(JSON.stringify({ s: str(20), n: int(0, 9) })),
    ]);
  }
  return rows;
}

export const TABLE_ROWS = 6 + 400;

export async function createHostile(db: MariaDB, schema: string): Promise<void> {
  await db.query(`DROP DATABASE IF EXISTS \`${schema}\`; CREATE DATABASE \`${schema}\` DEFAULT CHARSET utf8mb4`);
  await db.query(`CREATE TABLE \`${schema}\`.alltypes (${COLUMNS.map(([c, t]) => `\`${c}\` ${t}`).join(', ')}) DEFAULT CHARSET utf8mb4`);
  const rows = [...fixed(), ...randomRows(400, 100)];
  const ph = `(${COLUMNS.map(() => '?').join(',')})`;
  for (let i = 0; i < rows.length; i += 50) {
    const part = rows.slice(i, i + 50);
    await db.query(`SET SESSION sql_mode=''; SET time_zone='+00:00'; INSERT INTO \`${schema}\`.alltypes VALUES ${part.map(() => ph).join(',')}`, part.flat());
  }
}

/** What MariaDB says each row is: id → per-column HEX of the text/bytes form (null for NULL). */
export async function expectedRows(db: MariaDB, schema: string, cols = COLUMNS.slice(1).map(([c]) => c)): Promise<Map<string, Array<string | null>>> {
  const sel = cols.map((c) => `HEX(CONCAT(\`${c}\`))`).join(', ');
  const res = await db.query<unknown[]>(`SET time_zone='+00:00'; SELECT id, ${sel} FROM \`${schema}\`.alltypes ORDER BY id`);
  const rows = res[1] as Array<Record<string, string | null>>;
  const m = new Map<string, Array<string | null>>();
  for (const r of rows) {
    const v = Object.values(r);
    m.set(String(v[0]), v.slice(1) as Array<string | null>);
  }
  return m;
}
