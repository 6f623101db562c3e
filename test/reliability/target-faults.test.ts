// Faults of the target while `tidb-lightning` imports (issue 9): the MariaDB server killed -9 and restarted on
// its datadir and port, connections killed (KILL CONNECTION), max_connections reached, the server made read-only.
// Each ends in clean retries (exit 0) or a clean, coded failure after which the operator's path (rerun, the ctl
// command the rerun names, rerun) gives the target exactly the source rows — never lost, never doubled. The
// import runs as a user without SUPER (max_connections and read_only apply to it), its password from
// TIDB_PASSWORD. Checkpoints in the SQLite file and in the target (driver = "mysql").
// `make test` runs each fault once; LIGHTNING_RELIABILITY=full runs every fault with both drivers, 3 times.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import mysql from 'mysql2/promise';
import { startMariaDB, type MariaDB } from '../harness/mariadb.js';
import { assertSameDatabase } from '../harness/compare.js';
import { lightningToml, startLightning, writeToml } from '../harness/lightning.js';
import { BACKENDS } from './backends.js';
import { createCorpus } from './corpus.js';
import { recover } from './operator.js';

const FULL = process.env.LIGHTNING_RELIABILITY === 'full';
const PASSWORD = 'Fault-Pw-6620';
const ENV = { TIDB_PASSWORD: PASSWORD };

let src: MariaDB;
let dst: MariaDB;
let work = '';
let dumpDir = '';

before(async () => {
  [src, dst] = await Promise.all([startMariaDB(), startMariaDB()]);
  work = mkdtempSync(join(tmpdir(), 'faults-'));
  dumpDir = await createCorpus(src, 'faults', work);
  await dst.query(`CREATE USER 'lt'@'127.0.0.1' IDENTIFIED BY '${PASSWORD}';
    GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, ALTER, INDEX, REFERENCES, LOCK TABLES ON *.* TO 'lt'@'127.0.0.1';
    CREATE USER 'filler'@'127.0.0.1'`);
});
after(async () => {
  await Promise.all([src?.stop(), dst?.stop()]);
  // LIGHTNING_KEEP_WORK=1 keeps the logs and checkpoints for a look
  if (work && !process.env.LIGHTNING_KEEP_WORK) rmSync(work, { recursive: true, force: true });
});

const ids = async (user: string) => (await dst.query<Array<{ ID: number }>>('SELECT ID FROM information_schema.PROCESSLIST WHERE USER = ?', [user])).map((r) => r.ID);
const killUser = async (user: string) => { for (const id of await ids(user)) await dst.query(`KILL ${id}`).catch(() => undefined); };

/** max_connections reached for `ms`: the import's connections are dropped and ordinary connections fill the
 * server (10 is the minimum max_connections): every reconnect of the import gets error 1040 until the fillers go. */
async function fillConnections(ms: number): Promise<void> {
  await dst.query('SET GLOBAL max_connections = 10');
  await killUser('lt');
  const fillers: mysql.Connection[] = [];
  let refused = false;
  try {
    while (!refused && fillers.length < 20) {
      await mysql.createConnection({ host: '127.0.0.1', port: dst.port, user: 'filler' })
        .then((c) => { fillers.push(c); }, (e: { errno?: number }) => { if (e.errno !== 1040) throw e; refused = true; });
    }
    assert.ok(refused, 'new ordinary connections are refused with 1040');
    await sleep(ms);
  } finally {
    await Promise.all(fillers.map((c) => c.end().catch(() => undefined)));
    await dst.query('SET GLOBAL max_connections = 151');
  }
}

interface Fault {
  name: string;
  /** mid-import: break the target; resolves when the fault is over (or left in place for `heal`) */
  inject(): Promise<void>;
  /** after the faulted run exited: put the target right again */
  heal?(): Promise<void>;
}

