// The image (docker/Dockerfile, built offline by scripts/charts/image.sh) running the rendered pod under
// `podman kube play` on the host network: the data-retriever init container (rclone, from the local S3) and the
// chart's start script with the real tidb-lightning, into a private MariaDB. Takes minutes cold (debootstrap),
// so it runs only with LIGHTNING_IMAGE_TEST=1 (`make test-image`); otherwise it is skipped and says why.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { ROOT } from '../charts/helpers.js';
import { findTool } from '../harness/sys.js';
import { freePort } from '../harness/mariadb.js';
import { CLUSTER_HOSTS, PASSWORD, RELEASE, makeTarball, setUp, type Fixture } from './fixture.js';
import { kubeYaml, play, podman, podmanEnv, type PodmanEnv } from './podman.js';

function skipReason(): string | undefined {
  if (process.env.LIGHTNING_IMAGE_TEST !== '1') return 'image build + podman kube play take minutes: set LIGHTNING_IMAGE_TEST=1 (make test-image)';
  if (typeof process.getuid === 'function' && process.getuid() !== 0 && !findTool('podman')) return 'podman not installed and not root';
  return undefined;
}
const skip = skipReason();
if (skip) console.log(`# image test skipped: ${skip}`);

const VERSION = '0.1.0';
const PVC = `${RELEASE}-tidb-lightning`;
let fx: Fixture;
let env: PodmanEnv;
/** podman volumes kube play makes: the PVC and one per ConfigMap volume (kept between plays; removed at both ends) */
const volumes = new Set<string>([PVC]);
const removeVolumes = async () => { for (const v of volumes) await podman(env, ['volume', 'rm', '--force', v], false); };

before(async () => {
  if (skip) return;
  const t0 = Date.now();
  const b = await execa('bash', [join(ROOT, 'scripts', 'charts', 'image.sh'), '--rclone'], { reject: false, all: true });
  if (b.exitCode !== 0) throw new Error(`image build failed:\n${b.all}`);
  console.log(`# ${String(b.all).trim().split('\n').join('\n# ')}\n# image build step: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  env = await podmanEnv();
  fx = await setUp();
  await removeVolumes();
});
after(async () => {
  if (skip) return;
  await removeVolumes();
  await fx?.close();
});

/** the main container's lines of the shared pod log */
const lines = (log: string) => log.split('\n').map((l) => l.replace(/^\S+ (stdout|stderr) [FP] /, ''));

test('image: podman kube play of the rendered pod: rclone init container from S3, start script, tidb-lightning imports; a second pod skips the download and imports nothing twice', { skip }, async (t) => {
  const dir = join(fx.work, 'podman');
  mkdirSync(dir, { recursive: true });
  const tarball = join(fx.work, 'image-dump.tar.gz');
  await makeTarball(fx.dumpDir, tarball);
  await fx.upload(tarball, 'dumps/shop.tar.gz');
  await fx.resetTarget();
  const objs = fx.renderJob(['dataSource.remote.path=s3:lightning-e2e/dumps/shop.tar.gz', `dataSource.remote.rcloneConfig=${fx.s3.rcloneConf('s3')}`,
    `image=localhost/lightning-ts/tidb-lightning:${VERSION}`, 'dataSource.remote.rcloneImage=localhost/lightning-ts/rclone:test']);
  for (const o of objs) if (o.kind === 'ConfigMap') volumes.add(o.metadata.name);
  await removeVolumes();
  const statusAddr = `127.0.0.1:${await freePort()}`;
  const { file, pod } = kubeYaml(objs, { secrets: fx.secrets, hosts: CLUSTER_HOSTS, statusAddr, dir });

  let t0 = Date.now();
  const first = await play(env, file, pod, 'tidb-lightning', join(dir, 'pod-1.log'));
  t.diagnostic(`first pod: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const log = lines(first.log).join('\n');
  assert.ok(first.code !== undefined, `the pod did not start its main container: ${first.playError}\n${log}`);
  assert.match(log, /data-retriever: extracted shop\.tar\.gz into \/data/);
  assert.ok(log.includes(`starting: tidb-lightning --config=/tmp/tidb-lightning.toml --pd-urls=e2e-pd.e2e:2379 --tidb-host=e2e-tidb.e2e --tidb-port=${fx.target.port} --tidb-status=10080 --tidb-user=app --backend=tidb -d /var/lib/tidb-lightning/shop-dump --status-addr=${statusAddr} --server-mode=false`), log);
  assert.ok(!log.includes(PASSWORD), 'the password never reaches the logs');
  assert.equal(first.code, 0, log.slice(-3000));
  assert.match(log, /tidb-lightning finished/);
  await fx.assertImported();

  // A second pod on the same volume: no download, and the finished import (its checkpoint removed,
  // keep-after-success = false) is not done twice: the rows stay exactly the source's.
  t0 = Date.now();
  const second = await play(env, file, pod, 'tidb-lightning', join(dir, 'pod-2.log'));
  t.diagnostic(`second pod: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const log2 = lines(second.log).join('\n');
  assert.match(log2, /data already exist/);
  assert.doesNotMatch(log2, /rclone copy/);
  assert.equal(second.code, 0, log2.slice(-3000));
  await fx.assertImported();
});
