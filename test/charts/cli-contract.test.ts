// The contract between the charts and the CLI: for every ci values file, the rendered start script runs (under
// /bin/sh, with a stub tidb-lightning that records its argv) and the argv + env + generated config go through the
// real CLI parser (src/config); the effective config must be what the chart meant. Likewise tidb-lightning-ctl
// (the pod's /tmp/tidb-lightning-ctl wrapper) and the tikv-importer StatefulSet's args and config.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { parseCtlArgs, parseLightningArgs } from '../../src/config/args.js';
import { parseImporterArgs } from '../../src/config/importer.js';
import { SimulatedPod } from '../e2e/pod.js';
import { IMPORTER, LIGHTNING, must, podSpec, render, type K8sObject } from './helpers.js';

const ciFiles = readdirSync(join(LIGHTNING, 'ci')).filter((f) => f.endsWith('-values.yaml')).sort();
const PASSWORD = 'pa ss$word*';

/** Secrets for whatever the pod refers to: TLS key pairs, rclone.conf, credential keys. */
function secretsFor(objs: K8sObject[]): Record<string, Record<string, string>> {
  const spec = podSpec(objs);
  const out: Record<string, Record<string, string>> = {};
  for (const v of spec.volumes) {
    if (v.secret) out[v.secret.secretName] = { 'ca.crt': 'ca', 'tls.crt': 'crt', 'tls.key': 'key', 'rclone.conf': '[s3]\ntype = s3\n' };
  }
  for (const c of spec.containers) {
    for (const e of c.env ?? []) {
      const ref = e.valueFrom?.secretKeyRef;
      if (ref) (out[ref.name] ??= {})[ref.key] = e.name === 'TIDB_PASSWORD' ? PASSWORD : 'secret-user';
    }
  }
  return out;
}

interface Ran { argv: string[]; env: Record<string, string>; dataDir: string; work: string; ctlArgv: string[] }

/** Runs the main container's start script with stub binaries; the data volume holds a dump where the mode expects it. */
function runStartScript(objs: K8sObject[], root: string): Ran {
  const bin = join(root, 'bin');
  mkdirSync(bin, { recursive: true });
  const rec = (name: string) => { writeFileSync(join(bin, name), `#!/bin/sh\nfor a in "$@"; do printf '%s\\n' "$a"; done > "$0.argv"\n`); chmodSync(join(bin, name), 0o755); };
  rec('tidb-lightning');
  rec('tidb-lightning-ctl');
  const pod = new SimulatedPod(objs, { root, path: [bin], secrets: secretsFor(objs) });
  const c = pod.container('tidb-lightning');
  const dataRoot = pod.mounts(c).get(must(objs, 'Job').spec.template.spec.containers[0].env.find((e: { name: string }) => e.name === 'LIGHTNING_DATA_ROOT').value)!;
  const sh = c.args!.join(' ');
  let dataDir = dataRoot;
  if (sh.includes('remote-path mode')) dataDir = join(dataRoot, 'dump');
  const adhoc = /data_dir="\$root"\/'([^']+)'/.exec(c.args![2]!);
  if (adhoc) dataDir = join(dataRoot, adhoc[1]!);
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(join(dataDir, 'metadata'), 'Started dump at: 2020-03-07\n');
  const env = pod.env(c, { LIGHTNING_STATUS_ADDR: '127.0.0.1:8289' });
  const r = spawnScript(pod, env);
  assert.equal(r.code, 0, r.out);
  const work = pod.volumes.get('tmp')!;
  const ctl = spawnScript(pod, env, `${work}/tidb-lightning-ctl --checkpoint-dump=${work}/cp`);
  assert.equal(ctl.code, 0, ctl.out);
  const lines = (f: string) => readFileSync(f, 'utf8').split('\n').slice(0, -1);
  return { argv: lines(join(bin, 'tidb-lightning.argv')), ctlArgv: lines(join(bin, 'tidb-lightning-ctl.argv')), env, dataDir, work };
}

