import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CheckpointStatus, SqliteCheckpointStore, checkFailedLastTime, checkpointFilePath, failedStatus, newTask, tableHash,
  verifyTask, type FingerprintConfig, type TableInit,
} from '../../../src/checkpoint/index.js';
import { Codes, LightningError } from '../../../src/errors.js';

const cfg: FingerprintConfig = {
  dataSourceDir: '/data', backend: 'tidb', tidbHost: '127.0.0.1', tidbPort: 4000, pdAddr: '', sortedKvDir: '',
  importerAddr: '', lightningVer: '0.1.0', extra: { 'conflict.strategy': 'error', 'mydumper.csv.separator': ',' },
};
const T = '`db`.`t`';
function init(hash = 'h1'): TableInit {
  const chunk = (path: string, size: number) => ({ path, offset: 0, type: 'sql' as const, compression: 'none' as const, sortKey: '',
    fileSize: size, mtimeMs: 1000, columns: null, shouldIncludeRowId: false, endOffset: size, prevRowIdMax: 0, rowIdMax: 10 });
  return { tableName: T, hash, engines: [{ engineId: -1, chunks: [] }, { engineId: 0, chunks: [chunk('db.t.0.sql', 100), chunk('db.t.1.sql', 200)] }] };
}
function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'cp-test-'));
}
async function rejectsCode(p: Promise<unknown> | (() => unknown), code: string, re?: RegExp): Promise<void> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    assert.ok(e instanceof LightningError, String(e));
    assert.equal(e.code, code);
    if (re) assert.match(e.message, re);
    return;
  }
  assert.fail('expected an error');
}

test('init table with engines and chunks, progress, status transitions, reopen', async () => {
  const dir = tmp();
  const path = join(dir, 'cp.db');
  let s = SqliteCheckpointStore.open(path);
  assert.equal(await s.loadTask(), undefined);
  const task = newTask(cfg, 123n);
  await s.saveTask(task);
  const t = await s.initTable(task.taskId, init());
  assert.equal(t.status, CheckpointStatus.Loaded);
  assert.deepEqual([...t.engines.keys()], [-1, 0]);
  assert.equal(t.engines.get(0)!.chunks.length, 2);
  const key = { tableName: T, engineId: 0, path: 'db.t.1.sql', offset: 0 };
  await s.updateChunk(key, { pos: 150, prevRowIdMax: 7, kvcBytes: 10, kvcKvs: 7, kvcChecksum: 0xffffffffffffffffn, columns: ['a', 'b'] });
  await s.updateEngineStatus(T, 0, CheckpointStatus.AllWritten);
  await s.updateTableStatus(T, CheckpointStatus.Imported);
  await s.updateTable(T, { tableId: 42, autoIncrBase: 9 });
  await s.close();
  s = SqliteCheckpointStore.open(path);
  assert.deepEqual(await s.loadTask(), task);
  const t2 = (await s.getTable(T))!;
  assert.equal(t2.status, CheckpointStatus.Imported);
  assert.equal(t2.tableId, 42);
  assert.equal(t2.autoIncrBase, 9);
  assert.equal(t2.engines.get(0)!.status, CheckpointStatus.AllWritten);
  const c = t2.engines.get(0)!.chunks.find((x) => x.path === 'db.t.1.sql')!;
  assert.equal(c.pos, 150);
  assert.equal(c.prevRowIdMax, 7);
  assert.equal(c.kvcChecksum, 0xffffffffffffffffn);
  assert.deepEqual(c.columns, ['a', 'b']);
  // re-init with the same hash keeps progress (resume)
  const t3 = await s.initTable(task.taskId, init());
  assert.equal(t3.engines.get(0)!.chunks.find((x) => x.path === 'db.t.1.sql')!.pos, 150);
  await rejectsCode(s.updateChunk({ ...key, path: 'nope' }, { pos: 1, prevRowIdMax: 0, kvcBytes: 0, kvcKvs: 0, kvcChecksum: 0n }), Codes.CheckpointNotFound);
  await s.close();
  rmSync(dir, { recursive: true, force: true });
});

