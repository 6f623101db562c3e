// The `local` backend end to end through the CLI, against the simulator: a real mydumper dump of a MariaDB
// database → `tidb-lightning --backend local` (schemas through the simulated TiDB, rows encoded by the
// EncodePool, sorted in engines under sorted-kv-dir, split/scattered/written/ingested into the simulated TiKV,
// ADMIN CHECKSUM through the coprocessor) → every row read back through the simulated TiDB equals MariaDB's.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { execa } from 'execa';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { startMariaDB, type MariaDB } from '../harness/mariadb.js';
import { runCtl, runLightning, startLightning, writeToml } from '../harness/lightning.js';
import { startSimCluster } from './sim/index.js';
import { assertSameAsSource, createLocalDump, localFlags, TABLE_NAMES } from './local-dump.js';

let src: MariaDB;
let work = '';
let dump = '';

before(async () => {
  src = await startMariaDB();
  work = mkdtempSync(join(tmpdir(), 'local-cli-'));
  dump = await createLocalDump(src, work);
});
after(async () => {
  await src?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

const flags = localFlags;

test('local backend through the CLI: exact rows in the simulated cluster, checksum compared, Normal mode at the end', async (t) => {
  const sim = await startSimCluster({ stores: 3, testContext: t });
  const sorted = join(work, 'sorted1');
  const cfg = writeToml(work, 'l1.toml', `[lightning]\nfile = "${join(work, 'l1.log')}"\nlevel = "debug"\n[checkpoint]\ndsn = "${join(work, 'l1.db')}"\n`);
  const r = await runLightning(['-config', cfg, '-d', dump, ...flags(sim, sorted)]);
  assert.equal(r.exitCode, 0, `${r.stderr}\n${r.stdout}`);
  for (const tb of TABLE_NAMES) assert.match(r.stdout, new RegExp(`\`lc\`\\.\`${tb}\`.*OK: checksum`), r.stdout);
  await assertSameAsSource(src, sim);
  for (const id of sim.storeIds) assert.equal(sim.store(id).modeHistory.at(-1), 'Normal');
  assert.deepEqual(readdirSync(sorted), [], 'engines cleaned up');
  // AUTO_INCREMENT moved past the imported ids
  const [host, port] = sim.tidbAddr!.split(':');
  const c = await mysql.createConnection({ host, port: Number(port), user: 'root' });
  const [ai] = await c.query("SELECT AUTO_INCREMENT a FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'lc' AND TABLE_NAME = 'auto'") as unknown as [Array<{ a: unknown }>];
  await c.end();
  assert.ok(Number(ai[0]?.a) > 500, `AUTO_INCREMENT ${String(ai[0]?.a)}`);
});

test('local backend: kill -9 during the import, rerun → exact rows', async (t) => {
  const sim = await startSimCluster({ stores: 3, testContext: t });
  const sorted = join(work, 'sorted2');
  const cfg = writeToml(work, 'l2.toml', `[lightning]\nfile = "${join(work, 'l2.log')}"\n[checkpoint]\ndsn = "${join(work, 'l2.db')}"\n`);
  const args = ['-config', cfg, '-d', dump, ...flags(sim, sorted)];
  for (const at of [900, 1800]) {
    const child = startLightning(args);
    await new Promise((res) => setTimeout(res, at));
    child.kill('SIGKILL');
    await child;
  }
  const r = await runLightning(args);
  assert.equal(r.exitCode, 0, `${r.stderr}\n${r.stdout}`);
  await assertSameAsSource(src, sim);
});

test('local backend: disk-quota reached → clean coded error naming sorted-kv-dir; error-ignore, rerun with a larger quota → exact rows', async (t) => {
  const sim = await startSimCluster({ stores: 3, testContext: t });
  const sorted = join(work, 'sorted3');
  const toml = (quota: number) => `[lightning]\nfile = "${join(work, 'l3.log')}"\n[checkpoint]\ndsn = "${join(work, 'l3.db')}"\n` +
    `[tikv-importer]\ndisk-quota = ${quota}\n`;
  const args = (cfg: string) => ['-config', cfg, '-d', dump, ...flags(sim, sorted)];
  const r = await runLightning(args(writeToml(work, 'l3a.toml', toml(20_000))));
  assert.notEqual(r.exitCode, 0, r.stdout);
  const last = String(r.stderr).trim().split('\n').at(-1)!;
  assert.match(last, /Lightning:Restore:ErrDiskQuota.*disk-quota 20000/, String(r.stderr));
  assert.doesNotMatch(String(r.stderr), /\n\s+at /, 'no stack trace');
  // the documented repair: the rows and engines written so far are good, so ignore the error and rerun
  const big = writeToml(work, 'l3b.toml', toml(1 << 30));
  const ig = await runCtl(['-config', big, '-d', dump, ...flags(sim, sorted), '--checkpoint-error-ignore=all']);
  assert.equal(ig.exitCode, 0, `${ig.stderr}\n${ig.stdout}`);
  const ok = await runLightning(args(big));
  assert.equal(ok.exitCode, 0, `${ok.stderr}\n${ok.stdout}`);
  await assertSameAsSource(src, sim);
});

test('local backend: sorted-kv-dir on a full file system (ENOSPC) → clean coded error; space back, error-ignore, rerun → exact rows', async (t) => {
  const dir = join(work, 'tiny');
  mkdirSync(dir);
  const m = await execa('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', dir], { reject: false, all: true });
  if (m.exitCode !== 0) { t.skip(`mount -t tmpfs failed (exit ${m.exitCode}): ${String(m.all).trim()}`); return; }
  t.after(() => execa('umount', ['-l', dir], { reject: false }));
  const sim = await startSimCluster({ stores: 3, testContext: t });
  const cfg = writeToml(work, 'l4.toml', `[lightning]\nfile = "${join(work, 'l4.log')}"\n[checkpoint]\ndsn = "${join(work, 'l4.db')}"\n`);
  const args = ['-config', cfg, '-d', dump, ...flags(sim, join(dir, 'sorted'))];
  const r = await runLightning(args);
  assert.notEqual(r.exitCode, 0, r.stdout);
  const last = String(r.stderr).trim().split('\n').at(-1)!;
  assert.match(last, /^tidb-lightning: \[Lightning:[A-Za-z]+:Err\w+\].*(ENOSPC|no space)/i, String(r.stderr));
  assert.doesNotMatch(String(r.stderr), /\n\s+at /, 'no stack trace');
  // more room on the same file system: the engines written so far stay where they are
  await execa('mount', ['-o', 'remount,size=64m', dir]);
  const ig = await runCtl([...args, '--checkpoint-error-ignore=all']);
  assert.equal(ig.exitCode, 0, `${ig.stderr}\n${ig.stdout}`);
  const ok = await runLightning(args);
  assert.equal(ok.exitCode, 0, `${ok.stderr}\n${ok.stdout}`);
  await assertSameAsSource(src, sim);
});
