// Chart to process, no cluster: the rendered tidb-lightning Job's init container (data-retriever) and main
// container run for real as host processes (test/e2e/pod.ts): the real rclone fetches a mydumper dump from a
// local S3 (s3rver) as a tarball and as a directory, then the chart's start script runs the real tidb-lightning
// against a private MariaDB. Cluster DNS is the only stand-in (dns-shim.ts).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { K8sObject } from '../charts/helpers.js';
import { freePort } from '../harness/mariadb.js';
import { PASSWORD, RELEASE, listFiles, makeTarball, setUp, type Fixture } from './fixture.js';
import { SimulatedPod, type ContainerRun } from './pod.js';

let fx: Fixture;
before(async () => { fx = await setUp(); });
after(async () => { await fx?.close(); });

const PVC = `${RELEASE}-tidb-lightning`;

function pod(objs: K8sObject[], root: string): SimulatedPod {
  return new SimulatedPod(objs, { root, path: [fx.bin], secrets: fx.secrets });
}

/** Main-container env override: the status server on loopback instead of the pod's 0.0.0.0:8289. */
async function mainEnv(): Promise<Record<string, Record<string, string>>> {
  return { 'tidb-lightning': { LIGHTNING_STATUS_ADDR: `127.0.0.1:${await freePort()}` } };
}

/** The exact command line the chart's start script gives tidb-lightning (host paths in place of mount paths). */
function expectedArgv(p: SimulatedPod, dataDir: string, statusAddr: string): string[] {
  const tmp = p.volumes.get('tmp')!;
  return [`--config=${tmp}/tidb-lightning.toml`, '--pd-urls=e2e-pd.e2e:2379', '--tidb-host=e2e-tidb.e2e', `--tidb-port=${fx.target.port}`,
    '--tidb-status=10080', '--tidb-user=app', '--backend=tidb', '-d', dataDir, `--status-addr=${statusAddr}`, '--server-mode=false'];
}

/**
 * What the main container did. Until the import orchestrator (src/import) lands, tidb-lightning parses the
 * chart's flags and config and exits 2 with ErrNotImplemented, which the start script (failFast) turns into exit 1.
 */
function outcome(main: ContainerRun): 'imported' | 'not-implemented' {
  const out = main.stdout + main.stderr;
  assert.ok(!out.includes(PASSWORD), 'the password never reaches the logs');
  if (main.code === 0) return 'imported';
  assert.match(out, /ErrNotImplemented/, out);
  assert.equal(main.code, 1, 'failFast: the container fails');
  assert.match(out, /tidb-lightning exits abnormally \(exit code 2\)/);
  return 'not-implemented';
}

