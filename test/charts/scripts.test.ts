// Runs the rendered data-retriever and start scripts for real under /bin/sh, with stub `rclone`, `tidb-lightning`,
// `tidb-lightning-ctl` and `tail` on PATH (the real import is the chart e2e test's job).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LIGHTNING, container, must, render, script, type K8sObject } from './helpers.js';

interface Sandbox { dir: string; bin: string; remote: string; data: string; work: string; calls: string; cleanup(): void }

function sandbox(): Sandbox {
  const dir = mkdtempSync(join(tmpdir(), 'charts-scripts-'));
  const s = { dir, bin: join(dir, 'bin'), remote: join(dir, 'remote'), data: join(dir, 'data'), work: join(dir, 'work'), calls: join(dir, 'calls.log') };
  for (const d of [s.bin, s.remote, s.data, s.work]) mkdirSync(d, { recursive: true });
  const stub = (name: string, body: string) => { writeFileSync(join(s.bin, name), `#!/bin/sh\n${body}\n`); chmodSync(join(s.bin, name), 0o755); };
  // rclone <op> [flags] <remote:path> <dest>: remote:x/y is $FAKE_REMOTE/x/y
  stub('rclone', `echo "rclone $*" >> "$CALLS"
op=$1; shift; src=""; dst=""
for a in "$@"; do case "$a" in -*) ;; *) src=$dst; dst=$a ;; esac; done
p="$FAKE_REMOTE/\${src#*:}"
case "$op" in copy) cp "$p" "$dst"/ ;; sync) cp -R "$p"/. "$dst"/ ;; esac`);
  stub('tidb-lightning', 'for a in "$@"; do echo "$a"; done > "$CALLS.lightning"; env > "$CALLS.env"; exit "${STUB_RC:-0}"');
  stub('tidb-lightning-ctl', 'for a in "$@"; do echo "$a"; done > "$CALLS.ctl"');
  stub('tail', 'echo "tail $*" >> "$CALLS"');
  return { ...s, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

function run(s: Sandbox, sh: string, env: Record<string, string>) {
  const r = spawnSync('/bin/sh', ['-c', sh], {
    encoding: 'utf8', timeout: 60_000,
    env: { PATH: `${s.bin}:${process.env.PATH}`, CALLS: s.calls, FAKE_REMOTE: s.remote, LIGHTNING_DOWNLOAD_DIR: s.data, LIGHTNING_WORK_DIR: s.work, ...env },
  });
  return { code: r.status, out: (r.stdout ?? '') + (r.stderr ?? '') };
}

/** Runs the main container script with its rendered env, the config template taken from the rendered ConfigMap. */
function runMain(s: Sandbox, objs: K8sObject[], root: string, extraEnv: Record<string, string> = {}) {
  const c = container(objs);
  const env: Record<string, string> = {};
  for (const e of c.env ?? []) if (typeof e.value === 'string') env[e.name] = e.value;
  const spec = must(objs, 'Job').spec.template.spec;
  const cmName = spec.volumes.find((v: { name: string }) => v.name === 'config').configMap.name;
  const tpl = join(s.dir, 'tidb-lightning.toml');
  writeFileSync(tpl, must(objs, 'ConfigMap', cmName).data!['config-file']);
  return run(s, script(c), { ...env, LIGHTNING_DATA_ROOT: root, LIGHTNING_CONFIG_TEMPLATE: tpl, LIGHTNING_WORK_DIR: s.work, ...extraEnv });
}

function makeTarball(s: Sandbox, name: string) {
  const src = join(s.dir, 'src', 'dump-1');
  mkdirSync(join(src, 'nested'), { recursive: true });
  writeFileSync(join(src, 'metadata'), 'Started dump at: 2020-03-08\n');
  writeFileSync(join(src, 'nested', 'metadata'), 'a nested dump must not confuse the start script\n');
  writeFileSync(join(src, 'db1-schema-create.sql'), 'CREATE DATABASE db1;\n');
  mkdirSync(join(s.remote, 'bucket'), { recursive: true });
  const r = spawnSync('tar', ['czf', join(s.remote, 'bucket', name), '-C', join(s.dir, 'src'), 'dump-1']);
  assert.equal(r.status, 0);
}

test('remote tarball: download + untar, rerun skips the download; start script picks the shallowest metadata, checkpoint next to the data', () => {
  const s = sandbox();
  try {
    makeTarball(s, 'dump.tar.gz');
    const objs = render(LIGHTNING, { set: ['dataSource.remote.path=s3:bucket/dump.tar.gz', 'backend=tidb'] });
    const retriever = script(container(objs, 'data-retriever'));
    let r = run(s, retriever, {});
    assert.equal(r.code, 0, r.out);
    assert.ok(existsSync(join(s.data, 'dump-1', 'metadata')));
    r = run(s, retriever, {});
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /data already exist/);
    assert.equal(readFileSync(s.calls, 'utf8').split('\n').filter((l) => l.startsWith('rclone copy')).length, 1, 'downloaded once');

    r = runMain(s, objs, s.data, { TIDB_PASSWORD: 's3cr3t pass*' });
    assert.equal(r.code, 0, r.out);
    const argv = readFileSync(`${s.calls}.lightning`, 'utf8').trim().split('\n');
    const dataDir = join(s.data, 'dump-1');
    assert.deepEqual(argv.slice(argv.indexOf('-d'), argv.indexOf('-d') + 2), ['-d', dataDir]);
    assert.ok(argv.includes('--backend=tidb') && argv.includes('--tidb-user=root') && argv.includes('--server-mode=false'));
    assert.ok(!argv.join(' ').includes('s3cr3t'), 'password not in argv');
    assert.match(readFileSync(`${s.calls}.env`, 'utf8'), /^TIDB_PASSWORD=s3cr3t pass\*$/m, 'password reaches lightning through the env');
    const cfg = readFileSync(join(s.work, 'tidb-lightning.toml'), 'utf8');
    assert.ok(cfg.includes(`dsn = "${dataDir}/tidb_lightning_checkpoint.db"`), cfg);
    // tidb-lightning-ctl wrapper: the pod's flags first, the user's last
    r = run(s, `${s.work}/tidb-lightning-ctl --checkpoint-error-destroy=all`, {});
    assert.equal(r.code, 0, r.out);
    const ctl = readFileSync(`${s.calls}.ctl`, 'utf8').trim().split('\n');
    assert.equal(ctl.at(-1), '--checkpoint-error-destroy=all');
    assert.deepEqual(ctl.slice(0, -1), argv.filter((a) => a !== '--status-addr=0.0.0.0:8289' && a !== '--server-mode=false'));
  } finally { s.cleanup(); }
});

test('remote tarball: two dumps at the same depth -> clear failure; no dump -> failure (failFast) or hang (failFast=false)', () => {
  const s = sandbox();
  try {
    const objs = render(LIGHTNING);
    let r = runMain(s, objs, s.data);
    assert.equal(r.code, 1);
    assert.match(r.out, /No mydumper files are found/);
    const hang = runMain(s, render(LIGHTNING, { set: ['failFast=false'] }), s.data);
    assert.equal(hang.code, 0, hang.out);
    assert.match(readFileSync(s.calls, 'utf8'), /^tail -f \/dev\/null$/m, 'stays up');
    for (const d of ['a', 'b']) { mkdirSync(join(s.data, d)); writeFileSync(join(s.data, d, 'metadata'), ''); }
    r = runMain(s, objs, s.data);
    assert.equal(r.code, 1);
    assert.match(r.out, /Several dumps/);
  } finally { s.cleanup(); }
});

test('remote directory: sync keeps the checkpoint (exclude filter), empty source dir fails, lightning failure with failFast', () => {
  const s = sandbox();
  try {
    const objs = render(LIGHTNING, { set: ['dataSource.remote.directory=s3:bucket/dir', 'backend=tidb'] });
    mkdirSync(join(s.remote, 'bucket', 'dir'), { recursive: true });
    let r = runMain(s, objs, s.data);
    assert.equal(r.code, 1);
    assert.match(r.out, /No files in data dir/);
    writeFileSync(join(s.remote, 'bucket', 'dir', 'db1.t1.000000000.sql'), 'INSERT INTO t1 VALUES (1);\n');
    r = run(s, script(container(objs, 'data-retriever')), {});
    assert.equal(r.code, 0, r.out);
    assert.match(readFileSync(s.calls, 'utf8'), /rclone sync .*--exclude \/tidb_lightning_checkpoint\.db --exclude \/tidb_lightning_checkpoint\.db-\* --exclude \/tidb_lightning_checkpoint\.db\.\* .*bucket\/dir/);
    r = runMain(s, objs, s.data, { STUB_RC: '3' });
    assert.equal(r.code, 1, 'failFast: lightning failure fails the container');
    assert.match(r.out, /tidb-lightning exits abnormally \(exit code 3\)/);
  } finally { s.cleanup(); }
});

test('local and adhoc modes: data dir, hostPath with odd characters, missing adhoc directory', () => {
  const s = sandbox();
  try {
    const odd = join(s.data, 'a&b|c d');
    mkdirSync(odd);
    const objs = render(LIGHTNING, { set: ['dataSource.local.nodeName=n1', `dataSource.local.hostPath=${odd}`, 'backend=tidb'] });
    let r = runMain(s, objs, odd);
    assert.equal(r.code, 0, r.out);
    assert.ok(readFileSync(join(s.work, 'tidb-lightning.toml'), 'utf8').includes(`dsn = "${odd}/tidb_lightning_checkpoint.db"`));
    const adhoc = render(LIGHTNING, { set: ['dataSource.adhoc.pvcName=pvc', 'dataSource.adhoc.backupName=dump-9'] });
    r = runMain(s, adhoc, s.data);
    assert.equal(r.code, 1);
    assert.match(r.out, /No directory .*dump-9/);
    mkdirSync(join(s.data, 'dump-9'));
    r = runMain(s, adhoc, s.data);
    assert.equal(r.code, 0, r.out);
    const argv = readFileSync(`${s.calls}.lightning`, 'utf8').trim().split('\n');
    assert.equal(argv[argv.indexOf('-d') + 1], join(s.data, 'dump-9'));
    assert.ok(argv.includes('--sorted-kv-dir=/var/lib/sorted-kv'));
  } finally { s.cleanup(); }
});
