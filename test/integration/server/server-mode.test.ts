// Server mode through the CLI against a private MariaDB: bad task configs answered with their coded error,
// the queue (front/back/delete), pause before and during an import (nothing moves while paused), /metrics
// scraped all along (counters never go down; the final figures equal what was imported), two tasks run one
// after the other, a running task cancelled, and a failed task pausing the queue as Go does.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startMariaDB, type MariaDB } from '../../harness/mariadb.js';
import { http, readLog, scrape, startWithStatus, sum, taskToml, waitFor, writeDump, type DumpInfo, type RunningLightning } from './helpers.js';

let db: MariaDB;
let work = '';
let srv: RunningLightning;

interface TaskInfo { id: number; state: string; startedAt?: number; finishedAt?: number; error?: { code: string; message: string } }
interface TasksBody { current: number | null; queue: number[]; tasks: TaskInfo[] }

const tasks = async () => (await http(srv.base, '/tasks')).body as TasksBody;
const task = async (id: number) => (await tasks()).tasks.find((t) => t.id === id);
const put = (path: string) => http(srv.base, path, { method: 'PUT' });

async function submit(toml: string): Promise<number> {
  const r = await http(srv.base, '/tasks', { method: 'POST', body: toml });
  assert.equal(r.status, 200, r.text);
  return (r.body as { id: number }).id;
}

async function finished(id: number): Promise<TaskInfo> {
  return waitFor(`task ${id} to finish`, async () => {
    const t = await task(id);
    return t && !['queued', 'running'].includes(t.state) ? t : undefined;
  });
}

async function count(schema: string, table: string): Promise<number> {
  const r = await db.query<Array<{ n: number }>>(`SELECT COUNT(*) n FROM \`${schema}\`.\`${table}\``).catch(() => [{ n: 0 }]);
  return Number(r[0]!.n);
}

async function rowsIn(d: DumpInfo): Promise<number> {
  let n = 0;
  for (const t of d.tables) n += await count(d.schema, t);
  return n;
}

