// The checkpoint store contract, run against both drivers: the SQLite file and `driver = "mysql"` (a private
// MariaDB from the harness). Same model, same statuses, same ctl helpers, same keep-after-success semantics.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CheckpointStatus, MysqlCheckpointStore, SqliteCheckpointStore, checkFailedLastTime, failedStatus, newTask, openCheckpointStore,
  tableHash, type CheckpointStore, type FingerprintConfig, type TableInit,
} from '../../../src/checkpoint/index.js';
import { Codes, LightningError } from '../../../src/errors.js';
import { startMariaDB, type MariaDB } from '../../harness/mariadb.js';

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

/** One driver: stores are named by `id` (a file in a temp dir, or a schema on the MariaDB). */
interface Driver {
  name: string;
  open(id: string): Promise<CheckpointStore>;
  exists(id: string): Promise<boolean>;
  renamed(id: string, taskId: bigint): Promise<boolean>;
  /** JS source that opens store `id` in a child process (`s`) */
  childOpen(id: string): string;
}

const dist = (m: string) => join(fileURLToPath(new URL('.', import.meta.url)), `../../../src/checkpoint/${m}`);
let work = '';
let db: MariaDB;

const sqlite: Driver = {
  name: 'file (SQLite)',
  open: async (id) => SqliteCheckpointStore.open(join(work, `${id}.db`)),
  exists: async (id) => existsSync(join(work, `${id}.db`)),
  renamed: async (id, taskId) => existsSync(join(work, `${id}.db.${taskId}.bak`)),
  childOpen: (id) => `const { SqliteCheckpointStore } = await import(${JSON.stringify(dist('sqlite.js'))});
    const s = SqliteCheckpointStore.open(${JSON.stringify(join(work, `${id}.db`))});`,
};
const schemas = async () => new Set((await db.query<Array<{ s: string }>>('SELECT SCHEMA_NAME s FROM information_schema.SCHEMATA')).map((r) => r.s));
const mysqlDriver: Driver = {
  name: 'mysql (MariaDB)',
  open: (id) => MysqlCheckpointStore.open({ host: '127.0.0.1', port: db.port, user: 'root', password: '', schema: id }),
  exists: async (id) => (await schemas()).has(id),
  renamed: async (id, taskId) => (await schemas()).has(`${id}.${taskId}.bak`),
  childOpen: (id) => `const { MysqlCheckpointStore } = await import(${JSON.stringify(dist('mysql.js'))});
    const s = await MysqlCheckpointStore.open({ host: '127.0.0.1', port: ${db.port}, user: 'root', password: '', schema: ${JSON.stringify(id)} });`,
};

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'cp-test-'));
  db = await startMariaDB();
});
after(async () => {
  await db?.stop();
  rmSync(work, { recursive: true, force: true });
});

