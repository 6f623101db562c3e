// The digester (the LOAD DATA path without Row objects) against the Row path on the same bytes: the same rows,
// offsets and content checksum, and runs whose text is the rows again: LOAD DATA runs only of rows the Row
// path would also load, every other row as its own SQL text. Seeded dumps with escapes, both quotes, NULLs,
// numbers into string columns, comments and spaces inside rows, column lists, several statements, and
// every read size from 1 byte (rows straddle buffers, tails are joined).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSql } from '../../../src/parse/sql.js';
import type { Row } from '../../../src/parse/types.js';
import { RowHasher } from '../../../src/backend/tidb/checksum.js';
import { LoadDigester, type LoadDigest } from '../../../src/backend/tidb/digest.js';
import { loadPlanner, runValues } from '../../../src/backend/tidb/load-data.js';
import type { ColumnInfo } from '../../../src/backend/tidb/columns.js';
import { prng } from '../../harness/prng.js';
import { chunked } from '../parse/util.js';

const col = (name: string, kind: ColumnInfo['kind'], dataType: string, extra: Partial<ColumnInfo> = {}): ColumnInfo =>
  ({ name, kind, dataType, columnType: dataType, nullable: true, autoIncrement: false, generated: false, scale: 0, octets: 0, members: [], ...extra });
const COLS = [col('id', 'int', 'int', { nullable: false }), col('k', 'int', 'int'), col('c', 'char', 'char'), col('v', 'bytes', 'varchar'), col('d', 'dec', 'decimal', { scale: 2 })];

function dump(seed: number): string {
  const r = prng(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)]!;
  const str = () => {
    const q = pick(['"', "'"]);
    const body = Array.from({ length: Math.floor(r() * 12) }, () => pick(['a', 'b', ' ', ',', '(', ')', '\\n', '\\\\', `\\${q}`, q + q, '\\%', '\\0', 'é', ';'])).join('');
    return q + body + q;
  };
  const value = (c: number) => {
    const x = r();
    if (c === 0) return String(Math.floor(r() * 1e6));
    if (x < 0.1) return pick(['NULL', 'null']);
    if (c === 1) return pick([String(Math.floor(r() * 1e4) - 500), '007', '1e3', "'12'"]);
    if (c === 4) return pick(['1.5', '-0.25', "'3.10'", '2']);
    if (x < 0.2) return pick(['42', '0x41', 'DEFAULT', "_binary 'b'", "_utf8mb4'u'", "N'n'", "X'4142'"]); // INSERT only
    return str();
  };
  let out = "/*!40101 SET NAMES binary*/;\n";
  let id = 0;
  for (let s = 0; s < 6; s++) {
    const list = r() < 0.3 ? ' (`id`,`k`,`c`,`v`,`d`)' : r() < 0.15 ? ' (`id`,`v`,`c`,`k`,`d`)' : '';
    out += `INSERT INTO \`t\`${list} VALUES\n`;
    const n = 1 + Math.floor(r() * 40);
    const rows: string[] = [];
    for (let i = 0; i < n; i++) {
      const vs = [0, 1, 2, 3, 4].map((c) => (c === 0 ? String(++id) : value(c)));
      const sep = r() < 0.05 ? ' , ' : r() < 0.03 ? '/* x */,' : ',';
      rows.push(`(${vs.join(sep)})`);
    }
    out += rows.join(r() < 0.5 ? ',\n' : ',') + ';\n';
    if (r() < 0.3) out += '-- between statements (\n';
  }
  return out;
}

const text = (b: Buffer) => b.toString('latin1');
const rowText = (x: Row) => x.fields.map((f) => `${f.kind}:${text(f.value)}`).join('|');

async function rowPath(sql: string, size: number) {
  const planner = loadPlanner(COLS)!;
  const hasher = new RowHasher(COLS);
  const rows: Row[] = [];
  let sum = 0n;
  const loadable: boolean[] = [];
  for await (const b of parseSql(chunked(Buffer.from(sql, 'latin1'), size), { file: 't.sql' })) {
    sum += hasher.hashRows(b.rows, b.columns)[0];
    for (const x of b.rows) {
      loadable.push(planner.plan([x], b.columns) !== undefined);
      rows.push({ ...x, fields: x.fields.map((f) => ({ kind: f.kind, value: Buffer.from(f.value) })) });
    }
  }
  return { rows, sum: sum % (1n << 64n), loadable };
}

