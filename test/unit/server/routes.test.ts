// The status server's HTTP surface in server mode, with the real config layering and a stand-in orchestrator
// (so every route, status code and message is checked without a database): Go's paths, methods, messages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../src/config/load.js';
import { Codes, LightningError } from '../../../src/errors.js';
import { pino } from 'pino';
import { LightningStatus } from '../../../src/server/lightning-status.js';
import { serveTasks, type RunOptions } from '../../../src/server/task-runner.js';
import type { Config } from '../../../src/config/types.js';
import { parseListenAddr } from '../../../src/server/addr.js';
import { ImporterMetrics, startImporterStatusServer } from '../../../src/server/importer-status.js';
import { http, parseMetrics, waitFor } from '../../integration/server/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'routes-test-'));
const stop = new AbortController();
let status: LightningStatus;
let base = '';
let serving: Promise<void>;
const runs: Array<{ cfg: Config; o: RunOptions }> = [];

/** The stand-in import: 4 batches of 25 bytes through the pause gate; "fail" in the source dir fails. */
async function fakeImport(cfg: Config, o: RunOptions): Promise<unknown> {
  runs.push({ cfg, o });
  o.progress.plan('`d`.`t`', 4, 100, 0, 0, 0, { total: 2, done: 0 });
  o.progress.setPhase('import');
  for (let i = 0; i < 4; i++) {
    if (o.pause.paused) await o.pause.wait(o.signal);
    o.signal.throwIfAborted();
    if (cfg.mydumper.dataSourceDir.endsWith('fail')) throw new LightningError(Codes.Syntax, 'bad row', { context: { file: 'd.t.sql', offset: 7 } });
    o.progress.advance('`d`.`t`', 25, 1);
    o.progress.chunkDone('`d`.`t`');
  }
  o.progress.status('`d`.`t`', 'done');
  o.progress.setPhase('done');
  return { rows: 4 };
}

const toml = (sub: string) => `[mydumper]\ndata-source-dir = ${JSON.stringify(join(dir, sub))}\n`;
const post = (body: string) => http(base, '/tasks', { method: 'POST', body });
async function submit(body: string): Promise<{ id: number }> {
  const r = await post(body);
  assert.equal(r.status, 200, r.text);
  return r.body as { id: number };
}
const until = (what: string, f: () => Promise<boolean>) => waitFor(what, f, 10_000);
const tasks = async () => (await http(base, '/tasks')).body as { current: number | null; queue: number[]; tasks: Array<{ id: number; state: string; error?: { code: string } }> };
const state = async (id: number) => (await tasks()).tasks.find((t) => t.id === id)?.state;

before(async () => {
  for (const s of ['a', 'b', 'fail']) {
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(dir, s));
  }
  const global = loadConfig({ text: '[lightning]\nserver-mode = true\nstatus-addr = "127.0.0.1:0"\n[tikv-importer]\nbackend = "tidb"\n[tidb]\nport = 4000\n', file: 'global.toml' });
  status = new LightningStatus({ logger: pino({ level: 'silent' }), global });
  base = `http://${await status.start('127.0.0.1:0')}`;
  serving = serveTasks(status, fakeImport, { signal: stop.signal });
});
after(async () => {
  stop.abort();
  await serving;
  await status.close();
  rmSync(dir, { recursive: true, force: true });
});

test('routes: redirect, page assets, 404 and 405 with Go messages', async () => {
  const root = await http(base, '/');
  assert.equal(root.status, 302);
  assert.equal((await fetch(`${base}/`, { redirect: 'manual' })).headers.get('location'), '/web/');
  assert.equal((await http(base, '/web/some/page')).status, 302, 'unknown page paths go back to the page');
  for (const [p, type] of [['/web/', 'text/html'], ['/web/app.js', 'text/javascript'], ['/web/style.css', 'text/css']]) {
    const r = await fetch(base + p!);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', new RegExp(type!));
  }
  assert.deepEqual((await http(base, '/nope')).status, 404);
  const put = await fetch(`${base}/tasks`, { method: 'PUT' });
  assert.equal(put.status, 405);
  assert.equal(put.headers.get('allow'), 'GET, POST, DELETE, PATCH');
  assert.deepEqual(await put.json(), { error: 'only GET, POST, DELETE and PATCH are allowed' });
  assert.deepEqual((await http(base, '/resume', { method: 'POST' })).body, { error: 'only PUT is allowed' });
  assert.deepEqual((await http(base, '/pause', { method: 'DELETE' })).body, { error: 'only GET and PUT are allowed' });
  assert.deepEqual((await http(base, '/tasks/x1')).body, { error: 'invalid task ID: parsing "x1": invalid syntax' });
  assert.equal((await http(base, '/loglevel')).status, 200);
  assert.equal((await http(base, '/loglevel', { method: 'POST', body: 'not json' })).status, 400);
  const big = await post('#'.repeat(2 << 20));
  assert.equal(big.status, 413);
});

test('bad task configs: 400 with Go\'s prefix and our code; nothing queued', async () => {
  const parse = await post('[mydumper');
  assert.equal(parse.status, 400);
  assert.equal((parse.body as { code: string }).code, Codes.ParseConfigFile);
  const invalid = await post(`${toml('a')}[lightning]\nregion-concurrency = "many"\n`);
  assert.equal(invalid.status, 400);
  assert.equal((invalid.body as { code: string }).code, Codes.InvalidConfig);
  assert.match((invalid.body as { error: string }).error, /^invalid task configuration: .*lightning\.region-concurrency/);
  assert.deepEqual((await tasks()).queue, []);
});

