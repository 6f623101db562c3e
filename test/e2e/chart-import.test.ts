// Chart to process, no cluster: the rendered tidb-lightning Job's init container (data-retriever) and main
// container run for real as host processes (test/e2e/pod.ts): the real rclone fetches a mydumper dump from a
// local S3 (s3rver) as a tarball and as a directory, then the chart's start script runs the real tidb-lightning
// into a private MariaDB. Cluster DNS is the only stand-in (dns-shim.ts).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { K8sObject } from '../charts/helpers.js';
import { freePort } from '../harness/mariadb.js';
import { BIG_ROWS, PASSWORD, RELEASE, listFiles, makeTarball, setUp, type Fixture } from './fixture.js';
import { SimulatedPod } from './pod.js';

let fx: Fixture;
before(async () => { fx = await setUp(); });
after(async () => { await fx?.close(); });

const PVC = `${RELEASE}-tidb-lightning`;
const CHECKPOINT = 'tidb_lightning_checkpoint.db';

function pod(objs: K8sObject[], root: string): SimulatedPod {
  return new SimulatedPod(objs, { root, path: [fx.bin], secrets: fx.secrets });
}

/** Main-container env override: the status server on loopback instead of the pod's 0.0.0.0:8289. */
async function mainEnv(): Promise<Record<string, string>> {
  return { LIGHTNING_STATUS_ADDR: `127.0.0.1:${await freePort()}` };
}

/** The exact command line the chart's start script gives tidb-lightning (host paths in place of mount paths). */
function expectedArgv(p: SimulatedPod, dataDir: string, statusAddr: string): string[] {
  const tmp = p.volumes.get('tmp')!;
  return [`--config=${tmp}/tidb-lightning.toml`, '--pd-urls=e2e-pd.e2e:2379', '--tidb-host=e2e-tidb.e2e', `--tidb-port=${fx.target.port}`,
    '--tidb-status=10080', '--tidb-user=app', '--backend=tidb', '-d', dataDir, `--status-addr=${statusAddr}`, '--server-mode=false'];
}

const tail = (s: string) => s.slice(-3000);

function assertNoPassword(...texts: string[]): void {
  for (const t of texts) assert.ok(!t.includes(PASSWORD), 'the password never reaches the logs');
}

async function bigRows(): Promise<number> {
  try {
    const r = await fx.target.query<Array<{ n: number }>>('SELECT COUNT(*) AS n FROM shop.big');
    return Number(r[0]!.n);
  } catch {
    return 0; // not created yet
  }
}

/**
 * Starts the main container and SIGKILLs tidb-lightning (the pid its wrapper recorded: exec keeps it) once the
 * first rows of shop.big are in the target: a crash in the middle of the import.
 */
async function runAndKill(p: SimulatedPod, env: Record<string, string>): Promise<{ code: number; out: string; rowsAtKill: number }> {
  const before = fx.lightningStarts().length;
  const proc = p.start('tidb-lightning', env);
  let exited = false;
  void proc.then(() => { exited = true; });
  const deadline = Date.now() + 120_000;
  let rows = 0;
  while (!exited && Date.now() < deadline && (rows = await bigRows()) === 0) await sleep(20);
  const start = fx.lightningStarts()[before];
  assert.ok(start && !exited, `tidb-lightning ended before it could be killed (rows of shop.big: ${rows})`);
  process.kill(start.pid, 'SIGKILL');
  const r = await proc;
  return { code: r.exitCode ?? -1, out: String(r.stdout) + String(r.stderr), rowsAtKill: rows };
}

