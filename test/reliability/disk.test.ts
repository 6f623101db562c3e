// A full disk under the checkpoint (issue 9). The tidb backend writes nothing locally but the SQLite checkpoint,
// so the checkpoint sits on a 1 MiB tmpfs that the test fills mid-import: the import must end with a clean,
// coded error naming the checkpoint file, and once space is back the same command (or the ctl command its
// refusal names) must finish with exactly the source rows. Needs `mount` (root); skipped with the reason otherwise.
// (disk-quota and a full sort directory of the local backend belong to the local backend's tests.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, statfsSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { startMariaDB, type MariaDB } from '../harness/mariadb.js';
import { assertSameDatabase } from '../harness/compare.js';
import { lightningToml, startLightning, writeToml } from '../harness/lightning.js';
import { BACKENDS } from './backends.js';
import { createCorpus } from './corpus.js';
import { recover } from './operator.js';

let src: MariaDB;
let dst: MariaDB;
let work = '';
let mnt = '';
let mounted = false;
let why = '';

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'disk-'));
  mnt = join(work, 'small');
  mkdirSync(mnt);
  const m = await execa('mount', ['-t', 'tmpfs', '-o', 'size=1M', 'tmpfs', mnt], { reject: false, all: true });
  mounted = m.exitCode === 0;
  why = mounted ? '' : `mount -t tmpfs failed (exit ${m.exitCode}): ${String(m.all).trim()}`;
  if (!mounted) return;
  [src, dst] = await Promise.all([startMariaDB(), startMariaDB()]);
});
after(async () => {
  await Promise.all([src?.stop(), dst?.stop()]);
  if (mounted) await execa('umount', [mnt], { reject: false });
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Write zeros until the file system says ENOSPC; returns the bytes written. */
function fill(path: string): number {
  const fd = openSync(path, 'w');
  const block = Buffer.alloc(4096);
  let n = 0;
  try {
    for (;;) n += writeSync(fd, block);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
  } finally {
    closeSync(fd);
  }
  return n;
}

for (const backend of BACKENDS.filter((b) => !b.checkpoint)) {
  test(`full disk under the checkpoint file (${backend.name} backend): clean coded error, then a resumed run gives exact rows`, async (t) => {
    if (!mounted) {
      t.diagnostic(`skipped: ${why}`);
      t.skip(why);
      return;
    }
    const dumpDir = await createCorpus(src, 'disk', work);
    const cp = join(mnt, 'tidb_lightning_checkpoint.db');
    const cfg = writeToml(work, 'disk.toml', lightningToml({
      dataDir: dumpDir, logFile: join(work, 'disk.log'), routes: [['disk', 'disk']], extra: `[checkpoint]\ndsn = ${JSON.stringify(cp)}\n`,
    }));
    const args = ['-config', cfg, ...backend.flags(dst)];
    const child = startLightning(args);
    let exited = false;
    void child.finally(() => { exited = true; });
    let filled = 0;
    try {
      const t0 = Date.now();
      while (!exited && Date.now() - t0 < 60_000) {
        const [r] = await dst.query<Array<{ n: number }>>("SELECT COUNT(*) n FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'disk' AND TABLE_NAME = 'pk'");
        if (Number(r?.n) && Number((await dst.query<Array<{ n: number }>>('SELECT COUNT(*) n FROM disk.pk'))[0]!.n) >= 5000) break;
        await sleep(30);
      }
      assert.ok(!exited, 'the import was still running when the disk filled');
      filled = fill(join(mnt, 'filler'));
    } finally {
      // the import must stop by itself; a hang fails the assertion below instead of the whole run
      const guard = setTimeout(() => child.kill('SIGKILL'), 120_000);
      await child.catch(() => undefined);
      clearTimeout(guard);
    }
    const res = await child;
    const free = statfsSync(mnt);
    t.diagnostic(`filled ${filled} bytes; ${free.bavail * free.bsize} bytes left; faulted run exit ${res.exitCode}: ${String(res.stderr).trim().slice(0, 400)}`);
    assert.equal(res.exitCode, 1, `the run must fail on a full disk:\n${String(res.stderr)}`);
    // a clean error: the CLI's one coded line, not a crash with a stack trace
    assert.match(String(res.stderr), /^tidb-lightning: \[Lightning:Checkpoint:Err(Update|Open)Checkpoint\] .*disk is full.*tidb_lightning_checkpoint\.db/s, String(res.stderr));
    assert.doesNotMatch(String(res.stderr), /\n\s+at /, String(res.stderr));

    rmSync(join(mnt, 'filler'));
    const { steps } = await recover(args);
    t.diagnostic(`after freeing the space: ${steps.join(' → ')}`);
    await assertSameDatabase(src, 'disk', dst, 'disk');
  });
}