test('tasks run in order through the pause gate; GET shows config; a failure pauses; DELETE cancels', async () => {
  await http(base, '/pause', { method: 'PUT' });
  const a = await submit(toml('a'));
  const b = await submit(`${toml('b')}[tikv-importer]\nadd-index-by-sql = false\n`);
  await until('a to run', async () => (await tasks()).current === a.id);
  assert.deepEqual((await tasks()).queue, [b.id]);
  const p = (await http(base, '/progress/task')).body as Record<string, unknown>;
  assert.equal(p.s, 1);
  assert.equal(p.paused, true);
  assert.equal(p.percent, 0);
  assert.deepEqual(p.t, { '`d`.`t`': { w: 0, z: 100, s: 0 } });
  const cfg = (await http(base, `/tasks/${b.id}`)).body as { state: string; config: { 'tikv-importer': Record<string, unknown> } };
  assert.equal(cfg.state, 'queued');
  assert.equal(cfg.config['tikv-importer'].backend, 'tidb', 'layered over the global config');
  await http(base, '/resume', { method: 'PUT' });
  await until('b to complete', async () => (await state(b.id)) === 'completed');
  assert.equal(await state(a.id), 'completed');
  // the orchestrator gets the task's own keys as "set" (add-index-by-sql written in b's TOML only)
  const [ra, rb] = runs.slice(-2);
  assert.equal(ra!.o.load?.present.has('tikv-importer.add-index-by-sql'), false);
  assert.equal(rb!.o.load?.present.has('tikv-importer.add-index-by-sql'), true);
  assert.equal(rb!.o.load?.config.tikvImporter.addIndexBySql, false);
  const done = (await http(base, '/progress/task')).body as Record<string, unknown>;
  assert.equal(done.s, 2);
  assert.equal(done.percent, 100);
  const m = parseMetrics((await http(base, '/metrics')).text);
  assert.equal(m.get('lightning_bytes{state="restored"}'), 100);
  assert.equal(m.get('lightning_rows{state="restored",table="`d`.`t`"}'), 4);

  const f = await submit(toml('fail'));
  await until('the failing task to end', async () => (await state(f.id)) === 'failed');
  const failed = (await tasks()).tasks.find((t) => t.id === f.id)!;
  assert.equal(failed.error?.code, Codes.Syntax);
  assert.deepEqual((await http(base, '/pause')).body, { paused: true }, 'a failed task pauses the import');

  const c = await submit(toml('a'));
  await until('c to wait at the gate', async () => (await tasks()).current === c.id);
  assert.deepEqual((await http(base, `/tasks/${c.id}`, { method: 'DELETE' })).body, {});
  await until('c to be cancelled', async () => (await state(c.id)) === 'cancelled');
  assert.equal((await http(base, `/tasks/${c.id}`, { method: 'DELETE' })).status, 404, 'nothing left to cancel');
  await http(base, '/resume', { method: 'PUT' });
});

test('a task\'s config is served without its secrets', async () => {
  const t = await submit(`${toml('a')}[tidb]\npassword = "hunter22-very-secret"\n`);
  await until('the task to finish', async () => (await state(t.id)) === 'completed');
  const r = await http(base, `/tasks/${t.id}`);
  assert.equal(r.status, 200);
  assert.doesNotMatch(r.text, /hunter22-very-secret/);
  assert.equal((r.body as { config: { tidb: { password: string } } }).config.tidb.password, '******');
});

test('listen addresses in Go form', () => {
  assert.deepEqual(parseListenAddr(':8289'), { host: undefined, port: 8289 });
  assert.deepEqual(parseListenAddr('0.0.0.0:8289'), { host: '0.0.0.0', port: 8289 });
  assert.deepEqual(parseListenAddr('[::1]:0'), { host: '::1', port: 0 });
  assert.deepEqual(parseListenAddr(':'), { host: undefined, port: 0 });
  assert.throws(() => parseListenAddr('8289'), /invalid listen address '8289'/);
  assert.throws(() => parseListenAddr('host:99999'), /invalid port '99999'/);
  assert.throws(() => parseListenAddr('host:http'), /invalid port 'http'/);
});

test('tikv-importer status server: its own metrics on its own address', async () => {
  const metrics = new ImporterMetrics({ defaultMetrics: false });
  const srv = await startImporterStatusServer({ addr: '127.0.0.1:0', metrics });
  try {
    await metrics.timeRpc('write_engine', async () => undefined);
    await assert.rejects(metrics.timeRpc('import_engine', async () => {
      throw new Error('no');
    }));
    metrics.writeChunkBytes.observe(4096);
    const m = parseMetrics((await http(`http://${srv.address!.text}`, '/metrics')).text);
    assert.equal(m.get('tikv_import_rpc_duration_count{request="write_engine",result="ok"}'), 1);
    assert.equal(m.get('tikv_import_rpc_duration_count{request="import_engine",result="error"}'), 1);
    assert.equal(m.get('tikv_import_write_chunk_bytes_sum'), 4096);
    assert.ok(m.has('tikv_import_write_chunk_bytes_bucket{le="1024"}'), 'Rust buckets start at 1 KiB');
    assert.equal((await http(`http://${srv.address!.text}`, '/other')).status, 404);
  } finally {
    await srv.close();
  }
});