test('failure is stored as status/10 with code and message; FailedLastTime names the ctl command', async () => {
  const dir = tmp();
  const s = SqliteCheckpointStore.open(join(dir, 'cp.db'));
  await s.initTable(1n, init());
  await s.recordFailure(T, CheckpointStatus.Imported, { code: Codes.DBQuery, message: 'Duplicate entry' }, 0);
  const t = (await s.getTable(T))!;
  assert.equal(t.status, failedStatus(CheckpointStatus.Imported));
  assert.equal(t.status, 12);
  assert.equal(t.errorCode, Codes.DBQuery);
  assert.equal(t.engines.get(0)!.status, 12);
  await rejectsCode(() => checkFailedLastTime([t]), Codes.FailedLastTime,
    /failed last time[\s\S]*`db`\.`t`[\s\S]*Duplicate entry[\s\S]*tidb-lightning-ctl --checkpoint-error-destroy='`db`\.`t`'/);
  // a failure at analyze or auto-inc rebase can be ignored (Go's rule)
  await s.recordFailure(T, CheckpointStatus.Analyzed, { code: 'x', message: 'analyze failed' });
  const ta = (await s.getTable(T))!;
  await rejectsCode(() => checkFailedLastTime([ta]), Codes.FailedLastTime, /--checkpoint-error-ignore=/);
  await s.recordFailure(T, CheckpointStatus.AlteredAutoInc, { code: 'x', message: 'y' });
  assert.equal((await s.getTable(T))!.status, 15);
  // ignore resets failed tables and engines to loaded
  await s.ignoreError('all');
  const t2 = (await s.getTable(T))!;
  assert.equal(t2.status, CheckpointStatus.Loaded);
  assert.equal(t2.engines.get(0)!.status, CheckpointStatus.Loaded);
  assert.equal(t2.errorCode, null);
  checkFailedLastTime([t2]);
  // destroy removes failed tables and reports the engine range (index engine included)
  await s.recordFailure(T, CheckpointStatus.AllWritten, { code: 'x', message: 'y' });
  assert.deepEqual(await s.destroyError(T), [{ tableName: T, minEngineId: -1, maxEngineId: 0 }]);
  assert.equal(await s.getTable(T), undefined);
  await s.close();
  rmSync(dir, { recursive: true, force: true });
});

test('config fingerprint mismatch is refused naming the key and the ctl command', () => {
  const task = newTask(cfg, 5n);
  verifyTask(task, cfg, { checkRequirements: true, location: '/data/cp.db' });
  const changed = { ...cfg, extra: { ...cfg.extra, 'mydumper.csv.separator': ';' } };
  assert.throws(() => verifyTask(task, changed, { checkRequirements: true, location: '/data/cp.db' }),
    (e: LightningError) => e.code === Codes.CheckpointMismatch && /'mydumper\.csv\.separator' value ';' different from checkpoint value ','/.test(e.message) &&
      /tidb-lightning-ctl --checkpoint-remove=all/.test(e.message));
  assert.throws(() => verifyTask(task, { ...cfg, tidbPort: 4001 }, { checkRequirements: true, location: 'x' }), /'tidb\.port' value '4001'/);
  // check-requirements=false skips all but the backend
  verifyTask(task, { ...cfg, tidbPort: 4001 }, { checkRequirements: false, location: 'x' });
  assert.throws(() => verifyTask(task, { ...cfg, backend: 'local' }, { checkRequirements: false, location: 'x' }),
    /tikv-importer\.backend.*--checkpoint-remove=all/);
});

test('changed input files (hash) are refused naming --checkpoint-remove for the table', async () => {
  const files = [{ path: 'a.sql', size: 10, mtimeMs: 1 }, { path: 'b.sql', size: 20, mtimeMs: 2 }];
  const h = tableHash(files);
  assert.equal(h, tableHash([...files].reverse()));
  assert.notEqual(h, tableHash([files[0]!, { ...files[1]!, size: 21 }]));
  assert.notEqual(h, tableHash([files[0]!, { ...files[1]!, mtimeMs: 3 }]));
  const dir = tmp();
  const s = SqliteCheckpointStore.open(join(dir, 'cp.db'));
  await s.initTable(1n, init(h));
  await rejectsCode(s.initTable(1n, init(tableHash([files[0]!]))), Codes.CheckpointMismatch, /--checkpoint-remove=`db`\.`t`/);
  await s.close();
  rmSync(dir, { recursive: true, force: true });
});