const FAULTS: Fault[] = [
  { name: 'server killed -9 and restarted on its datadir and port', inject: () => dst.restart() },
  {
    name: 'connections killed (KILL CONNECTION, 5 times)',
    inject: async () => { for (let i = 0; i < 5; i++) { await killUser('lt'); await sleep(250); } },
  },
  {
    name: 'max_connections reached for 2 s',
    inject: () => fillConnections(2000),
  },
  ...(FULL ? [{ name: 'max_connections reached for 25 s (longer than the retries)', inject: () => fillConnections(25_000) }] : []),
  {
    name: 'server set read-only (SET GLOBAL read_only = 1)',
    // lock_wait_timeout: should SET GLOBAL read_only wait for an open transaction, fail the case instead of hanging
    inject: () => dst.query('SET SESSION lock_wait_timeout = 20; SET GLOBAL read_only = 1'),
    heal: () => dst.query('SET GLOBAL read_only = 0'),
  },
];

const DRIVERS = ['file', 'mysql'] as const;
const ROUNDS = FULL ? 3 : 1;
let seq = 0;

// entries with their own checkpoint settings are variants of a backend: the drivers are looped here
for (const backend of BACKENDS.filter((b) => !b.checkpoint)) {
  for (const fault of FAULTS) {
    // make test: the restart and read-only faults with both drivers, the others with the file driver
    const drivers = FULL || /restart|read-only/.test(fault.name) ? DRIVERS : DRIVERS.slice(0, 1);
    for (const driver of drivers) {
      test(`target fault (${backend.name} backend, ${driver} checkpoint): ${fault.name} → retried or resumable, exact rows`, async (t) => {
        for (let round = 0; round < ROUNDS; round++) {
          const name = `f${++seq}`;
          const cfg = writeToml(work, `${name}.toml`, lightningToml({
            dataDir: dumpDir, logFile: join(work, `${name}.log`), routes: [['faults', name]],
            extra: driver === 'file' ? `[checkpoint]\ndsn = ${JSON.stringify(join(work, `${name}.db`))}\n`
              : `[checkpoint]\ndriver = "mysql"\nschema = "${name}_checkpoint"\n`,
          }));
          const args = ['-config', cfg, ...backend.flags(dst), '--tidb-user', 'lt'];
          const child = startLightning(args, ENV);
          let exited = false;
          void child.finally(() => { exited = true; });
          let res: Awaited<typeof child>;
          let at = 0;
          let took = 0;
          try {
            // mid-import: the first rows of the big table are in
            const t0 = Date.now();
            while (!exited && Date.now() - t0 < 60_000) {
              const [r] = await dst.query<Array<{ n: number }>>(`SELECT COUNT(*) n FROM information_schema.TABLES WHERE TABLE_SCHEMA = '${name}' AND TABLE_NAME = 'pk'`);
              if (Number(r?.n) && Number((await dst.query<Array<{ n: number }>>(`SELECT COUNT(*) n FROM \`${name}\`.pk`))[0]!.n) >= 5000) break;
              await sleep(30);
            }
            assert.ok(!exited, 'the import was still running when the fault came');
            at = Date.now() - t0;
            const t1 = Date.now();
            await fault.inject();
            took = Date.now() - t1;
            res = await child;
          } finally {
            // a failed assertion must not leave the import running into the next case
            if (!exited) child.kill('SIGKILL');
            await child.catch(() => undefined);
            await fault.heal?.();
          }
          const why = String(res.stderr).split('\n').find((l) => /Lightning:/.test(l))?.slice(0, 300);
          let steps = [`faulted run exit ${res.exitCode}${why ? ` (${why})` : ''}`];
          if (res.exitCode !== 0) {
            assert.equal(res.exitCode, 1, `a clean failure exits 1:\n${String(res.stderr)}`);
            assert.match(String(res.stderr), /^tidb-lightning: \[Lightning:[A-Za-z]+:Err[A-Za-z]+\]/, `a coded error:\n${String(res.stderr)}`);
            assert.doesNotMatch(String(res.stderr), /\n\s+at /, 'no crash with a stack trace');
            steps = [...steps, ...(await recover(args, ENV)).steps];
          }
          t.diagnostic(`${name}: fault at ${at} ms after the first rows, lasting ${took} ms; ${steps.join(' → ')}`);
          await assertSameDatabase(src, 'faults', dst, name);
          await dst.query(`DROP DATABASE \`${name}\``);
        }
      });
    }
  }
}
