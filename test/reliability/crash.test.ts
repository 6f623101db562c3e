// Crash matrix (issues 6 and 9): kill -9 of `tidb-lightning` at seeded random moments in every phase (schema,
// insert, post-restore), then the same command again: the target must hold exactly the source rows, for tables
// with and without a primary key. The moments are drawn inside each phase's window, measured on a clean run
// of the same import, and listed in the output with the last thing the killed process logged.
// `make test` runs CRASH_KILLS (default 21) kills; LIGHTNING_RELIABILITY=full runs 60. LIGHTNING_CRASH_SEED replays.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMariaDB, type MariaDB } from '../harness/mariadb.js';
import { assertSameDatabase } from '../harness/compare.js';
import { lightningToml, runLightning, writeToml } from '../harness/lightning.js';
import { createCorpus } from './corpus.js';
import { BACKENDS } from './backends.js';
import { phaseWindows, runKillMatrix } from './matrix.js';

const FULL = process.env.LIGHTNING_RELIABILITY === 'full';
const KILLS = Number(process.env.CRASH_KILLS ?? (FULL ? 60 : 21));
const SEED = Number(process.env.LIGHTNING_CRASH_SEED ?? 20261201);

let src: MariaDB;
let dst: MariaDB;
let work = '';
let dumpDir = '';

before(async () => {
  [src, dst] = await Promise.all([startMariaDB(), startMariaDB()]);
  work = mkdtempSync(join(tmpdir(), 'crash-'));
  dumpDir = await createCorpus(src, 'crash', work);
});
after(async () => {
  await Promise.all([src?.stop(), dst?.stop()]);
  if (work) rmSync(work, { recursive: true, force: true });
});

for (const backend of BACKENDS) {
  const kills = FULL || process.env.CRASH_KILLS ? KILLS : (backend.quickKills ?? KILLS);
  // run names (schemas, files) of every entry after the first get a prefix: they share the servers
  const P = BACKENDS.indexOf(backend) ? `b${BACKENDS.indexOf(backend)}_` : '';
  test(`crash matrix (${backend.name} backend): ${kills || KILLS} kill -9 at seeded moments in every phase, rerun → exact data`,
    { skip: kills === 0 ? 'runs under LIGHTNING_RELIABILITY=full' : false }, async (t) => {
    const run = (name: string, extra = '') => {
      const cfg = writeToml(work, `${name}.toml`, lightningToml({
        dataDir: dumpDir, logFile: join(work, `${name}.log`), routes: [['crash', name]],
        extra: `[checkpoint]\n${backend.checkpoint?.(name, work) ?? `dsn = ${JSON.stringify(join(work, `${name}.db`))}\n`}${extra}`,
      }));
      return ['-config', cfg, ...backend.flags(dst)];
    };
    // A clean run gives each phase's window (ms since start), from its log.
    const t0 = Date.now();
    const clean = await runLightning(run(`${P}clean`));
    assert.equal(clean.exitCode, 0, clean.stderr);
    await assertSameDatabase(src, 'crash', dst, `${P}clean`);
    const windows = phaseWindows(join(work, `${P}clean.log`), t0);
    t.diagnostic(`seed ${SEED}; clean run ${Date.now() - t0} ms; windows ${JSON.stringify(windows)}`);

    await runKillMatrix(t, {
      kills, seed: SEED, windows, name: (i) => `${P}k${i}`, args: (name) => run(name), log: (name) => join(work, `${name}.log`),
      check: async (name) => {
        await assertSameDatabase(src, 'crash', dst, name);
        assert.equal(existsSync(join(work, `${name}.db`)), false, 'checkpoint removed after success');
        await dst.query(`DROP DATABASE \`${name}\``);
      },
    });
  });
}