test('remove, dump to CSV, keep-after-success', async () => {
  const dir = tmp();
  const path = join(dir, 'cp.db');
  let s = SqliteCheckpointStore.open(path);
  await s.saveTask(newTask(cfg, 77n));
  await s.initTable(77n, init());
  await s.dump(join(dir, 'dump'));
  assert.deepEqual(readdirSync(join(dir, 'dump')).sort(), ['chunks.csv', 'engines.csv', 'tables.csv']);
  const chunks = readFileSync(join(dir, 'dump', 'chunks.csv'), 'utf8').trim().split('\n');
  assert.equal(chunks.length, 3);
  assert.match(chunks[0]!, /^table_name,engine_id,path,offset,/);
  assert.match(readFileSync(join(dir, 'dump', 'tables.csv'), 'utf8'), /"`db`\.`t`"|`db`\.`t`/);
  await s.remove(T);
  assert.equal((await s.loadTables()).size, 0);
  await s.finish('rename', 77n);
  assert.ok(existsSync(`${path}.77.bak`));
  assert.ok(!existsSync(path));
  s = SqliteCheckpointStore.open(path);
  await s.finish('remove', 1n);
  assert.ok(!existsSync(path) && !existsSync(`${path}-wal`));
  s = SqliteCheckpointStore.open(path);
  await s.finish('origin', 1n);
  assert.ok(existsSync(path));
  rmSync(dir, { recursive: true, force: true });
});

test('default file location is next to the data', () => {
  assert.equal(checkpointFilePath({ dsn: '', schema: 'tidb_lightning_checkpoint', dataSourceDir: '/data/dump' }), '/data/dump/tidb_lightning_checkpoint.db');
  assert.equal(checkpointFilePath({ dsn: '', schema: 'tidb_lightning_checkpoint', dataSourceDir: 'file:///data/d2' }), '/data/d2/tidb_lightning_checkpoint.db');
  assert.equal(checkpointFilePath({ dsn: '/x/cp.db', schema: 's', dataSourceDir: '/data' }), '/x/cp.db');
  assert.throws(() => checkpointFilePath({ dsn: '', schema: 's', dataSourceDir: 's3://b/p' }), /checkpoint\.dsn/);
});

test('kill -9 in the middle of updates: reopening finds the last committed state, never a torn one', async () => {
  const dir = tmp();
  const path = join(dir, 'cp.db');
  const s = SqliteCheckpointStore.open(path);
  await s.initTable(1n, init());
  await s.close();
  const mod = join(fileURLToPath(new URL('.', import.meta.url)), '../../../src/checkpoint/sqlite.js');
  // Every transaction sets both chunks to the same pos; a torn write would leave them different.
  const script = join(dir, 'writer.mjs');
  writeFileSync(script, `import { SqliteCheckpointStore } from ${JSON.stringify(mod)};
const s = SqliteCheckpointStore.open(${JSON.stringify(path)});
const k = (p) => ({ tableName: '\`db\`.\`t\`', engineId: 0, path: p, offset: 0 });
for (let i = 1; ; i++) {
  const pr = { pos: i, prevRowIdMax: i, kvcBytes: i, kvcKvs: i, kvcChecksum: BigInt(i) };
  await s.updateChunks([{ key: k('db.t.0.sql'), progress: pr }, { key: k('db.t.1.sql'), progress: pr }]);
  if (i === 20) process.stdout.write('go\\n');
}`);
  for (let round = 0; round < 3; round++) {
    const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((res) => child.stdout.once('data', () => res()));
    await sleep(20 + round * 30);
    child.kill('SIGKILL');
    await new Promise((res) => child.once('exit', res));
    const r = SqliteCheckpointStore.open(path);
    const chunks = (await r.getTable(T))!.engines.get(0)!.chunks;
    assert.ok(chunks[0]!.pos >= 20);
    assert.equal(chunks[0]!.pos, chunks[1]!.pos);
    assert.equal(chunks[0]!.kvcChecksum, chunks[1]!.kvcChecksum);
    await r.close();
  }
  rmSync(dir, { recursive: true, force: true });
});
