// Targeted checks of the tidb-lightning chart: precedence, names, digest, the official bugs fixed, importer.create.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LIGHTNING, container, envMap, must, podSpec, render, script, validateObject } from './helpers.js';

const LOCAL = ['dataSource.local.nodeName=node-1', 'dataSource.local.hostPath=/mnt/dump'];
const ADHOC = ['dataSource.adhoc.pvcName=backups', 'dataSource.adhoc.backupName=dump-1'];

test('data-source precedence: local > adhoc > remote; directory wins over path', () => {
  const all = render(LIGHTNING, { set: [...LOCAL, ...ADHOC, 'dataSource.remote.directory=s3:b/d'] });
  assert.match(script(container(all)), /local mode/);
  assert.equal(podSpec(all).initContainers, undefined);
  const adhoc = render(LIGHTNING, { set: [...ADHOC, 'dataSource.remote.directory=s3:b/d'] });
  const sh = script(container(adhoc));
  assert.match(sh, /adhoc mode/);
  assert.match(sh, /data_dir="\$root"\/'dump-1'/);
  assert.equal(adhoc.filter((o) => o.kind === 'PersistentVolumeClaim').length, 1, 'only the sorted-kv PVC');
  const noBackup = render(LIGHTNING, { set: ['dataSource.adhoc.pvcName=backups'] });
  assert.match(script(container(noBackup)), /data_dir="\$root"\/'backups'/, 'backupName defaults to pvcName');
  const dir = render(LIGHTNING, { set: ['dataSource.remote.directory=s3:b/d'] });
  assert.match(script(container(dir, 'data-retriever')), /rclone sync/);
});

test('a missing dataSource.local / adhoc map counts as empty (the official chart crashed on a nil map)', () => {
  const objs = render(LIGHTNING, { set: ['dataSource.local=null', 'dataSource.adhoc=null'] });
  assert.match(script(container(objs)), /remote-path mode/);
});

test('names: Job / jobName, ConfigMap digest, PVCs, Service, rclone ConfigMap', () => {
  const objs = render(LIGHTNING, { release: 'imp', set: ['jobName=my-import', 'dataSource.remote.rcloneConfig=[s3]'] });
  must(objs, 'Job', 'my-import');
  must(objs, 'PersistentVolumeClaim', 'imp-tidb-lightning');
  must(objs, 'PersistentVolumeClaim', 'imp-tidb-lightning-sorted-kv');
  must(objs, 'Service', 'imp-tidb-lightning');
  must(objs, 'ConfigMap', 'rclone-imp-tidb-lightning');
  const cm = objs.find((o) => o.kind === 'ConfigMap' && /^imp-tidb-lightning-[0-9a-f]{8}$/.test(o.metadata.name));
  assert.ok(cm, 'config ConfigMap <release>-tidb-lightning-<sha8>');
  for (const o of objs) {
    assert.equal(o.metadata.labels?.['helm.sh/chart'], 'tidb-lightning-0.1.0', `${o.kind} helm.sh/chart`);
    assert.equal(o.metadata.labels?.['app.kubernetes.io/managed-by'], 'Helm');
    assert.ok(o.metadata.labels?.['app.kubernetes.io/version']);
  }
});

test('config digest: the ConfigMap name changes with config and with TLS tables, the Job follows it', () => {
  const name = (set: string[]) => {
    const objs = render(LIGHTNING, { set });
    const vol = podSpec(objs).volumes.find((v: { name: string }) => v.name === 'config');
    must(objs, 'ConfigMap', vol.configMap.name);
    return vol.configMap.name as string;
  };
  const a = name([]);
  assert.equal(name([]), a, 'stable');
  assert.notEqual(name(['config=[lightning]\nlevel = "debug"\n']), a);
  assert.notEqual(name(['tlsCluster.enabled=true']), a);
});

test('credentials: password only through env TIDB_PASSWORD from the Secret; user from the Secret when configured', () => {
  const objs = render(LIGHTNING, { set: ['targetTidbCluster.secretName=db', 'targetTidbCluster.secretUserKey=u', 'targetTidbCluster.secretPwdKey=p', 'targetTidbCluster.user=ignored'] });
  const c = container(objs);
  const env = envMap(c);
  assert.deepEqual(env.TIDB_PASSWORD, { secretKeyRef: { name: 'db', key: 'p' } });
  assert.deepEqual(env.TIDB_USER, { secretKeyRef: { name: 'db', key: 'u' } });
  const argv = [...(c.command ?? []), ...(c.args ?? [])].join(' ');
  assert.doesNotMatch(argv, /--tidb-password/);
  assert.match(script(c), /arg --tidb-user="\$\{TIDB_USER\}"/, 'quoted');
  const plain = envMap(container(render(LIGHTNING, { set: ["targetTidbCluster.user=it's me"] })));
  assert.equal(plain.TIDB_USER, "it's me");
  assert.equal(plain.TIDB_PASSWORD, undefined);
});

