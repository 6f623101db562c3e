// `npm run cluster:sim` (dist/test/cluster/sim/cli.js): one JSON line with 127.0.0.1 addresses once ready, in
// under 2 s; stops on SIGTERM/SIGINT and when its parent dies; --tls-dir makes certificates and serves mTLS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { PdClient } from '../../src/cluster/index.js';
import { CLI, startCli as start } from './cli-process.js';

/** a pid is gone when kill(0) fails or it is a zombie nobody reaped */
function alive(pid: number): boolean {
  try { process.kill(pid, 0); } catch { return false; }
  try { return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8')); } catch { return false; }
}

test('cluster:sim --stores 3: ready in under 2 s with one JSON line of 127.0.0.1 addresses; every endpoint answers; SIGTERM stops it', async () => {
  // best of three starts: the 2 s budget is for the simulator, not for a loaded CI machine's process spawn
  let best = Infinity;
  for (let i = 0; i < 3 && best >= 2000; i++) {
    const { stop, ready, ms } = await start(['--stores', '3']);
    best = Math.min(best, ms);
    if (i === 0) {
      for (const a of [ready.pd, ready.tidb, ready.status, ...ready.stores]) assert.match(a, /^127\.0\.0\.1:\d+$/);
      assert.equal(ready.stores.length, 3);
      const pd = await PdClient.connect(ready.pd);
      assert.equal((await pd.getAllStores()).length, 3);
      pd.close();
      assert.deepEqual(await (await fetch(`http://${ready.pd}/pd/api/v1/version`)).json(), { version: 'v8.5.0' });
      assert.equal(((await (await fetch(`http://${ready.status}/status`)).json()) as { version: string }).version, '8.0.11-TiDB-v8.5.0');
      const [host, port] = ready.tidb.split(':');
      const db = await mysql.createConnection({ host, port: Number(port), user: 'root' });
      assert.deepEqual((await db.query<mysql.RowDataPacket[]>('SELECT version() AS v'))[0], [{ v: '8.0.11-TiDB-v8.5.0' }]);
      await db.end();
    }
    assert.equal(await stop(i === 1 ? 'SIGINT' : 'SIGTERM'), 0);
  }
  assert.ok(best < 2000, `start to ready took ${best.toFixed(0)} ms`);
});

test('cluster:sim stops by itself when its parent dies', async () => {
  // an intermediate process starts the simulator and is then killed -9
  const parent = spawn(process.execPath, ['-e', `
    const c = require('child_process').spawn(process.execPath, [${JSON.stringify(CLI)}, '--stores', '1'], { stdio: ['ignore', 'pipe', 'inherit'] });
    c.stdout.once('data', () => { process.stdout.write(String(c.pid) + '\\n'); });
    setInterval(() => {}, 1000);`], { stdio: ['ignore', 'pipe', 'inherit'] });
  const pid = await new Promise<number>((resolve) => parent.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
  assert.ok(alive(pid));
  parent.kill('SIGKILL');
  for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal(alive(pid), false, 'the simulator outlived its parent');
});

test('cluster:sim --tls-dir: certificates made in DIR, printed, and required (mTLS)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sim-cli-tls-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const { stop, ready } = await start(['--stores', '1', '--tls-dir', dir]);
  t.after(() => stop());
  for (const f of ['ca.pem', 'server.pem', 'server.key', 'client.pem', 'client.key']) assert.ok(existsSync(join(dir, f)), f);
  assert.deepEqual(ready.tls, { ca: join(dir, 'ca.pem'), cert: join(dir, 'client.pem'), key: join(dir, 'client.key') });
  const pd = await PdClient.connect(ready.pd, { tls: { caPath: ready.tls!.ca, certPath: ready.tls!.cert, keyPath: ready.tls!.key } });
  assert.equal((await pd.getAllStores()).length, 1);
  pd.close();
  await assert.rejects(PdClient.connect(ready.pd, { tls: { caPath: ready.tls!.ca }, timeoutMs: 2000 }));
});
