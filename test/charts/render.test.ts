// helm lint + helm template over the ci/*-values.yaml matrix of both charts; every rendered object is validated
// against the Kubernetes schemas and checked against what its values file asks for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import {
  IMPORTER, LIGHTNING, container, envMap, helm, mergeValues, must, podSpec, render, script, validateObject, type K8sObject,
} from './helpers.js';

const ciFiles = readdirSync(join(LIGHTNING, 'ci')).filter((f) => f.endsWith('-values.yaml')).sort();

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Values = any;

function expectedMode(v: Values): string {
  const ds = v.dataSource ?? {};
  if (ds.local?.nodeName && ds.local?.hostPath) return 'local';
  if (ds.adhoc?.pvcName) return 'adhoc';
  if (ds.remote?.directory) return 'remote-directory';
  return 'remote-path';
}

function checkAll(objs: K8sObject[]) {
  const problems = objs.flatMap(validateObject);
  assert.deepEqual(problems, [], problems.join('\n'));
  const ids = objs.map((o) => `${o.kind}/${o.metadata.name}`);
  assert.equal(new Set(ids).size, ids.length, `duplicate objects: ${ids.join(', ')}`);
  for (const o of objs) assert.equal(o.metadata.namespace, 'lightning', `${o.kind}/${o.metadata.name} namespace`);
}

test('the matrix covers every data-source mode x backend, TLS on/off, failFast on/off, importer.create', () => {
  const seen = new Set<string>();
  for (const f of ciFiles) {
    const v: Values = parse(readFileSync(join(LIGHTNING, 'ci', f), 'utf8')) ?? {};
    seen.add(`${expectedMode(v)}/${v.importer?.create ? 'importer' : v.backend ?? 'local'}`);
    seen.add(`tls=${Boolean(v.tlsCluster?.enabled)}`);
    seen.add(`failFast=${String(v.failFast ?? true)}`);
    seen.add(`create=${Boolean(v.importer?.create)}`);
  }
  for (const m of ['local', 'adhoc', 'remote-path', 'remote-directory']) {
    for (const b of ['local', 'tidb', 'importer']) assert.ok(seen.has(`${m}/${b}`), `missing ${m} x ${b}`);
  }
  for (const k of ['tls=true', 'tls=false', 'failFast=true', 'failFast=false', 'create=true', 'create=false']) assert.ok(seen.has(k), k);
  assert.ok(ciFiles.length >= 15, `${ciFiles.length} ci values files`);
});