before(async () => {
  db = await startMariaDB();
  work = mkdtempSync(join(tmpdir(), 'server-mode-it-'));
  srv = await startWithStatus(db, join(work, 'lightning.log'), ['--server-mode']);
});
after(async () => {
  await srv?.stop();
  await db?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

test('a bad task config is rejected with the coded error; nothing is queued', async () => {
  const syntax = await http(srv.base, '/tasks', { method: 'POST', body: '[mydumper\ndata-source-dir = 1' });
  assert.equal(syntax.status, 400);
  assert.equal((syntax.body as { code: string }).code, 'Lightning:Config:ErrParseConfigFile');
  assert.match((syntax.body as { error: string }).error, /^cannot parse task \(must be TOML\): /);

  const type = await http(srv.base, '/tasks', { method: 'POST', body: '[mydumper]\ndata-source-dir = 5\n' });
  assert.equal(type.status, 400);
  assert.equal((type.body as { code: string }).code, 'Lightning:Config:ErrInvalidConfig');
  assert.match((type.body as { error: string }).error, /^invalid task configuration: .*mydumper\.data-source-dir/);

  const backend = await http(srv.base, '/tasks', { method: 'POST', body: `[mydumper]\ndata-source-dir = ${JSON.stringify(work)}\n[tikv-importer]\nbackend = "nope"\n` });
  assert.equal(backend.status, 400);
  assert.equal((backend.body as { code: string }).code, 'Lightning:Config:ErrInvalidConfig');
  assert.match((backend.body as { error: string }).error, /unsupported `tikv-importer\.backend` \(nope\)/);

  const unknown = await http(srv.base, '/tasks', { method: 'POST', body: '[mydumper]\nno-such-key = 1\n' });
  assert.equal(unknown.status, 400);
  assert.match((unknown.body as { error: string }).error, /no-such-key/);

  assert.deepEqual(await tasks(), { current: null, queue: [], serverMode: true, tasks: [] });
  const idle = (await http(srv.base, '/progress/task')).body as Record<string, unknown>;
  assert.equal(idle.s, 0);
});

test('pause, queue order, metrics during an import: monotonic, frozen while paused, final figures equal the import', async () => {
  const a = writeDump(work, 'sm_a', { tables: 3, files: 20, rowsPerFile: 400 });
  assert.deepEqual((await put('/pause')).body, {});
  assert.deepEqual((await http(srv.base, '/pause')).body, { paused: true });
  const idA = await submit(taskToml(a, '[lightning]\nregion-concurrency = 1\n'));
  await waitFor('task A to start', async () => (await tasks()).current === idA);

  // the queue: two more tasks, moved around and removed again before they run
  const x = writeDump(work, 'sm_x', { tables: 1, files: 1, rowsPerFile: 3 });
  const idX = await submit(taskToml(x));
  const idY = await submit(taskToml(x));
  assert.ok(idX > idA && idY > idX, 'IDs grow with submit time');
  assert.deepEqual((await tasks()).queue, [idX, idY]);
  assert.equal((await http(srv.base, `/tasks/${idY}/front`, { method: 'PATCH' })).status, 200);
  assert.deepEqual((await tasks()).queue, [idY, idX]);
  assert.equal((await http(srv.base, `/tasks/${idY}?action=back`, { method: 'PATCH' })).status, 200);
  assert.deepEqual((await tasks()).queue, [idX, idY]);
  assert.equal((await http(srv.base, `/tasks/${idY}/sideways`, { method: 'PATCH' })).status, 400);
  const cfg = await http(srv.base, `/tasks/${idX}`);
  assert.equal((cfg.body as { config: { mydumper: Record<string, unknown> } }).config.mydumper['data-source-dir'], x.dir);
  assert.equal((await http(srv.base, '/tasks/abc')).status, 400);
  assert.equal((await http(srv.base, '/tasks/12345')).status, 404);
  for (const id of [idX, idY]) assert.equal((await http(srv.base, `/tasks/${id}`, { method: 'DELETE' })).status, 200);
  assert.deepEqual((await tasks()).queue, []);
  assert.equal((await task(idX))?.state, 'cancelled');

  // paused from the start: the task runs (schemas, plan) but no batch is sent
  await waitFor('A to be planned', async () => sum(await scrape(srv.base), 'lightning_bytes', 'state="total_restore"') === a.bytes);
  await sleep(500);
  let m = await scrape(srv.base);
  assert.equal(sum(m, 'lightning_bytes', 'state="restored"'), 0);
  assert.equal(await rowsIn(a), 0);
  const p0 = (await http(srv.base, '/progress/task')).body as Record<string, unknown>;
  assert.equal(p0.s, 1);
  assert.equal(p0.paused, true);
  assert.equal((p0.task as TaskInfo).id, idA);
  assert.equal(p0.percent, 0);

  const scrapes: Array<Map<string, number>> = [m];
  const watch = async (until: () => Promise<boolean>) => {
    while (!(await until())) {
      scrapes.push(await scrape(srv.base));
      await sleep(20);
    }
  };
  await put('/resume');
  await watch(async () => sum(scrapes.at(-1)!, 'lightning_bytes', 'state="restored"') > 0);
  // paused in the middle: what was sent commits, then nothing moves
  await put('/pause');
  await sleep(300);
  const held = await scrape(srv.base);
  const heldRows = await rowsIn(a);
  await sleep(600);
  m = await scrape(srv.base);
  const restored = sum(held, 'lightning_bytes', 'state="restored"');
  assert.ok(restored > 0 && restored < a.bytes, `paused mid-way (${restored} of ${a.bytes} bytes)`);
  assert.equal(sum(m, 'lightning_bytes', 'state="restored"'), restored, 'no bytes while paused');
  assert.equal(sum(m, 'lightning_rows', 'state="restored"'), sum(held, 'lightning_rows', 'state="restored"'));
  assert.equal(await rowsIn(a), heldRows, 'no rows reach the target while paused');
  assert.equal(sum(m, 'lightning_rows', 'state="restored"'), heldRows, 'the rows counter is what the target has');
  scrapes.push(held, m);

  await put('/resume');
  await watch(async () => (await task(idA))?.state !== 'running');
  assert.equal((await task(idA))?.state, 'completed');
  const final = await scrape(srv.base);
  scrapes.push(final);

  // every counter series only ever grows
  const counters = ['lightning_bytes', 'lightning_rows', 'lightning_chunks', 'lightning_tables', 'lightning_engines', 'lightning_row_read_bytes_sum', 'lightning_row_read_bytes_count'];
  for (const key of final.keys()) {
    if (!counters.some((c) => key === c || key.startsWith(`${c}{`))) continue;
    let last = 0;
    for (const s of scrapes) {
      const v = s.get(key) ?? 0;
      assert.ok(v >= last, `${key} went down from ${last} to ${v}`);
      last = v;
    }
  }
  assert.ok(scrapes.length > 5, `scraped ${scrapes.length} times`);
  // the final figures are the import's
  assert.equal(sum(final, 'lightning_rows', 'state="restored"'), a.rows);
  assert.equal(await rowsIn(a), a.rows);
  for (const t of a.tables) assert.equal(final.get(`lightning_rows{state="restored",table="\`sm_a\`.\`${t}\`"}`), await count('sm_a', t));
  assert.equal(sum(final, 'lightning_bytes', 'state="restored"'), a.bytes);
  assert.equal(sum(final, 'lightning_bytes', 'state="total_restore"'), a.bytes);
  assert.equal(sum(final, 'lightning_chunks', 'state="finished"'), a.files);
  assert.equal(sum(final, 'lightning_chunks', 'state="estimated"'), a.files);
  assert.equal(final.get('lightning_tables{result="success",state="completed"}'), a.tables.length);
  assert.equal(final.get('lightning_tables{result="success",state="index_imported"}'), a.tables.length);
  assert.equal(final.get('lightning_engines{result="success",state="imported"}'), final.get('lightning_engines{result="success",state="estimated"}'));
  assert.equal(final.get('lightning_progress{phase="total"}'), 1);
  assert.equal(sum(final, 'lightning_row_read_bytes_sum'), a.bytes);
  assert.ok((final.get('process_resident_memory_bytes') ?? 0) > 0, 'process metrics are there too');
  const done = (await http(srv.base, '/progress/task')).body as Record<string, unknown>;
  assert.equal(done.s, 2);
  assert.equal(done.percent, 100);
  assert.equal((done.t as Record<string, { w: number; z: number; s: number }>)['`sm_a`.`t1`']?.s, 2);
  await put('/resume');
});

test('two tasks submitted over HTTP run one after the other', async () => {
  const b = writeDump(work, 'sm_b', { tables: 2, files: 2, rowsPerFile: 50 });
  const c = writeDump(work, 'sm_c', { tables: 1, files: 3, rowsPerFile: 50 });
  await put('/pause');
  const idB = await submit(taskToml(b));
  const idC = await submit(taskToml(c));
  await waitFor('B to start', async () => (await tasks()).current === idB);
  const t = await tasks();
  assert.deepEqual(t.queue, [idC], 'C waits while B runs');
  assert.equal(t.tasks.find((x) => x.id === idC)?.state, 'queued');
  await put('/resume');
  const tb = await finished(idB);
  const tc = await finished(idC);
  assert.equal(tb.state, 'completed');
  assert.equal(tc.state, 'completed');
  assert.ok(tc.startedAt! >= tb.finishedAt!, `C started (${tc.startedAt}) after B finished (${tb.finishedAt})`);
  assert.equal(await rowsIn(b), b.rows);
  assert.equal(await rowsIn(c), c.rows);
  const started = readLog(srv.logFile).filter((l) => l.msg === 'task started').map((l) => l.taskId);
  assert.deepEqual(started.slice(-2), [idB, idC]);
});

test('a running task is cancelled by DELETE; a failed task pauses the queue until PUT /resume', async () => {
  const d = writeDump(work, 'sm_d', { tables: 1, files: 2, rowsPerFile: 10 });
  await put('/pause');
  const idD = await submit(taskToml(d));
  await waitFor('D to wait at the pause gate', async () => sum(await scrape(srv.base), 'lightning_bytes', 'state="total_restore"') === d.bytes);
  assert.equal((await http(srv.base, `/tasks/${idD}`, { method: 'DELETE' })).status, 200);
  const td = await finished(idD);
  assert.equal(td.state, 'cancelled');
  assert.equal(td.error?.code, 'Lightning:Common:ErrCancelled');
  assert.equal(await rowsIn(d), 0);
  await put('/resume');

  const e = writeDump(work, 'sm_e', { tables: 1, files: 1, rowsPerFile: 2 });
  const { writeFileSync } = await import('node:fs');
  writeFileSync(join(e.dir, 'sm_e.t1.000000001.sql'), "INSERT INTO `t1` VALUES (1,'a',1) garbage;\n");
  const idE = await submit(taskToml(e));
  const te = await finished(idE);
  assert.equal(te.state, 'failed');
  assert.equal(te.error?.code, 'Lightning:Loader:ErrSyntax');
  assert.match(te.error!.message, /sm_e\.t1\.000000001\.sql/);
  assert.deepEqual((await http(srv.base, '/pause')).body, { paused: true }, 'a failed task pauses the import (Go)');
  const p = (await http(srv.base, '/progress/task')).body as { s: number; m: string; t: Record<string, { m?: string }> };
  assert.equal(p.s, 2);
  assert.match(p.m, /Lightning:Loader:ErrSyntax/);
  assert.match(p.t['`sm_e`.`t1`']?.m ?? '', /offset/);
  await put('/resume');
  assert.deepEqual((await http(srv.base, '/pause')).body, { paused: false });
});

test('SIGTERM stops the server cleanly', async () => {
  const r = await srv.stop();
  assert.equal(r.exitCode, 0, r.stderr);
  assert.ok(readLog(srv.logFile).some((l) => l.msg === 'tidb lightning server stopped'));
});
