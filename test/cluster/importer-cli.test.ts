// The `importer` backend end to end: a real mydumper dump of a MariaDB database → `tidb-lightning --backend
// importer` → a real `tikv-importer` process (dist/src/cli/tikv-importer.js) on a free 127.0.0.1 port, pointed at
// the simulated PD → rows in the simulated TiKV, ADMIN CHECKSUM compared → every row read back through the
// simulated TiDB equals MariaDB's. Then kill -9 of lightning and of tikv-importer at chosen moments, rerun.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { freePort, startMariaDB, type MariaDB } from '../harness/mariadb.js';
import { mydumper } from '../harness/mydumper.js';
import { runLightning, startLightning, writeToml } from '../harness/lightning.js';
import { SqliteCheckpointStore } from '../../src/checkpoint/sqlite.js';
import { startSimCluster, type SimCluster } from './sim/index.js';
import { importerToml, spawnImporter, type ImporterProcess, type TestContext } from './importer-fixture.js';

let src: MariaDB;
let work = '';
let dump = '';

const TABLES: Record<string, [string, string[]]> = {
  // clustered primary key, a secondary index, multi-byte text
  orders: ['id INT PRIMARY KEY, cust INT NOT NULL, note VARCHAR(40), KEY by_cust (cust)', ['id', 'cust', 'note']],
  // no primary key (row ids), a unique key, values longer than 255 bytes (TiKV's default CF)
  blobs: ['a INT, u VARCHAR(16) NOT NULL, body TEXT, UNIQUE KEY uu (u)', ['a', 'u', 'body']],
  seq: ['id BIGINT AUTO_INCREMENT PRIMARY KEY, s VARCHAR(10) NOT NULL', ['id', 's']],
};