async function digestPath(sql: string, size: number) {
  const dg = new LoadDigester(loadPlanner(COLS)!, new RowHasher(COLS), COLS.length, 7, false); // small batches: several per statement
  const digests: Array<{ d: LoadDigest; columns: string[] | null }> = [];
  for await (const b of parseSql(chunked(Buffer.from(sql, 'latin1'), size), { file: 't.sql', digester: dg })) {
    assert.equal(b.rows.length, 0);
    digests.push({ d: b.digest as LoadDigest, columns: b.columns });
  }
  return digests;
}

for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
  test(`digested rows = parsed rows: count, offsets, checksum and run text (seed ${seed})`, async () => {
    const sql = dump(seed);
    for (const size of seed === 1 ? [1, 5, 64, 1 << 20] : [3, 97, 1 << 20]) {
      const want = await rowPath(sql, size);
      const got = await digestPath(sql, size);
      let sum = 0n;
      let at = 0;
      for (const { d, columns } of got) {
        sum += d.checksum;
        assert.equal(d.first.offset, want.rows[at]!.offset);
        assert.equal(d.first.rowNo, want.rows[at]!.rowNo);
        assert.ok(d.rows <= 7);
        assert.equal(d.odd, undefined);
        for (const run of d.runs) {
          // the run's text, as an INSERT, is exactly its rows again
          const again: Row[] = [];
          const stmt = Buffer.from(`INSERT INTO t${columns ? ` (${columns.join(',')})` : ''} VALUES ${runValues(run)};`, 'latin1');
          for await (const b of parseSql(chunked(stmt, 1 << 20), { file: 'run' })) again.push(...b.rows);
          assert.equal(again.length, run.rows);
          // a converting literal is sent as its bytes (as the Row path does), not as written
          assert.doesNotMatch(runValues(run), /_utf8mb4|N'/);
          // one statement: only `,` and whitespace between its rows (no `;`, comment or second INSERT)
          for (let i = 1; i < again.length; i++) assert.match(text(stmt.subarray(again[i - 1]!.end, again[i]!.offset)), /^\s*,\s*$/);
          for (const x of again) {
            assert.equal(rowText(x), rowText(want.rows[at]!), `row ${at} (read size ${size})`);
            assert.equal(run.load !== false, want.loadable[at], `row ${at}: LOAD DATA only for rows the Row path loads`);
            if (run.load !== false && x.plain !== 1) assert.equal(x.plain, run.quote, 'one quote byte per LOAD DATA run');
            at++;
          }
        }
        assert.equal(d.end, want.rows[at - 1]!.end);
      }
      assert.equal(at, want.rows.length, `all rows (read size ${size})`);
      assert.equal(sum % (1n << 64n), want.sum, `checksum (read size ${size})`);
    }
  });
}

test('a row with the wrong number of values is reported by the digest, not hashed into it', async () => {
  const dg = new LoadDigester(loadPlanner(COLS)!, new RowHasher(COLS), COLS.length, 100, false);
  const sql = 'INSERT INTO t VALUES (1,2,"c","v",1.5),(2,3,"c"),(3,4,"c","v",2);\n';
  const out: LoadDigest[] = [];
  for await (const b of parseSql(chunked(Buffer.from(sql), 1 << 20), { file: 't.sql', digester: dg })) out.push(b.digest as LoadDigest);
  assert.equal(out.length, 1);
  assert.deepEqual(out[0]!.odd, { offset: sql.indexOf('(2,3'), rowNo: 2, values: 3, expected: 5 });
  assert.equal(out[0]!.runs.reduce((a, r) => a + r.rows, 0), 2);
});

test('plan(): a batch declined half-way leaves nothing in the next batch\'s runs', async () => {
  const planner = loadPlanner(COLS)!;
  const batches: Row[][] = [];
  const sql = 'INSERT INTO t VALUES (1,2,"c","v",1.5),(2, 3,"c","v",2);\nINSERT INTO t VALUES (3,4,"c","v",2.5);\n';
  for await (const b of parseSql(chunked(Buffer.from(sql), 1 << 20), { file: 't.sql', batchRows: 2 })) batches.push(b.rows);
  assert.equal(batches.length, 2);
  assert.equal(planner.plan(batches[0]!, null), undefined, 'a row with a space goes as INSERT');
  const runs = planner.plan(batches[1]!, null)!;
  assert.deepEqual(runs.map((r) => [r.rows, runValues(r)]), [[1, '(3,4,"c","v",2.5)']]);
});
