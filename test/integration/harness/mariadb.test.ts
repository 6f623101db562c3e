// The private MariaDB harness: fast start/stop, nothing left behind, instances side by side.
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import net from 'node:net';
import { dirname } from 'node:path';
import { describe, it } from 'node:test';
import { ensureMariaDBInstalled, startMariaDB, type MariaDB } from '../../harness/mariadb.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = net.connect(port, '127.0.0.1');
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

async function assertGone(db: MariaDB): Promise<void> {
  assert.equal(alive(db.pid), false, `mariadbd pid ${db.pid} still running`);
  assert.equal(await portOpen(db.port), false, `port ${db.port} still open`);
  assert.equal(existsSync(db.datadir), false, `datadir ${db.datadir} still there`);
  assert.equal(existsSync(db.socket), false, `socket ${db.socket} still there`);
}

describe('harness: MariaDB', () => {
  it('starts and stops in under 10 s and leaves nothing running', async () => {
    await ensureMariaDBInstalled();
    const t0 = performance.now();
    const db = await startMariaDB();
    const started = performance.now() - t0;
    try {
      assert.equal(db.host, '127.0.0.1');
      assert.equal(alive(db.pid), true);
      assert.equal(await portOpen(db.port), true);
      const rows = await db.query<Array<{ u: string; x: number }>>('SELECT current_user() AS u, 1 + ? AS x', [41]);
      assert.equal(rows[0]!.x, 42);
      assert.match(rows[0]!.u, /^root@/);
      // stock settings: nothing tuned (128M buffer pool, durable commits), plus the harness's own flags
      const vars = await db.query<Array<Record<string, number | string>>>(
        'SELECT @@innodb_buffer_pool_size AS bp, @@innodb_flush_log_at_trx_commit AS fl, @@local_infile AS li, ' +
        '@@max_allowed_packet AS map, @@log_bin AS lb, @@bind_address AS ba, @@skip_name_resolve AS snr');
      assert.deepEqual(vars[0], { bp: 134217728, fl: 1, li: 1, map: 268435456, lb: 0, ba: '127.0.0.1', snr: 1 });
      // multipleStatements and the CLI client
      await db.query('CREATE DATABASE h; CREATE TABLE h.t (id INT PRIMARY KEY, s VARCHAR(8)); INSERT INTO h.t VALUES (1, "a\\tb"), (2, NULL)');
      assert.equal(await db.sql('SELECT id, s FROM h.t ORDER BY id'), 'id\ts\n1\ta\\tb\n2\tNULL');
    } finally {
      const t1 = performance.now();
      await db.stop();
      const stopped = performance.now() - t1;
      console.log(`harness: MariaDB start ${started.toFixed(0)} ms, stop ${stopped.toFixed(0)} ms`);
      assert.ok(started + stopped < 10_000, `start ${started} ms + stop ${stopped} ms`);
    }
    await assertGone(db);
    await db.stop(); // idempotent
  });

  it('runs two instances side by side on different ports', async () => {
    const [a, b] = await Promise.all([startMariaDB(), startMariaDB()]);
    try {
      assert.notEqual(a.port, b.port);
      assert.notEqual(a.datadir, b.datadir);
      await a.query('CREATE DATABASE only_a');
      const dbs = await b.query<Array<{ Database: string }>>('SHOW DATABASES');
      assert.equal(dbs.some((d) => d.Database === 'only_a'), false);
      const [pa] = await a.query<Array<{ p: number }>>('SELECT @@port AS p');
      const [pb] = await b.query<Array<{ p: number }>>('SELECT @@port AS p');
      assert.deepEqual([pa!.p, pb!.p], [a.port, b.port]);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
    await assertGone(a);
    await assertGone(b);
  });

  it('keep leaves the datadir; stock: false applies the tuned settings; args are passed last', async () => {
    const db = await startMariaDB({ keep: true, stock: false, args: ['--max-connections=77'] });
    try {
      const [v] = await db.query<Array<Record<string, number>>>(
        'SELECT @@innodb_flush_log_at_trx_commit AS fl, @@innodb_buffer_pool_size AS bp, @@max_connections AS mc');
      assert.deepEqual(v, { fl: 0, bp: 512 * 1024 * 1024, mc: 77 });
    } finally {
      await db.stop();
    }
    assert.equal(alive(db.pid), false);
    assert.equal(existsSync(db.datadir), true);
    rmSync(dirname(db.datadir), { recursive: true, force: true });
  });
});
