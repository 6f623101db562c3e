// Crash matrix of the KV backends (issue 9: every backend that exists): kill -9 of `tidb-lightning --backend
// local|importer` at seeded moments in each phase (schema, encode/sort/ingest, post-restore) against the
// simulated cluster, then the same command again: the cluster must hold exactly MariaDB's rows. Each kill imports
// into its own schema (a route), with its own checkpoint (and sorted-kv-dir); the importer entry runs one real
// tikv-importer process for all its runs. `make test` runs 9 kills per backend (3 per phase);
// LIGHTNING_RELIABILITY=full runs 21. LIGHTNING_CRASH_SEED replays.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMariaDB, type MariaDB } from '../harness/mariadb.js';
import { runLightning, writeToml } from '../harness/lightning.js';
import { startSimCluster, type SimCluster } from '../cluster/sim/index.js';
import { importerToml, spawnImporter, type TestContext } from '../cluster/importer-fixture.js';
import { assertSameAsSource, createLocalDump, localFlags } from '../cluster/local-dump.js';
import { phaseWindows, runKillMatrix } from './matrix.js';

const FULL = process.env.LIGHTNING_RELIABILITY === 'full';
const KILLS = Number(process.env.CRASH_KILLS ?? (FULL ? 21 : 9));
const SEED = Number(process.env.LIGHTNING_CRASH_SEED ?? 20261202);

let src: MariaDB;
let work = '';
let dump = '';

interface KvBackend {
  name: string;
  /** tidb-lightning flags of run `name`, once per test: whatever the backend needs is started here */
  prepare(t: TestContext, sim: SimCluster): Promise<(name: string) => string[]>;
}

const KV_BACKENDS: KvBackend[] = [
  { name: 'local', prepare: async (_t, sim) => (name) => localFlags(sim, join(work, `${name}-sorted`)) },
  {
    name: 'importer',
    prepare: async (t, sim) => {
      const dir = join(work, 'importer');
      mkdirSync(dir);
      const imp = await spawnImporter(t, writeToml(work, 'importer.toml', importerToml(dir)));
      const [host, port] = sim.tidbAddr!.split(':');
      return () => ['--backend', 'importer', '--importer', imp.addr, '--pd-urls', sim.pdAddr, '--tidb-host', host!, '--tidb-port', port!,
        '--tidb-status', sim.statusAddr!.split(':')[1]!, '--tidb-user', 'root'];
    },
  },
];

before(async () => {
  src = await startMariaDB();
  work = mkdtempSync(join(tmpdir(), 'crash-local-'));
  dump = await createLocalDump(src, work);
});
after(async () => {
  await src?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

for (const backend of KV_BACKENDS) {
  test(`crash matrix (${backend.name} backend, simulated cluster): ${KILLS} kill -9 at seeded moments in every phase, rerun → exact rows`, async (t) => {
    const sim = await startSimCluster({ stores: 3, testContext: t });
    const flags = await backend.prepare(t, sim);
    const P = `${backend.name}_`;
    const args = (run: string) => {
      const name = P + run;
      const cfg = writeToml(work, `${name}.toml`, `[lightning]\nfile = "${join(work, `${name}.log`)}"\n` +
        `[checkpoint]\ndsn = "${join(work, `${name}.db`)}"\n[[routes]]\nschema-pattern = "lc"\ntarget-schema = "${name}"\n`);
      return ['-config', cfg, '-d', dump, ...flags(name)];
    };
    // two clean runs: the first warms the simulator up, the second's log gives each phase's window
    let t0 = 0;
    for (const run of ['clean', 'clean2']) {
      t0 = Date.now();
      const clean = await runLightning(args(run));
      assert.equal(clean.exitCode, 0, `${clean.stderr}\n${clean.stdout}`);
      await assertSameAsSource(src, sim, `${P}${run}`);
    }
    const windows = phaseWindows(join(work, `${P}clean2.log`), t0);
    t.diagnostic(`seed ${SEED}; clean run ${Date.now() - t0} ms; windows ${JSON.stringify(windows)}`);

    await runKillMatrix(t, {
      kills: KILLS, seed: SEED, windows, name: (i) => `k${i}`, args, log: (run) => join(work, `${P}${run}.log`),
      check: async (run) => {
        await assertSameAsSource(src, sim, `${P}${run}`);
        assert.equal(existsSync(join(work, `${P}${run}.db`)), false, 'checkpoint removed after success');
      },
    });
  });
}
