// s3:// data source against s3rver (a fake S3 server) on 127.0.0.1: the scan, bytes, decompression, strict-format
// splits and parquet rows are the same as for the same files on local disk; errors are coded and mask the keys.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import S3rver from 's3rver';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { scanSource } from '../../../src/source/scan.js';
import { openDataFile } from '../../../src/source/open.js';
import { makeTableChunks } from '../../../src/source/chunks.js';
import { closeStorages, parquetBuffer } from '../../../src/source/storage.js';
import { parseSql } from '../../../src/parse/sql.js';
import { parseCsv } from '../../../src/parse/csv.js';
import { parseParquet } from '../../../src/parse/parquet.js';
import { Codes, LightningError } from '../../../src/errors.js';
import type { SourceScan } from '../../../src/source/types.js';

let server: S3rver;
let work = '';
let local = '';
let url = '';
let endpoint = '';
const KEY = 'S3RVER';

const csvRows = Array.from({ length: 3000 }, (_, i) => `${i},"row ${i}",\\N`).join('\r\n') + '\r\n';
const files: Record<string, Buffer> = {
  'db-schema-create.sql': Buffer.from('CREATE DATABASE db;'),
  'db.t-schema.sql': Buffer.from('CREATE TABLE t (id int, v text);'),
  'db.t.000000001.sql': Buffer.from("INSERT INTO `t` VALUES (1,'a'),(2,'b\\n');\n"),
  'db.t.000000002.sql.gz': gzipSync(Buffer.from("INSERT INTO `t` VALUES (3,'c');\n")),
  'sub/db.c.csv': Buffer.from(csvRows),
  'db.p.parquet': Buffer.from(parquetWriteBuffer({ columnData: [{ name: 'id', data: [7, 8, 9], type: 'INT32' }] })),
  'notes.txt': Buffer.from('x'),
};

before(async () => {
  work = mkdtempSync(join(tmpdir(), 's3-src-'));
  local = join(work, 'local');
  for (const [p, b] of Object.entries(files)) {
    mkdirSync(join(local, p, '..'), { recursive: true });
    writeFileSync(join(local, p), b);
  }
  server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: join(work, 's3'), configureBuckets: [{ name: 'dump' }] });
  const addr = await server.run();
  endpoint = `http://127.0.0.1:${addr.port}`;
  const c = new S3Client({ region: 'us-east-1', endpoint, forcePathStyle: true, credentials: { accessKeyId: KEY, secretAccessKey: KEY } });
  for (const [p, b] of Object.entries(files)) await c.send(new PutObjectCommand({ Bucket: 'dump', Key: `exports/day1/${p}`, Body: b }));
  c.destroy();
  url = `s3://dump/exports/day1?endpoint=${encodeURIComponent(endpoint)}&access-key=${KEY}&secret-access-key=${KEY}`;
});

after(async () => {
  closeStorages();
  await server?.close();
  rmSync(work, { recursive: true, force: true });
});

/** the parts of a scan that do not depend on where the files are */
function shape(s: SourceScan) {
  return {
    schemas: s.schemas.map((d) => ({ name: d.name, schemaFile: d.schemaFile, tables: d.tables.map((t) => ({ ...t, dataFiles: t.dataFiles.map((f) => ({ ...f, mtimeMs: 0 })) })) })),
    skipped: s.skipped,
  };
}

test('s3 scan equals the local scan of the same files (paths, sizes, types, order, skipped)', async () => {
  const [remote, disk] = [await scanSource({ dataSourceDir: url }), await scanSource({ dataSourceDir: local })];
  assert.equal(remote.dir, url);
  assert.deepEqual(shape(remote), shape(disk));
  const t = remote.schemas[0]!.tables.find((x) => x.table === 't')!;
  assert.deepEqual(t.dataFiles.map((f) => [f.path, f.compression]), [['db.t.000000001.sql', 'none'], ['db.t.000000002.sql.gz', 'gzip']]);
});

test('s3 data files: plain and gzip bytes parse to the same rows, ranged reads from an offset', async () => {
  const remote = await scanSource({ dataSourceDir: url });
  const rows: string[][] = [];
  for (const f of remote.schemas[0]!.tables.find((x) => x.table === 't')!.dataFiles) {
    for await (const b of parseSql(openDataFile(remote.dir, f, { readSize: 7 }), { file: f.path })) rows.push(...b.rows.map((r) => r.fields.map((x) => x.value.toString())));
  }
  assert.deepEqual(rows, [['1', 'a'], ['2', 'b\n'], ['3', 'c']]);
  const tail: Buffer[] = [];
  for await (const b of openDataFile(url, { path: 'db.t.000000001.sql', compression: 'none' }, { offset: 24, end: 30 })) tail.push(b);
  assert.equal(Buffer.concat(tail).toString(), files['db.t.000000001.sql']!.subarray(24, 30).toString());
});

test('s3 strict-format CSV splits at the same terminators as on disk; parquet rows through ranged reads', async () => {
  const remote = await scanSource({ dataSourceDir: url });
  const disk = await scanSource({ dataSourceDir: local });
  const opts = { columnCount: 3, strictFormat: true, maxRegionSize: 10_000, terminator: '\r\n' };
  const tc = (s: SourceScan) => s.schemas[0]!.tables.find((x) => x.table === 'c')!;
  const rc = await makeTableChunks(tc(remote), { root: remote.dir, ...opts });
  const lc = await makeTableChunks(tc(disk), { root: disk.dir, ...opts });
  assert.ok(rc.length > 5);
  assert.deepEqual(rc.map((c) => [c.offset, c.endOffset, c.rowIdMax]), lc.map((c) => [c.offset, c.endOffset, c.rowIdMax]));
  let n = 0;
  for (const c of rc) {
    for await (const b of parseCsv(openDataFile(remote.dir, c.file, { offset: c.offset, end: c.endOffset }), { file: c.file.path, startOffset: c.offset, csv: { header: false, terminator: '\r\n' } })) n += b.rows.length;
  }
  assert.equal(n, 3000);
  const p = remote.schemas[0]!.tables.find((x) => x.table === 'p')!;
  const [chunk] = await makeTableChunks(p, { root: remote.dir, columnCount: 1 });
  assert.equal(chunk!.rowIdMax, 3);
  const ids: string[] = [];
  for await (const b of parseParquet(await parquetBuffer(remote.dir, 'db.p.parquet'), { file: 'db.p.parquet' })) ids.push(...b.rows.map((r) => r.fields[0]!.value.toString()));
  assert.deepEqual(ids, ['7', '8', '9']);
});

test('s3 errors: a missing bucket and an unknown key are coded Storage errors that never show the key', async () => {
  const bad = `s3://nobucket/x?endpoint=${encodeURIComponent(endpoint)}&access-key=${KEY}&secret-access-key=${KEY}`;
  await assert.rejects(scanSource({ dataSourceDir: bad }), (e: unknown) => e instanceof LightningError && e.code === Codes.Storage && !e.message.includes(KEY));
  const wrong = `s3://dump/exports/day1?endpoint=${encodeURIComponent(endpoint)}&access-key=nobody-7&secret-access-key=not-the-key-42`;
  await assert.rejects(scanSource({ dataSourceDir: wrong }), (e: unknown) => e instanceof LightningError && e.code === Codes.Storage && !e.message.includes('not-the-key-42'));
  await assert.rejects(scanSource({ dataSourceDir: 's3://dump/x?access-key=a' }), /needs both access-key and secret-access-key/);
});