test('helm lint --strict: both charts, defaults', () => {
  for (const chart of [LIGHTNING, IMPORTER]) {
    const r = helm(['lint', '--strict', chart]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
  }
});

for (const f of ciFiles) {
  test(`tidb-lightning ci/${f}: lint, template, Kubernetes schemas, objects match the values`, () => {
    const file = join(LIGHTNING, 'ci', f);
    const lint = helm(['lint', '--strict', LIGHTNING, '-f', file]);
    assert.equal(lint.code, 0, lint.stdout + lint.stderr);

    const v: Values = mergeValues(parse(readFileSync(join(LIGHTNING, 'values.yaml'), 'utf8')), parse(readFileSync(file, 'utf8')) ?? {});
    const objs = render(LIGHTNING, { values: [file] });
    checkAll(objs);
    const mode = expectedMode(v);
    const create = Boolean(v.importer?.create);
    const backend = create ? 'importer' : v.backend ?? 'local';
    const cluster = v.targetTidbCluster?.name ?? 'tidb-cluster';
    const ns = v.targetTidbCluster?.namespace || 'lightning';
    const N = 'r-tidb-lightning';

    const job = must(objs, 'Job', N);
    assert.equal(job.spec.backoffLimit, 0);
    const spec = podSpec(objs);
    assert.equal(spec.restartPolicy, 'Never');
    assert.equal(spec.securityContext.runAsNonRoot, true);
    const main = container(objs);
    const sh = script(main);
    const env = envMap(main);

    // data source
    const data = spec.volumes.find((x: { name: string }) => x.name === 'data');
    const dataMount = main.volumeMounts!.find((m) => m.name === 'data')!;
    if (mode === 'local') {
      assert.equal(data.hostPath.path, v.dataSource.local.hostPath);
      assert.equal(data.hostPath.type, 'Directory');
      assert.equal(dataMount.mountPath, v.dataSource.local.hostPath);
      assert.equal(spec.nodeSelector['kubernetes.io/hostname'], v.dataSource.local.nodeName);
    } else {
      assert.equal(dataMount.mountPath, '/var/lib/tidb-lightning');
      assert.equal(data.persistentVolumeClaim.claimName, mode === 'adhoc' ? v.dataSource.adhoc.pvcName : N);
    }
    const remote = mode.startsWith('remote');
    assert.equal(Boolean(spec.initContainers?.length), remote, 'init container only in remote mode');
    assert.equal(objs.some((o) => o.kind === 'PersistentVolumeClaim' && o.metadata.name === N), remote, 'download PVC only in remote mode');
    if (remote) {
      const retr = container(objs, 'data-retriever');
      const rs = script(retr);
      const creds = spec.volumes.find((x: { name: string }) => x.name === 'credentials');
      if (v.dataSource.remote.rcloneConfig) {
        assert.equal(creds.configMap.name, `rclone-${N}`);
        assert.equal(must(objs, 'ConfigMap', `rclone-${N}`).data!['config-file'], v.dataSource.remote.rcloneConfig);
      } else {
        assert.equal(creds.secret.secretName, v.dataSource.remote.secretName ?? 'cloud-storage-secret');
      }
      if (mode === 'remote-directory') {
        assert.match(rs, /rclone sync /);
        assert.match(rs, /--exclude '\/tidb_lightning_checkpoint\.db'/);
      } else {
        assert.match(rs, /rclone copy /);
        assert.match(rs, /tar xzf "\$stage\/\$file" -C "\$stage\/x"/);
        assert.match(rs, /data already exist/);
      }
    }
    // back end
    assert.equal(objs.some((o) => o.metadata.name === `${N}-sorted-kv`), backend === 'local', 'sorted-kv PVC iff backend local');
    assert.ok(sh.includes(`arg --backend=${backend}`), `--backend=${backend}`);
    if (backend === 'importer') {
      const addr = create ? `${v.importer.clusterName || 'r'}-importer.lightning:8287` : `${cluster}-importer.${ns}:8287`;
      assert.ok(sh.includes(`--importer=${addr}`), addr);
    }
    assert.equal(objs.some((o) => o.kind === 'StatefulSet'), create, 'importer StatefulSet iff importer.create');
    // target cluster
    assert.ok(sh.includes(`arg --pd-urls='${cluster}-pd.${ns}:${v.targetTidbCluster?.pdClientPort ?? 2379}'`));
    assert.ok(sh.includes(`arg --tidb-host='${cluster}-tidb.${ns}'`));
    assert.ok(sh.includes(`arg --tidb-port=${v.targetTidbCluster?.port ?? 4000}`));
    const tc = v.targetTidbCluster ?? {};
    if (tc.secretName && tc.secretUserKey) assert.deepEqual(env.TIDB_USER, { secretKeyRef: { name: tc.secretName, key: tc.secretUserKey } });
    else assert.equal(env.TIDB_USER, tc.user ?? 'root');
    if (tc.secretPwdKey) assert.deepEqual(env.TIDB_PASSWORD, { secretKeyRef: { name: tc.secretName, key: tc.secretPwdKey } });
    else assert.equal(env.TIDB_PASSWORD, undefined);
    assert.doesNotMatch(sh, /--tidb-password/, 'no password flag');
    for (const line of sh.split('\n').filter((l) => /^\s*(arg |tidb-lightning )/.test(l))) assert.doesNotMatch(line, /PASSWORD/i, line);
    // failFast
    assert.equal(env.FAIL_FAST, String(v.failFast ?? true) === 'true' ? 'true' : undefined);
    // TLS
    const cm = must(objs, 'ConfigMap', undefined);
    const cfgName = spec.volumes.find((x: { name: string }) => x.name === 'config').configMap.name;
    const cfg = must(objs, 'ConfigMap', cfgName).data!['config-file'];
    assert.ok(cm);
    assert.equal(cfg.includes('[security]'), Boolean(v.tlsCluster?.enabled));
    assert.equal(cfg.includes('[tidb.security]'), Boolean(v.tlsClient?.enabled));
    const mounts = Object.fromEntries(main.volumeMounts!.map((m) => [m.name, m]));
    if (v.tlsCluster?.enabled) {
      assert.equal(mounts['lightning-tls'].mountPath, '/var/lib/lightning-tls');
      assert.ok(spec.volumes.some((x: { secret?: { secretName: string } }) => x.secret?.secretName === `${cluster}-lightning-cluster-secret`));
    }
    if (v.tlsClient?.enabled) {
      assert.equal(mounts['tidb-client-tls'].mountPath, '/var/lib/tidb-client-tls');
      const sec = v.tlsClient.tlsClientSecretName ?? `${cluster}-tidb-client-secret`;
      assert.ok(spec.volumes.some((x: { secret?: { secretName: string } }) => x.secret?.secretName === sec), sec);
    }
    // Service
    const svc = must(objs, 'Service', N);
    assert.equal(svc.spec.ports[0].port, 8289);
    assert.equal(svc.metadata.annotations?.['prometheus.io/scrape'], 'true');
    assert.equal(job.spec.template.metadata.annotations['prometheus.io/port'], '8289');
    assert.deepEqual(svc.spec.selector, job.spec.template.metadata.labels);
  });
}

test('tikv-importer chart: lint + template (defaults and TLS), schemas, objects', () => {
  for (const set of [[], ['tlsCluster.enabled=true', 'clusterName=cluster-1', 'timezone=Asia/Shanghai']]) {
    const lint = helm(['lint', '--strict', IMPORTER, ...set.flatMap((s) => ['--set', s])]);
    assert.equal(lint.code, 0, lint.stdout + lint.stderr);
    const objs = render(IMPORTER, { set });
    checkAll(objs);
    const name = set.length ? 'cluster-1-importer' : 'demo-importer';
    const sts = must(objs, 'StatefulSet', name);
    assert.equal(sts.spec.replicas, 1);
    assert.equal(sts.spec.serviceName, name);
    assert.equal(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage, '20Gi');
    const c = sts.spec.template.spec.containers[0];
    assert.deepEqual(c.args, ['tikv-importer', '--addr=$(MY_POD_IP):8287', '--config=/etc/tikv-importer/tikv-importer.toml', '--import-dir=/var/lib/tikv-importer']);
    const svc = must(objs, 'Service', name);
    assert.equal(svc.spec.clusterIP, 'None');
    assert.deepEqual(svc.spec.ports.map((p: { port: number }) => p.port), [8287, 8286]);
    const cm = objs.find((o) => o.kind === 'ConfigMap')!;
    assert.match(cm.metadata.name, new RegExp(`^${name}-[0-9a-f]{8}$`));
    assert.match(cm.data!['config-file'], /status-server-address = "0.0.0.0:8286"/);
    assert.equal(cm.data!['config-file'].includes('[security]'), set.length > 0);
    assert.equal(sts.spec.template.metadata.labels['app.kubernetes.io/instance'], set.length ? 'cluster-1' : 'demo');
    assert.ok(objs.some((o) => o.kind === 'Pod' && o.metadata.annotations?.['helm.sh/hook'] === 'test'));
  }
});

test('chart version and appVersion follow package.json; the subchart pin matches', () => {
  const version = JSON.parse(readFileSync(join(LIGHTNING, '..', '..', 'package.json'), 'utf8')).version;
  for (const dir of [LIGHTNING, IMPORTER]) {
    const c = parse(readFileSync(join(dir, 'Chart.yaml'), 'utf8'));
    assert.equal(c.version, version, `${dir} version`);
    assert.equal(c.appVersion, version, `${dir} appVersion`);
  }
  const deps = parse(readFileSync(join(LIGHTNING, 'Chart.yaml'), 'utf8')).dependencies;
  assert.deepEqual(deps.map((d: { name: string; version: string; alias: string; condition: string }) => [d.name, d.version, d.alias, d.condition]),
    [['tikv-importer', version, 'importer', 'importer.create']]);
});
