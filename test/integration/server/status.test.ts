// A plain (not server-mode) import with no status-addr: SIGUSR1 opens the status server on a random loopback
// port and prints it, as Go does; the JSON endpoints, the web page and the Go-field progress log lines are
// checked while one table is held back by a READ lock the test takes on the target (the import can read it
// but its writes wait), which keeps the import running for exactly as long as the test needs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { startMariaDB, type MariaDB } from '../../harness/mariadb.js';
import { lightningToml, startLightning, targetFlags, writeToml } from '../../harness/lightning.js';
import { http, readLog, scrape, sum, waitFor, writeDump } from './helpers.js';

let db: MariaDB;
let work = '';

before(async () => {
  db = await startMariaDB();
  work = mkdtempSync(join(tmpdir(), 'status-it-'));
});
after(async () => {
  await db?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

test('SIGUSR1 starts the status server; progress JSON, table checkpoint, web page and progress log lines while importing', async () => {
  const dump = writeDump(work, 'st', { tables: 2, files: 3, rowsPerFile: 200 });
  const logFile = join(work, 'st.log');
  const cfg = writeToml(work, 'st.toml', lightningToml({ dataDir: dump.dir, logFile, extra: '[cron]\nlog-progress = "100ms"\n' }));
  // t2 exists (empty) and is READ-locked by this connection: lightning plans it, then waits to write into it
  await db.query('CREATE DATABASE st; CREATE TABLE st.t2 (`id` int PRIMARY KEY, `v` varchar(64), `n` int)');
  const lock = await mysql.createConnection({ host: '127.0.0.1', port: db.port, user: 'root' });
  await lock.query('LOCK TABLES st.t2 READ');
  const proc = startLightning(['-config', cfg, ...targetFlags(db)]);
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  try {
    await waitFor('the effective config line', () => readLog(logFile).some((l) => l.msg === 'effective config'));
    proc.kill('SIGUSR1');
    const addr = await waitFor('the SIGUSR1 server line', () => /started HTTP server on (127\.0\.0\.1:\d+)/.exec(stderr)?.[1]);
    const base = `http://${addr}`;

    // t1 goes through while t2 waits for the lock
    await waitFor('t1 to be imported', async () => {
      const m = await scrape(base);
      return m.get('lightning_rows{state="restored",table="`st`.`t1`"}') === 600 || undefined;
    });
    const m = await scrape(base);
    assert.equal(sum(m, 'lightning_bytes', 'state="total_restore"'), dump.bytes);
    assert.equal(m.get('lightning_chunks{state="estimated"}'), dump.files);
    assert.ok(m.has('lightning_progress{phase="total"}'));

    const p = (await http(base, '/progress/task')).body as Record<string, unknown> & { t: Record<string, { w: number; z: number; s: number }>; tables: Array<{ name: string; status: string }> };
    assert.equal(p.s, 1);
    assert.equal((p.task as { state: string }).state, 'running');
    assert.equal(p.t['`st`.`t1`']?.w, p.t['`st`.`t1`']?.z, 't1 fully written');
    assert.ok((p.t['`st`.`t2`']?.w ?? -1) === 0);
    assert.ok((p.percent as number) > 0 && (p.percent as number) < 100, `percent ${String(p.percent)}`);
    assert.equal(p.state, 'writing');

    const cp = await http(base, `/progress/table?t=${encodeURIComponent('`st`.`t1`')}`);
    assert.equal(cp.status, 200);
    const engines = (cp.body as { Engines: Record<string, { Chunks: Array<{ Key: { Path: string }; Chunk: { Offset: number; EndOffset: number } }> }> }).Engines;
    const chunks = Object.values(engines).flatMap((e) => e.Chunks);
    assert.equal(chunks.length, 3);
    for (const c of chunks) assert.equal(c.Chunk.Offset, c.Chunk.EndOffset, `${c.Key.Path} finished in the checkpoint`);
    assert.equal((await http(base, '/progress/table?t=nope')).status, 404);

    // not server mode: no task submission; the page, the redirect and the log level work
    const post = await http(base, '/tasks', { method: 'POST', body: '[mydumper]\n' });
    assert.equal(post.status, 501);
    assert.deepEqual(post.body, { error: 'server-mode not enabled' });
    const root = await http(base, '/');
    assert.equal(root.status, 302);
    const page = await http(base, '/web/');
    assert.equal(page.status, 200);
    assert.match(page.text, /<title>TiDB Lightning<\/title>/);
    assert.equal((await http(base, '/web/app.js')).status, 200);
    assert.equal((await http(base, '/web/missing.js')).status, 404);
    assert.deepEqual((await http(base, '/loglevel')).body, { level: 'debug' });
    assert.equal((await http(base, '/loglevel', { method: 'PUT', body: '{"level":"info"}' })).status, 200);
    assert.equal((await http(base, '/loglevel', { method: 'PUT', body: '{"level":"loud"}' })).status, 400);
    assert.deepEqual((await http(base, '/loglevel')).body, { level: 'info' });
    assert.equal((await http(base, '/resume', { method: 'GET' })).status, 405);

    proc.kill('SIGUSR1');
    await waitFor('the already-started line', () => readLog(logFile).some((l) => l.msg === 'already started HTTP server'));
    // progress lines with the Go fields; speed and remaining once t1 moved bytes
    const lines = await waitFor('a progress line with speed and remaining', () => {
      const ls = readLog(logFile).filter((l) => l.msg === 'progress');
      return ls.some((l) => l.remaining !== undefined && l['encode speed(MiB/s)'] !== undefined) ? ls : undefined;
    });
    for (const l of lines) {
      assert.match(String(l.total), /^\d+\.\d%$/);
      assert.match(String(l.tables), /^\d+\/2( \(\d+\.\d%\))?$/);
      assert.match(String(l.chunks), /^\d+\/6 \(\d+\.\d%\)$/);
      assert.match(String(l.engines), /^\d+\/4 \(\d+\.\d%\)$/);
      assert.match(String(l['restore-bytes']), /^[\d.]+(B|KiB|MiB)\/[\d.]+(B|KiB|MiB)$/);
      assert.ok(['preparing', 'writing', 'importing', 'post-processing'].includes(String(l.state)));
    }
    const moving = lines.find((l) => l.remaining !== undefined)!;
    assert.match(String(moving.remaining), /^(\d+h)?(\d+m)?\d+s$/);
    assert.ok(Number(moving['encode speed(MiB/s)']) > 0);
  } finally {
    await lock.query('UNLOCK TABLES');
    await lock.end();
  }
  const r = await proc;
  assert.equal(r.exitCode, 0, String(r.stderr));
  assert.match(String(r.stdout), /`st`\.`t2`\s+600 rows\s+OK/);
  const n = await db.query<Array<{ n: number }>>('SELECT COUNT(*) n FROM st.t2');
  assert.equal(Number(n[0]!.n), 600);
});

test('status-addr that cannot be bound is a coded config error (exit 2)', async () => {
  const dump = writeDump(work, 'st2', { tables: 1, files: 1, rowsPerFile: 1 });
  const blocker = await import('node:net').then((net) => net.createServer());
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as { port: number }).port;
  try {
    const r = await startLightning(['-d', dump.dir, ...targetFlags(db), '--status-addr', `127.0.0.1:${port}`, '--log-file', join(work, 'st2.log')]);
    assert.equal(r.exitCode, 2, String(r.stderr));
    assert.match(String(r.stderr), /Lightning:Config:ErrInvalidConfig.*cannot start the status server on '127\.0\.0\.1:\d+'.*EADDRINUSE/);
  } finally {
    blocker.close();
  }
});
