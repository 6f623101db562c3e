// Acceptance: real mydumper (plain, -r chunked, -c compressed) dumps of the hostile table parse to exactly
// what MariaDB returns for every row and column (HEX of the text/byte form).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMariaDB, type MariaDB } from '../../harness/mariadb.js';
import { mydumper } from '../../harness/mydumper.js';
import { scanSource } from '../../../src/source/scan.js';
import { openDataFile } from '../../../src/source/open.js';
import { parseSql } from '../../../src/parse/sql.js';
import { FieldKind } from '../../../src/parse/types.js';
import { makeTableChunks } from '../../../src/source/chunks.js';
import { COLUMNS, TABLE_ROWS, createHostile, expectedRows } from './hostile.js';

let db: MariaDB;
let work = '';
let expected: Map<string, Array<string | null>>;

before(async () => {
  db = await startMariaDB();
  work = mkdtempSync(join(tmpdir(), 'parse-it-'));
  await createHostile(db, 'hostile');
  expected = await expectedRows(db, 'hostile');
  assert.equal(expected.size, TABLE_ROWS);
});
after(async () => {
  await db?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

async function parseDump(dir: string): Promise<{ rows: Map<string, Array<string | null>>; files: string[] }> {
  const scan = await scanSource({ dataSourceDir: dir, filter: ['hostile.*'] });
  const t = scan.schemas.find((s) => s.name === 'hostile')!.tables.find((x) => x.table === 'alltypes')!;
  assert.ok(t.schemaFile, 'table schema file found');
  const chunks = await makeTableChunks(t, { root: scan.dir, columnCount: COLUMNS.length });
  const rows = new Map<string, Array<string | null>>();
  for (const c of chunks) {
    let n = 0;
    for await (const b of parseSql(openDataFile(scan.dir, c.file, { offset: c.offset }), { file: c.file.path })) {
      assert.equal(b.columns, null);
      for (const r of b.rows) {
        assert.equal(r.fields.length, COLUMNS.length, `row ${r.rowNo} of ${c.file.path} has ${r.fields.length} fields`);
        const id = r.fields[0]!.value.toString();
        assert.ok(!rows.has(id), `duplicate id ${id}`);
        rows.set(id, r.fields.slice(1).map((f) => (f.kind === FieldKind.Null ? null : f.value.toString('hex').toUpperCase())));
        n++;
      }
    }
    assert.ok(n <= c.rowIdMax - c.prevRowIdMax);
  }
  return { rows, files: t.dataFiles.map((f) => f.path) };
}

function compare(got: Map<string, Array<string | null>>): void {
  assert.equal(got.size, expected.size);
  for (const [id, want] of expected) {
    const have = got.get(id);
    assert.ok(have, `row id ${id} missing`);
    for (let k = 0; k < want.length; k++) {
      assert.equal(have[k], want[k], `id ${id} column ${COLUMNS[k + 1]![0]}`);
    }
  }
}

test('mydumper plain dump parses to the same rows', async () => {
  const dir = await mydumper(db, { databases: ['hostile'], outDir: join(work, 'plain') });
  const { rows, files } = await parseDump(dir);
  assert.deepEqual(files, ['hostile.alltypes.sql']);
  compare(rows);
});

test('mydumper -r chunked dump parses to the same rows', async () => {
  const dir = await mydumper(db, { databases: ['hostile'], outDir: join(work, 'chunked'), rowsPerChunk: 40 });
  const { rows, files } = await parseDump(dir);
  assert.ok(files.length > 3, `several chunk files (${files.join(', ')})`);
  compare(rows);
});

test('mydumper -c compressed dump parses to the same rows', async () => {
  const dir = await mydumper(db, { databases: ['hostile'], outDir: join(work, 'gz'), compress: true, rowsPerChunk: 100 });
  const { rows, files } = await parseDump(dir);
  assert.ok(files.every((f) => f.endsWith('.sql.gz')));
  compare(rows);
});