test('remote tarball: rclone from S3 with the Secret\'s rclone.conf, a truncated download is redone, untar, exact command line, rerun skips the download', async (t) => {
  const root = join(fx.work, 'k8s-tarball');
  const tarball = join(fx.work, 'dump.tar.gz');
  const objs = fx.renderJob(['dataSource.remote.path=s3:lightning-e2e/dumps/shop.tar.gz']);

  // 1. The bucket holds a truncated tarball: tar fails after extracting `metadata`; nothing counts as downloaded.
  await makeTarball(fx.dumpDir, tarball, { truncate: true });
  await fx.upload(tarball, 'dumps/shop.tar.gz');
  const broken = await pod(objs, root).runAll(await mainEnv());
  assert.equal(broken.length, 1, 'the main container does not start after a failed init container');
  assert.notEqual(broken[0]!.code, 0, 'data-retriever fails on a truncated tarball');
  const pvcDir = join(root, 'pvc', PVC);
  assert.deepEqual(listFiles(pvcDir).filter((f) => !f.startsWith('.lightning-download/')), [], 'nothing outside the staging directory');

  // 2. The real tarball: downloaded again, extracted, the staging directory (and the tarball) gone.
  await makeTarball(fx.dumpDir, tarball);
  await fx.upload(tarball, 'dumps/shop.tar.gz');
  const p = pod(objs, root);
  const env = await mainEnv();
  const [init, main] = await p.runAll(env);
  assert.equal(init!.code, 0, init!.stderr);
  assert.match(init!.stdout, /rclone copy s3:lightning-e2e\/dumps\/shop\.tar\.gz -> /);
  const dataDir = join(pvcDir, 'shop-dump');
  assert.deepEqual(listFiles(pvcDir).filter((f) => !f.endsWith('tidb_lightning_checkpoint.db')),
    listFiles(fx.dumpDir).map((f) => `shop-dump/${f}`), 'exactly the dump, no staging leftovers');
  for (const f of listFiles(fx.dumpDir)) assert.deepEqual(readFileSync(join(dataDir, f)), readFileSync(join(fx.dumpDir, f)), f);
  const copies = () => fx.rcloneCalls().filter((a) => a[0] === 'copy');
  assert.equal(copies().length, 2);
  for (const call of fx.rcloneCalls()) assert.ok(!call.join(' ').includes('S3RVER'), 'no credentials in rclone\'s argv');

  // 3. The start script: data dir = the directory of `metadata`, checkpoint next to it, the exact flags.
  const start = fx.lightningStarts().at(-1)!;
  assert.deepEqual(start.argv, expectedArgv(p, dataDir, env['tidb-lightning']!.LIGHTNING_STATUS_ADDR!));
  assert.ok(!start.argv.join('\n').includes(PASSWORD), 'password not in argv');
  assert.ok(start.envNames.includes('TIDB_PASSWORD'), 'password in the env');
  const cfg = readFileSync(join(p.volumes.get('tmp')!, 'tidb-lightning.toml'), 'utf8');
  assert.ok(cfg.includes(`dsn = "${dataDir}/tidb_lightning_checkpoint.db"`), cfg);
  const result = outcome(main!);
  if (result === 'not-implemented') t.diagnostic('import orchestrator not on this branch yet: stopped after tidb-lightning parsed the chart\'s command line');

  // 4. A new pod on the same PVC: no download.
  const again = await pod(objs, root).run('data-retriever');
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /data already exist/);
  assert.equal(copies().length, 2, 'no download on a rerun');
});

test('remote directory: rclone sync with the rcloneConfig ConfigMap; a rerun syncs incrementally and keeps the checkpoint files', async (t) => {
  const root = join(fx.work, 'k8s-directory');
  await fx.upload(fx.dumpDir, 'dirs/shop', 'sync');
  const objs = fx.renderJob(['dataSource.remote.directory=s3:lightning-e2e/dirs/shop', `dataSource.remote.rcloneConfig=${fx.s3.rcloneConf('s3')}`]);
  const p = pod(objs, root);
  const env = await mainEnv();
  const [init, main] = await p.runAll(env);
  assert.equal(init!.code, 0, init!.stderr);
  const pvcDir = join(root, 'pvc', PVC);
  assert.deepEqual(listFiles(pvcDir).filter((f) => !f.startsWith('tidb_lightning_checkpoint.db')), listFiles(fx.dumpDir));
  assert.deepEqual(fx.lightningStarts().at(-1)!.argv, expectedArgv(p, pvcDir, env['tidb-lightning']!.LIGHTNING_STATUS_ADDR!));
  if (outcome(main!) === 'not-implemented') t.diagnostic('import orchestrator not on this branch yet');

  // The checkpoint a failed or killed run leaves (SQLite file, WAL, shared memory, a finished run's backup) and a
  // stray file the source does not have: sync deletes the stray file and keeps the checkpoint.
  const ck = ['tidb_lightning_checkpoint.db', 'tidb_lightning_checkpoint.db-wal', 'tidb_lightning_checkpoint.db-shm', 'tidb_lightning_checkpoint.db.7.bak'];
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