test('flags: one per line, no glued flags, ports and namespace', () => {
  const sh = script(container(render(LIGHTNING, { set: ['backend=tidb', 'targetTidbCluster.name=c1', 'targetTidbCluster.namespace=db', 'targetTidbCluster.port=4001', 'targetTidbCluster.pdClientPort=2479', 'targetTidbCluster.statusPort=10081'] })));
  assert.doesNotMatch(sh, /\\-/, 'no backslash-glued flags');
  for (const l of ["arg --pd-urls='c1-pd.db:2479'", "arg --tidb-host='c1-tidb.db'", 'arg --tidb-port=4001', 'arg --tidb-status=10081', 'arg --backend=tidb', 'arg -d "$data_dir"']) {
    assert.ok(sh.split('\n').includes(l), l);
  }
  assert.match(sh, /set -- "\$@" --status-addr="\$\{LIGHTNING_STATUS_ADDR:-0\.0\.0\.0:8289\}" --server-mode=false/);
  assert.equal(envMap(container(render(LIGHTNING))).LIGHTNING_STATUS_ADDR, '0.0.0.0:8289');
  assert.match(sh, /^tidb-lightning "\$@" \|\| rc=\$\?$/m);
});

test('local mode: one nodeSelector merging the hostname with values.nodeSelector', () => {
  const objs = render(LIGHTNING, { set: [...LOCAL, 'nodeSelector.disktype=ssd'] });
  assert.deepEqual(podSpec(objs).nodeSelector, { disktype: 'ssd', 'kubernetes.io/hostname': 'node-1' });
  const env = envMap(container(objs));
  assert.equal(env.LIGHTNING_DATA_ROOT, '/mnt/dump');
});

test('failFast: bool and --set-string forms; false keeps the container up', () => {
  for (const [set, on] of [[['failFast=true'], true], [['failFast=false'], false]] as const) {
    assert.equal(envMap(container(render(LIGHTNING, { set: [...set] }))).FAIL_FAST, on ? 'true' : undefined);
  }
  assert.equal(envMap(container(render(LIGHTNING, { setString: ['failFast=false'] }))).FAIL_FAST, undefined, '"false" string is false');
  assert.equal(envMap(container(render(LIGHTNING, { setString: ['failFast=true,serviceAccount=sa'] }))).FAIL_FAST, 'true');
  assert.match(script(container(render(LIGHTNING))), /exec tail -f \/dev\/null/);
});

test('timezone: TZ only when not UTC, in both containers', () => {
  assert.equal(envMap(container(render(LIGHTNING))).TZ, undefined);
  const objs = render(LIGHTNING, { set: ['timezone=Asia/Shanghai'] });
  assert.equal(envMap(container(objs)).TZ, 'Asia/Shanghai');
  assert.equal(envMap(container(objs, 'data-retriever')).TZ, 'Asia/Shanghai');
});

test('directory mode: rclone sync never deletes the checkpoint (also a custom checkpoint file name)', () => {
  const custom = '[checkpoint]\nenable = true\ndriver = "file"\ndsn = "CHECKPOINT_USE_DATA_DIR/my.cp"\n';
  const rs = script(container(render(LIGHTNING, { set: ['dataSource.remote.directory=s3:b/d', `config=${custom}`] }), 'data-retriever'));
  assert.match(rs, /--exclude '\/my\.cp'/);
  assert.match(rs, /--exclude '\/my\.cp\.\*'/);
});

test('checkpoint next to the data: the CHECKPOINT_USE_DATA_DIR token is replaced by the start script', () => {
  const objs = render(LIGHTNING);
  const cfg = Object.values(objs.find((o) => o.kind === 'ConfigMap')!.data!)[0];
  assert.match(cfg, /dsn = "CHECKPOINT_USE_DATA_DIR\/tidb_lightning_checkpoint\.db"/);
  assert.match(script(container(objs)), /sed "s\|CHECKPOINT_USE_DATA_DIR\|\$esc\|g"/);
});