function spawnScript(pod: SimulatedPod, env: Record<string, string>, command?: string): { code: number; out: string } {
  const c = pod.container('tidb-lightning');
  const r = spawnSync('/bin/sh', ['-c', command ?? c.args![2]!], { env, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

function checkLightning(f: string, set: string[] = []): void {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const v: any = parse(readFileSync(join(LIGHTNING, 'ci', f), 'utf8')) ?? {};
  const objs = render(LIGHTNING, { values: [join(LIGHTNING, 'ci', f)], set });
  const root = mkdtempSync(join(tmpdir(), 'charts-contract-'));
  try {
    const ran = runStartScript(objs, root);
    const args = parseLightningArgs(ran.argv, ran.env);
    assert.equal(args.kind, 'run');
    if (args.kind !== 'run') return;
    const cfg = args.config;
    const tc = v.targetTidbCluster ?? {};
    const name = tc.name ?? 'tidb-cluster';
    const ns = tc.namespace || 'lightning';
    const backend = v.importer?.create ? 'importer' : v.backend ?? 'local';
    assert.equal(cfg.tikvImporter.backend, backend);
    assert.equal(cfg.tidb.host, `${name}-tidb.${ns}`);
    assert.equal(cfg.tidb.port, tc.port ?? 4000);
    assert.equal(cfg.tidb.statusPort, tc.statusPort ?? 10080);
    assert.equal(cfg.tidb.pdAddr, `${name}-pd.${ns}:${tc.pdClientPort ?? 2379}`);
    assert.equal(cfg.mydumper.dataSourceDir, ran.dataDir);
    assert.equal(cfg.lightning.statusAddr, '127.0.0.1:8289');
    assert.equal(cfg.lightning.serverMode, false);
    assert.equal(cfg.checkpoint.dsn, `${ran.dataDir}/tidb_lightning_checkpoint.db`);
    assert.equal(cfg.lightning.file, '-', 'logs to stdout (kubectl logs)');
    if (backend === 'local') assert.equal(cfg.tikvImporter.sortedKvDir, '/var/lib/sorted-kv');
    if (backend === 'importer') {
      const imp = v.importer?.create ? `${v.importer.clusterName || 'r'}-importer.lightning:8287` : `${name}-importer.${ns}:8287`;
      assert.equal(cfg.tikvImporter.addr, imp);
    }
    assert.equal(cfg.security.caPath, v.tlsCluster?.enabled ? '/var/lib/lightning-tls/ca.crt' : '');
    assert.equal(cfg.tidb.security.certPath, v.tlsClient?.enabled ? '/var/lib/tidb-client-tls/tls.crt' : '');
    if (set.some((s) => s.startsWith('targetTidbCluster.secretPwdKey'))) {
      assert.equal(cfg.tidb.password, PASSWORD, 'the password comes from env TIDB_PASSWORD');
      assert.ok(!ran.argv.join('\n').includes(PASSWORD));
      assert.equal(cfg.tidb.user, 'secret-user');
    }
    // tidb-lightning-ctl through the pod's wrapper: the same flags, then the action
    const ctl = parseCtlArgs(ran.ctlArgv, ran.env);
    assert.equal(ctl.kind, 'run');
    if (ctl.kind !== 'run') return;
    assert.deepEqual(ctl.action, { name: 'checkpoint-dump', dir: `${ran.work}/cp` });
    assert.equal(ctl.config.checkpoint.dsn, cfg.checkpoint.dsn, 'ctl finds the same checkpoint');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

for (const f of ciFiles) {
  test(`contract ci/${f}: the start script's argv, env and config parse with src/config to what the chart means`, () => checkLightning(f));
}

test('contract: credentials from a Secret reach the CLI through env TIDB_USER / TIDB_PASSWORD only', () => {
  checkLightning('defaults-values.yaml', ['targetTidbCluster.secretName=db', 'targetTidbCluster.secretUserKey=u', 'targetTidbCluster.secretPwdKey=p']);
});

test('contract: tikv-importer StatefulSet args and config parse with src/config (standalone chart and importer.create)', () => {
  for (const objs of [render(IMPORTER, { set: ['clusterName=c1', 'tlsCluster.enabled=true'] }),
    render(LIGHTNING, { set: ['importer.create=true', 'importer.clusterName=c1', 'importer.tlsCluster.enabled=true'] })]) {
    const sts = must(objs, 'StatefulSet', 'c1-importer');
    const c = sts.spec.template.spec.containers.find((x: { name: string }) => x.name === 'importer');
    const cmName = sts.spec.template.spec.volumes.find((x: { name: string }) => x.name === 'config').configMap.name;
    const dir = mkdtempSync(join(tmpdir(), 'charts-importer-'));
    try {
      const conf = join(dir, 'tikv-importer.toml');
      writeFileSync(conf, must(objs, 'ConfigMap', cmName).data!['config-file']!);
      // $(MY_POD_IP) is the kubelet's env expansion of the pod IP
      const argv = [...(c.command ?? []), ...(c.args ?? [])].filter((a: string) => a !== 'tikv-importer')
        .map((a: string) => a.replace('$(MY_POD_IP)', '10.1.2.3').replace('/etc/tikv-importer/tikv-importer.toml', conf));
      const r = parseImporterArgs(argv);
      assert.equal(r.kind, 'run');
      if (r.kind !== 'run') return;
      assert.equal(r.config.server.addr, '10.1.2.3:8287');
      assert.equal(r.config.import.importDir, '/var/lib/tikv-importer');
      assert.equal(r.config.statusServerAddress, '0.0.0.0:8286');
      assert.equal(r.config.security.caPath, '/var/lib/importer-tls/ca.crt');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});