test('remote tarball: rclone from S3 with the Secret\'s rclone.conf, a truncated download is redone, exact command line; kill -9 mid-import, the rerun skips the download and resumes from the checkpoint next to the data', async () => {
  await fx.resetTarget();
  const root = join(fx.work, 'k8s-tarball');
  const tarball = join(fx.work, 'dump.tar.gz');
  const objs = fx.renderJob(['dataSource.remote.path=s3:lightning-e2e/dumps/shop.tar.gz']);

  // 1. The bucket holds a truncated tarball: tar fails after extracting `metadata`; nothing counts as downloaded.
  await makeTarball(fx.dumpDir, tarball, { truncate: true });
  await fx.upload(tarball, 'dumps/shop.tar.gz');
  const broken = await pod(objs, root).runAll();
  assert.equal(broken.length, 1, 'the main container does not start after a failed init container');
  assert.notEqual(broken[0]!.code, 0, 'data-retriever fails on a truncated tarball');
  const pvcDir = join(root, 'pvc', PVC);
  assert.deepEqual(listFiles(pvcDir).filter((f) => !f.startsWith('.lightning-download/')), [], 'nothing outside the staging directory');

  // 2. The real tarball: downloaded again, extracted, the staging directory (and the tarball) gone.
  await makeTarball(fx.dumpDir, tarball);
  await fx.upload(tarball, 'dumps/shop.tar.gz');
  const p = pod(objs, root);
  const init = await p.run('data-retriever');
  assert.equal(init.code, 0, init.stderr);
  assert.match(init.stdout, /rclone copy s3:lightning-e2e\/dumps\/shop\.tar\.gz -> /);
  const dataDir = join(pvcDir, 'shop-dump');
  assert.deepEqual(listFiles(pvcDir), listFiles(fx.dumpDir).map((f) => `shop-dump/${f}`), 'exactly the dump, no staging leftovers');
  for (const f of listFiles(fx.dumpDir)) assert.deepEqual(readFileSync(join(dataDir, f)), readFileSync(join(fx.dumpDir, f)), f);
  const copies = () => fx.rcloneCalls().filter((a) => a[0] === 'copy');
  assert.equal(copies().length, 2);
  for (const call of fx.rcloneCalls()) assert.ok(!call.join(' ').includes('S3RVER'), 'no credentials in rclone\'s argv');

  // 3. The start script runs tidb-lightning with the exact flags; it is killed in the middle of the import.
  const env = await mainEnv();
  const killed = await runAndKill(p, env);
  assert.equal(killed.code, 1, `failFast: the container fails\n${tail(killed.out)}`);
  assert.match(killed.out, /tidb-lightning exits abnormally \(exit code 137\)/);
  assert.ok(killed.rowsAtKill < BIG_ROWS, 'killed before shop.big was complete');
  const start = fx.lightningStarts().at(-1)!;
  assert.deepEqual(start.argv, expectedArgv(p, dataDir, env.LIGHTNING_STATUS_ADDR!));
  assert.ok(!start.argv.join('\n').includes(PASSWORD), 'password not in argv');
  assert.ok(start.envNames.includes('TIDB_PASSWORD'), 'password in the env');
  const cfg = readFileSync(join(p.volumes.get('tmp')!, 'tidb-lightning.toml'), 'utf8');
  assert.ok(cfg.includes(`dsn = "${dataDir}/${CHECKPOINT}"`), cfg);
  assert.ok(existsSync(join(dataDir, CHECKPOINT)), 'the checkpoint sits next to the data, in the PVC');
  assertNoPassword(killed.out);

  // 4. A new pod on the same PVC: no download; tidb-lightning resumes; exactly the source rows (shop.big and
  //    shop.events have no primary key: a chunk imported twice would show).
  const p2 = pod(objs, root);
  const [again, main] = await p2.runAll({ 'tidb-lightning': await mainEnv() });
  assert.equal(again!.code, 0, again!.stderr);
  assert.match(again!.stdout, /data already exist/);
  assert.equal(copies().length, 2, 'no download on a rerun');
  assert.equal(main!.code, 0, tail(main!.stdout + main!.stderr));
  assertNoPassword(main!.stdout, main!.stderr);
  await fx.assertImported();
  assert.ok(!existsSync(join(dataDir, CHECKPOINT)), 'keep-after-success = false: the checkpoint is removed after success');
});

test('remote directory: rclone sync with the rcloneConfig ConfigMap, import; the same Job again imports nothing twice; a rerun syncs incrementally and keeps the checkpoint files', async () => {
  await fx.resetTarget();
  const root = join(fx.work, 'k8s-directory');
  await fx.upload(fx.dumpDir, 'dirs/shop', 'sync');
  const objs = fx.renderJob(['dataSource.remote.directory=s3:lightning-e2e/dirs/shop', `dataSource.remote.rcloneConfig=${fx.s3.rcloneConf('s3')}`]);
  const p = pod(objs, root);
  const env = await mainEnv();
  const [init, main] = await p.runAll({ 'tidb-lightning': env });
  assert.equal(init!.code, 0, init!.stderr);
  const pvcDir = join(root, 'pvc', PVC);
  assert.deepEqual(fx.lightningStarts().at(-1)!.argv, expectedArgv(p, pvcDir, env.LIGHTNING_STATUS_ADDR!));
  assert.equal(main!.code, 0, tail(main!.stdout + main!.stderr));
  assertNoPassword(main!.stdout, main!.stderr);
  await fx.assertImported();
  assert.deepEqual(listFiles(pvcDir), listFiles(fx.dumpDir), 'the synced dump; the checkpoint removed after success');

  // The same Job again (a new pod): the sync finds nothing to copy, the finished import is not done twice.
  const [init2, main2] = await pod(objs, root).runAll({ 'tidb-lightning': await mainEnv() });
  assert.equal(init2!.code, 0, init2!.stderr);
  assert.equal(main2!.code, 0, tail(main2!.stdout + main2!.stderr));
  await fx.assertImported();

  // The checkpoint a failed or killed run leaves (SQLite file, WAL, shared memory, a finished run's backup) and a
  // stray file the source does not have: sync deletes the stray file and keeps the checkpoint.
  const ck = [CHECKPOINT, `${CHECKPOINT}-wal`, `${CHECKPOINT}-shm`, `${CHECKPOINT}.7.bak`];
  for (const f of ck) writeFileSync(join(pvcDir, f), `checkpoint ${f}\n`);
  writeFileSync(join(pvcDir, 'shop.stray.00000.sql'), 'INSERT INTO stray VALUES (1);\n');
  rmSync(join(pvcDir, 'metadata'));
  const resync = await pod(objs, root).run('data-retriever');
  assert.equal(resync.code, 0, resync.stderr);
  assert.ok(!existsSync(join(pvcDir, 'shop.stray.00000.sql')), 'sync removed the file the source lacks');
  assert.ok(existsSync(join(pvcDir, 'metadata')), 'sync brought back the missing file');
  for (const f of ck) assert.equal(readFileSync(join(pvcDir, f), 'utf8'), `checkpoint ${f}\n`, `${f} kept`);
  const sync = fx.rcloneCalls().filter((a) => a[0] === 'sync').at(-1)!;
  assert.ok(!sync.join(' ').includes('S3RVER'), 'no credentials in rclone\'s argv');
});