test('importer.create: tikv-importer objects rendered and lightning pointed at them', () => {
  const objs = render(LIGHTNING, { release: 'imp', set: ['importer.create=true'] });
  const sts = must(objs, 'StatefulSet', 'imp-importer');
  const svc = must(objs, 'Service', 'imp-importer');
  assert.equal(svc.spec.clusterIP, 'None');
  assert.deepEqual(svc.spec.ports.map((p: { name: string; port: number }) => `${p.name}:${p.port}`), ['importer:8287', 'status:8286']);
  assert.equal(sts.spec.volumeClaimTemplates[0].metadata.name, 'data');
  assert.ok(objs.some((o) => o.kind === 'ConfigMap' && /^imp-importer-[0-9a-f]{8}$/.test(o.metadata.name)));
  const sh = script(container(objs));
  assert.match(sh, /arg --backend=importer --importer=imp-importer\.lightning:8287/);
  assert.equal(objs.some((o) => o.metadata.name === 'imp-tidb-lightning-sorted-kv'), false, 'no sorted-kv PVC with the importer back end');
  const named = render(LIGHTNING, { set: ['importer.create=true', 'importer.clusterName=c9', 'importer.storage=7Gi'] });
  assert.equal(must(named, 'StatefulSet', 'c9-importer').spec.volumeClaimTemplates[0].spec.resources.requests.storage, '7Gi');
  assert.match(script(container(named)), /--importer=c9-importer\.lightning:8287/);
  // without importer.create the external importer of the target cluster is used
  assert.match(script(container(render(LIGHTNING, { set: ['backend=importer', 'targetTidbCluster.name=c2'] }))), /--importer=c2-importer\.lightning:8287/);
});

test('tikv-importer via importer.create renders the same objects as the standalone chart', async () => {
  const { IMPORTER } = await import('./helpers.js');
  const strip = (o: object) => JSON.parse(JSON.stringify(o).replace(/"helm\.sh\/chart":"[^"]+"|"app\.kubernetes\.io\/version":"[^"]+"/g, '"x":"x"'));
  const sub = render(LIGHTNING, { release: 'c1', set: ['importer.create=true', 'importer.clusterName=c1'] }).filter((o) => o.metadata.labels?.['app.kubernetes.io/component'] === 'importer' && o.kind !== 'Pod');
  const alone = render(IMPORTER, { release: 'c1', set: ['clusterName=c1'] }).filter((o) => o.kind !== 'Pod');
  assert.equal(sub.length, 3);
  assert.deepEqual(sub.map(strip), alone.map(strip));
});

test('security: non-root defaults on every container, writable /tmp emptyDir, read-only root filesystem', () => {
  const objs = render(LIGHTNING, { set: ['importer.create=true'] });
  for (const o of objs) {
    const spec = o.kind === 'Pod' ? o.spec : o.spec?.template?.spec;
    if (!spec) continue;
    assert.equal(spec.securityContext.runAsNonRoot, true, `${o.kind}/${o.metadata.name}`);
    for (const c of [...spec.containers, ...(spec.initContainers ?? [])]) {
      assert.equal(c.securityContext.allowPrivilegeEscalation, false);
      assert.equal(c.securityContext.readOnlyRootFilesystem, true);
    }
  }
  assert.ok(container(objs).volumeMounts!.some((m) => m.mountPath === '/tmp'));
});

test('helm test hook pods check the status servers', () => {
  const objs = render(LIGHTNING, { release: 'imp', set: ['importer.create=true'] });
  const tests = objs.filter((o) => o.metadata.annotations?.['helm.sh/hook'] === 'test');
  assert.deepEqual(tests.map((o) => o.spec.containers[0].command.at(-1)).sort(),
    ['http://imp-importer.lightning:8286/metrics', 'http://imp-tidb-lightning.lightning:8289/metrics']);
  assert.equal(render(LIGHTNING, { set: ['test.enabled=false'] }).some((o) => o.kind === 'Pod'), false);
});

test('NOTES.txt: status, logs, port-forward and tidb-lightning-ctl through kubectl exec', () => {
  // NOTES.txt is not printed by `helm template`; render it through a throw-away copy of the chart.
  const tmp = mkdtempSync(join(tmpdir(), 'charts-notes-'));
  try {
    const chart = join(tmp, 'tidb-lightning');
    cpSync(LIGHTNING, chart, { recursive: true, dereference: true });
    cpSync(join(LIGHTNING, 'templates', 'NOTES.txt'), join(chart, 'notes-src.txt'));
    writeFileSync(join(chart, 'templates', 'zz-notes.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: notes\ndata:\n  notes: |\n    {{- tpl (.Files.Get "notes-src.txt") . | nindent 4 }}\n');
    const objs = render(chart, { release: 'imp', set: ['failFast=false'] });
    assert.deepEqual(validateObject(must(objs, 'ConfigMap', 'notes')), []);
    const notes = must(objs, 'ConfigMap', 'notes').data!.notes;
    for (const s of ['kubectl -n lightning get job imp-tidb-lightning', 'logs -f -l app.kubernetes.io/name=imp-tidb-lightning -c tidb-lightning',
      'port-forward svc/imp-tidb-lightning 8289:8289', 'exec -it $POD -c tidb-lightning -- /tmp/tidb-lightning-ctl --checkpoint-error-destroy=all']) {
      assert.ok(notes.includes(s), s);
    }
  } finally { rmSync(tmp, { recursive: true, force: true }); }
});