before(async () => {
  src = await startMariaDB();
  work = mkdtempSync(join(tmpdir(), 'importer-cli-'));
  await src.query('CREATE DATABASE ic');
  for (const [t, [def]] of Object.entries(TABLES)) await src.query(`CREATE TABLE ic.${t} (${def}) DEFAULT CHARSET utf8mb4`);
  const rows = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i)).join(',');
  await src.query(`INSERT INTO ic.orders VALUES ${rows(4000, (i) => `(${i + 1}, ${(i * 31) % 400}, ${i % 11 ? `'n${i}ü'` : 'NULL'})`)}`);
  await src.query(`INSERT INTO ic.blobs VALUES ${rows(1200, (i) => `(${i % 50}, 'u${i}', REPEAT('${String.fromCharCode(97 + (i % 26))}', ${i % 3 ? 20 : 300 + (i % 200)}))`)}`);
  await src.query(`INSERT INTO ic.seq (s) VALUES ${rows(600, (i) => `('s${i}')`)}`);
  dump = await mydumper(src, { databases: ['ic'], outDir: join(work, 'dump'), rowsPerChunk: 500 });
});
after(async () => {
  await src?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

interface Setup { sim: SimCluster; importDir: string; importerConfig: string; checkpoint: string; args: string[] }

/** a simulator, an import-dir and a tikv-importer config on a fixed free port (a restart must find it again) */
async function setup(t: TestContext, name: string, simOpts: { applyDelayMs?: number } = {}): Promise<Setup> {
  const sim = await startSimCluster({ stores: 3, testContext: t, ...simOpts });
  const importDir = join(work, `${name}-import`);
  mkdirSync(importDir);
  const port = await freePort();
  const importerConfig = writeToml(work, `${name}-importer.toml`, importerToml(importDir).replace('127.0.0.1:0"\n[import]', `127.0.0.1:${port}"\n[import]`));
  // several data engines per table (batch-size), so the index engine outlives the first of them
  const cfg = writeToml(work, `${name}.toml`, `[lightning]\nfile = "${join(work, `${name}.log`)}"\nlevel = "debug"\n[checkpoint]\ndsn = "${join(work, `${name}.db`)}"\n[mydumper]\nbatch-size = 40000\n`);
  const [host, tidbPort] = sim.tidbAddr!.split(':');
  const args = ['-config', cfg, '-d', dump, '--backend', 'importer', '--importer', `127.0.0.1:${port}`, '--pd-urls', sim.pdAddr,
    '--tidb-host', host!, '--tidb-port', tidbPort!, '--tidb-status', sim.statusAddr!.split(':')[1]!, '--tidb-user', 'root'];
  return { sim, importDir, importerConfig, checkpoint: join(work, `${name}.db`), args };
}

async function rowsOf(conn: mysql.Connection, table: string, cols: string[]): Promise<string[]> {
  const [rows] = await conn.query({ sql: `SELECT ${cols.join(', ')} FROM ic.${table}`, rowsAsArray: true }) as unknown as [unknown[][]];
  return rows.map((r) => r.map((v) => (v === null ? 'NULL' : String(v))).join('|')).sort();
}

async function assertSameAsSource(sim: SimCluster): Promise<void> {
  const [host, port] = sim.tidbAddr!.split(':');
  const a = await mysql.createConnection({ host: '127.0.0.1', port: src.port, user: 'root', supportBigNumbers: true, bigNumberStrings: true });
  const b = await mysql.createConnection({ host, port: Number(port), user: 'root', supportBigNumbers: true, bigNumberStrings: true });
  try {
    for (const [t, [, cols]] of Object.entries(TABLES)) {
      const [x, y] = [await rowsOf(a, t, cols), await rowsOf(b, t, cols)];
      assert.equal(y.length, x.length, `ic.${t}: ${y.length} rows in the cluster, ${x.length} in MariaDB`);
      assert.deepEqual(y, x, `ic.${t} rows differ`);
    }
  } finally {
    await a.end();
    await b.end();
  }
}

/** one counter or gauge from tikv-importer's /metrics */
async function metric(imp: ImporterProcess, line: RegExp): Promise<number> {
  const status = (JSON.parse(imp.log.find((l) => l.includes('tikv-importer started'))!) as { status: string }).status;
  const text = await fetch(`http://${status}/metrics`).then((r) => r.text(), () => '');
  return Number(line.exec(text)?.[1] ?? 0);
}

const WRITES = /tikv_import_rpc_duration_count\{request="write_engine",result="ok"\} (\d+)/;
const IMPORTING = /tikv_import_each_phase\{phase="import"\} (\d+)/;

/** waits for `f` while lightning runs; its output in the error if it ends first */
async function until(child: ReturnType<typeof startLightning>, f: () => Promise<boolean>, what: string, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  let exited = false;
  void child.then(() => { exited = true; });
  while (!(await f())) {
    if (exited || Date.now() > end) {
      const r = await (exited ? child : Promise.resolve(undefined));
      throw new Error(`${exited ? 'lightning ended' : 'timed out'} before ${what}: ${r ? `${String(r.stderr)}\n${String(r.stdout)}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** what `tidb-lightning-ctl --checkpoint-error-ignore=all` does (a run that lost its tikv-importer marked tables failed) */
async function ignoreErrors(s: Setup): Promise<void> {
  const store = SqliteCheckpointStore.open(s.checkpoint);
  await store.ignoreError('all');
  await store.close();
}

test('importer backend through the CLI and a tikv-importer process: exact rows, checksum, Normal mode, engines cleaned up, SIGTERM', async (t) => {
  const s = await setup(t, 'i1');
  const imp = await spawnImporter(t, s.importerConfig);
  const r = await runLightning(s.args);
  assert.equal(r.exitCode, 0, `${r.stderr}\n${r.stdout}`);
  for (const tb of Object.keys(TABLES)) assert.match(r.stdout, new RegExp(`\`ic\`\\.\`${tb}\`.*OK: checksum`), r.stdout);
  await assertSameAsSource(s.sim);
  for (const id of s.sim.storeIds) assert.equal(s.sim.store(id).modeHistory.at(-1), 'Normal');
  assert.ok(await metric(imp, /tikv_import_rpc_duration_count\{request="import_engine",result="ok"\} (\d+)/) >= 6, 'several data engines and one index engine per table');
  assert.deepEqual(readdirSync(s.importDir).filter((f) => f !== '.temp'), [], 'every engine cleaned up');
  assert.deepEqual(readdirSync(join(s.importDir, '.temp')), []);
  const [host, port] = s.sim.tidbAddr!.split(':');
  const c = await mysql.createConnection({ host, port: Number(port), user: 'root' });
  const [ai] = await c.query("SELECT AUTO_INCREMENT a FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'ic' AND TABLE_NAME = 'seq'") as unknown as [Array<{ a: unknown }>];
  await c.end();
  assert.ok(Number(ai[0]?.a) > 600, `AUTO_INCREMENT ${String(ai[0]?.a)}`);
  imp.child.kill('SIGTERM');
  assert.equal(await imp.exited, 0);
  assert.ok(imp.log.some((l) => l.includes('tikv-importer stopped')), imp.log.join('\n'));
});

test('importer backend: kill -9 of lightning while writing and while importing, rerun → exact rows', async (t) => {
  const s = await setup(t, 'i2', { applyDelayMs: 60 });
  const imp = await spawnImporter(t, s.importerConfig);
  for (const [cond, what] of [[WRITES, 'writes'], [IMPORTING, 'an import']] as const) {
    const child = startLightning(s.args);
    await until(child, async () => (await metric(imp, cond)) >= (cond === WRITES ? 15 : 1), what);
    child.kill('SIGKILL');
    await child;
  }
  const r = await runLightning(s.args);
  assert.equal(r.exitCode, 0, `${r.stderr}\n${r.stdout}`);
  await assertSameAsSource(s.sim);
});

test('importer backend: kill -9 of tikv-importer while writing and while importing, restart it, rerun → exact rows', async (t) => {
  const s = await setup(t, 'i3', { applyDelayMs: 60 });
  for (const [cond, what] of [[WRITES, 'writes'], [IMPORTING, 'an import']] as const) {
    const imp = await spawnImporter(t, s.importerConfig);
    const child = startLightning(s.args);
    await until(child, async () => (await metric(imp, cond)) >= (cond === WRITES ? 15 : 1), what);
    imp.child.kill('SIGKILL');
    await imp.exited;
    // the first time lightning is left to give up on its own (its retries take ~10 s); then it is killed too
    if (cond === IMPORTING) child.kill('SIGKILL');
    const r = await child;
    assert.notEqual(r.exitCode, 0, 'lightning fails while its tikv-importer is gone');
    if (cond === WRITES) assert.match(String(r.stderr), /tikv-importer|127\.0\.0\.1/);
    await ignoreErrors(s);
  }
  await spawnImporter(t, s.importerConfig);
  const r = await runLightning(s.args);
  assert.equal(r.exitCode, 0, `${r.stderr}\n${r.stdout}`);
  await assertSameAsSource(s.sim);
});