let seq = 0;
for (const d of [sqlite, mysqlDriver]) {
  const id = () => `cp_${d === sqlite ? 'f' : 'm'}${++seq}`;

  test(`${d.name}: init table with engines and chunks, progress, status transitions, reopen`, async () => {
    const name = id();
    let s = await d.open(name);
    assert.equal(await s.loadTask(), undefined);
    const task = newTask(cfg, 1_733_000_000_123_456_789n);
    await s.saveTask(task);
    const t = await s.initTable(task.taskId, init());
    assert.equal(t.status, CheckpointStatus.Loaded);
    assert.deepEqual([...t.engines.keys()], [-1, 0]);
    assert.equal(t.engines.get(0)!.chunks.length, 2);
    const key = { tableName: T, engineId: 0, path: 'db.t.1.sql', offset: 0 };
    const progress = { pos: 150, prevRowIdMax: 7, kvcBytes: 10, kvcKvs: 7, kvcChecksum: 0xffffffffffffffffn, columns: ['a', 'b'] };
    await s.updateChunk(key, progress);
    await s.updateChunk(key, progress); // the same values again still finds the chunk
    await s.updateEngineStatus(T, 0, CheckpointStatus.AllWritten);
    await s.updateTableStatus(T, CheckpointStatus.Imported);
    await s.updateTable(T, { tableId: 42, autoIncrBase: 9, kvChecksum: 0x8000000000000001n });
    await s.close();
    s = await d.open(name);
    assert.deepEqual(await s.loadTask(), task);
    const t2 = (await s.getTable(T))!;
    assert.equal(t2.status, CheckpointStatus.Imported);
    assert.equal(t2.tableId, 42);
    assert.equal(t2.autoIncrBase, 9);
    assert.equal(t2.kvChecksum, 0x8000000000000001n);
    assert.equal(t2.engines.get(0)!.status, CheckpointStatus.AllWritten);
    const c = t2.engines.get(0)!.chunks.find((x) => x.path === 'db.t.1.sql')!;
    assert.equal(c.pos, 150);
    assert.equal(c.prevRowIdMax, 7);
    assert.equal(c.kvcChecksum, 0xffffffffffffffffn);
    assert.deepEqual(c.columns, ['a', 'b']);
    assert.equal(c.mtimeMs, 1000);
    // re-init with the same hash keeps progress (resume)
    const t3 = await s.initTable(task.taskId, init());
    assert.equal(t3.engines.get(0)!.chunks.find((x) => x.path === 'db.t.1.sql')!.pos, 150);
    await rejectsCode(s.updateChunk({ ...key, path: 'nope' }, { pos: 1, prevRowIdMax: 0, kvcBytes: 0, kvcKvs: 0, kvcChecksum: 0n }), Codes.CheckpointNotFound);
    // table names are compared byte for byte (MySQL: utf8mb4_bin)
    assert.equal(await s.getTable('`DB`.`T`'), undefined);
    await s.close();
  });

  test(`${d.name}: failure is stored as status/10 with code and message; FailedLastTime names the ctl command`, async () => {
    const s = await d.open(id());
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
    assert.deepEqual(await s.destroyError('`other`.`t`'), []);
    assert.deepEqual(await s.destroyError(T), [{ tableName: T, minEngineId: -1, maxEngineId: 0 }]);
    assert.equal(await s.getTable(T), undefined);
    await s.close();
  });

  test(`${d.name}: changed input files (hash) are refused naming --checkpoint-remove for the table`, async () => {
    const files = [{ path: 'a.sql', size: 10, mtimeMs: 1 }, { path: 'b.sql', size: 20, mtimeMs: 2 }];
    const h = tableHash(files);
    assert.equal(h, tableHash([...files].reverse()));
    assert.notEqual(h, tableHash([files[0]!, { ...files[1]!, size: 21 }]));
    assert.notEqual(h, tableHash([files[0]!, { ...files[1]!, mtimeMs: 3 }]));
    const s = await d.open(id());
    await s.initTable(1n, init(h));
    await rejectsCode(s.initTable(1n, init(tableHash([files[0]!]))), Codes.CheckpointMismatch, /--checkpoint-remove=`db`\.`t`/);
    await s.close();
  });

  test(`${d.name}: remove, dump to CSV, keep-after-success rename/remove/origin`, async () => {
    const name = id();
    let s = await d.open(name);
    await s.saveTask(newTask(cfg, 77n));
    await s.initTable(77n, init());
    await s.recordFailure(T, CheckpointStatus.AllWritten, { code: 'c', message: 'a message, with "quotes"\nand a line' });
    const out = join(work, `${name}-dump`);
    await s.dump(out);
    assert.deepEqual(readdirSync(out).sort(), ['chunks.csv', 'engines.csv', 'tables.csv']);
    const chunks = readFileSync(join(out, 'chunks.csv'), 'utf8').trim().split('\n');
    assert.equal(chunks.length, 3);
    assert.match(chunks[0]!, /^table_name,engine_id,path,offset,/);
    const tables = readFileSync(join(out, 'tables.csv'), 'utf8');
    assert.match(tables, /^task_id,table_name,hash,status,/);
    assert.match(tables, /`db`\.`t`,h1,6,/);
    assert.ok(tables.includes('"a message, with ""quotes""\nand a line"'), tables);
    await s.remove(T);
    assert.equal((await s.loadTables()).size, 0);
    assert.ok(await s.loadTask(), 'removing a table keeps the task');
    await s.initTable(77n, init());
    await s.remove('all');
    assert.equal(await s.loadTask(), undefined);
    await s.initTable(77n, init());
    await s.finish('rename', 77n);
    assert.ok(await d.renamed(name, 77n));
    assert.ok(!(await d.exists(name)));
    s = await d.open(name);
    assert.equal((await s.loadTables()).size, 0, 'a new run after rename starts empty');
    await s.finish('remove', 1n);
    assert.ok(!(await d.exists(name)));
    s = await d.open(name);
    await s.finish('origin', 1n);
    assert.ok(await d.exists(name));
  });

  test(`${d.name}: kill -9 in the middle of updates: reopening finds the last committed state, never a torn one`, async () => {
    const name = id();
    const s = await d.open(name);
    await s.initTable(1n, init());
    await s.close();
    // Every transaction sets both chunks to the same pos; a torn write would leave them different.
    const script = join(work, `${name}-writer.mjs`);
    writeFileSync(script, `${d.childOpen(name)}
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
      const r = await d.open(name);
      const cs = (await r.getTable(T))!.engines.get(0)!.chunks;
      assert.ok(cs[0]!.pos >= 20);
      assert.equal(cs[0]!.pos, cs[1]!.pos);
      assert.equal(cs[0]!.kvcChecksum, cs[1]!.kvcChecksum);
      await r.close();
    }
  });

  test(`${d.name}: opening for tidb-lightning-ctl never creates an empty checkpoint`, async () => {
    const name = id();
    const o = d === sqlite
      ? { driver: 'file' as const, dsn: join(work, `${name}.db`), schema: name, dataSourceDir: '', create: false }
      : { driver: 'mysql' as const, dsn: `root:@tcp(127.0.0.1:${db.port})/`, schema: name, dataSourceDir: '', create: false };
    await rejectsCode(openCheckpointStore(o), Codes.CheckpointNotFound, /not found/);
    assert.ok(!(await d.exists(name)));
    await (await d.open(name)).close();
    const s = await openCheckpointStore(o);
    assert.equal((await s.loadTables()).size, 0);
    await s.close();
  });
}
