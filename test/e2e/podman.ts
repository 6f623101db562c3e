// Runs a rendered tidb-lightning Job's pod with `podman kube play` (podman 4.3, Debian 12) on the host network,
// with podman's private config and storage from scripts/charts/image.sh. What podman 4.3 cannot take as rendered
// is changed, and only that:
//   - a Job is not a kind it plays: the Job's pod template becomes a Pod (same spec);
//   - env `secretKeyRef` does not work (it cannot parse its own secrets): the value is put in the env directly;
//   - cluster DNS: `hostAliases` are ignored with the host network, so an /etc/hosts file is mounted (--no-hosts);
//   - container `ports` are dropped: podman maps them to host ports, which it refuses with the host network;
//   - the status server address (LIGHTNING_STATUS_ADDR) moves from 0.0.0.0:8289 to a loopback port: with the host
//     network, 0.0.0.0 would be every interface of this machine.
// Never podman's default bridge network: `--network=host` on every play (the config's default is "none").
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { stringify } from 'yaml';
import { ROOT, must, type K8sObject } from '../charts/helpers.js';

export interface PodmanEnv { CONTAINERS_CONF: string; CONTAINERS_STORAGE_CONF: string }

export async function podmanEnv(): Promise<PodmanEnv> {
  const r = await execa('bash', [join(ROOT, 'scripts', 'charts', 'image.sh'), '--print-env']);
  const env = Object.fromEntries(r.stdout.split('\n').filter(Boolean).map((l) => l.split(/=(.*)/s).slice(0, 2)));
  return env as unknown as PodmanEnv;
}

export async function podman(env: PodmanEnv, args: string[], reject = true): Promise<{ code: number; stdout: string; stderr: string }> {
  const r = await execa('podman', args, { env: { ...process.env, ...env }, reject: false, timeout: 600_000 });
  if (reject && r.exitCode !== 0) throw new Error(`podman ${args.join(' ')} exited ${r.exitCode}: ${r.stderr}`);
  return { code: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

export interface KubeOptions {
  secrets: Record<string, Record<string, string>>;
  /** host names (as the chart renders them) that resolve to 127.0.0.1 */
  hosts: string[];
  statusAddr: string;
  dir: string;
}

/** The pod (and its ConfigMaps) as a podman kube YAML file; returns its path and the pod name. */
export function kubeYaml(objs: K8sObject[], o: KubeOptions): { file: string; pod: string } {
  const job = must(objs, 'Job');
  const spec = structuredClone(job.spec.template.spec);
  const hostsFile = join(o.dir, 'hosts');
  writeFileSync(hostsFile, `127.0.0.1 localhost\n127.0.0.1 ${o.hosts.join(' ')}\n`);
  spec.hostNetwork = true;
  spec.volumes.push({ name: 'etc-hosts', hostPath: { path: hostsFile, type: 'File' } });
  for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
    c.volumeMounts = [...(c.volumeMounts ?? []), { name: 'etc-hosts', mountPath: '/etc/hosts', readOnly: true }];
    delete c.ports;
    for (const e of c.env ?? []) {
      const ref = e.valueFrom?.secretKeyRef;
      if (ref) {
        const v = o.secrets[ref.name]?.[ref.key];
        if (v === undefined) throw new Error(`podman: env ${e.name}: no key ${ref.key} in secret ${ref.name}`);
        delete e.valueFrom;
        e.value = v;
      }
      if (e.name === 'LIGHTNING_STATUS_ADDR') e.value = o.statusAddr;
    }
  }
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: job.metadata.name, labels: job.spec.template.metadata.labels }, spec };
  const docs = [...objs.filter((x) => x.kind === 'ConfigMap'), pod];
  const file = join(o.dir, 'pod.yaml');
  writeFileSync(file, docs.map((d) => stringify(d)).join('---\n'));
  return { file, pod: job.metadata.name };
}

export interface PlayResult {
  /** the main container's exit code; undefined when the pod did not get that far (an init container failed) */
  code: number | undefined;
  /** the log of all the pod's containers (k8s-file format: `<time> stdout F <line>`) */
  log: string;
  playError: string;
}

/** Plays the pod, waits for its main container, returns its exit code and the log of all its containers. */
export async function play(env: PodmanEnv, file: string, pod: string, main: string, logFile: string): Promise<PlayResult> {
  writeFileSync(logFile, '');
  try {
    // kube play runs the init containers to completion before it starts the main container.
    const p = await podman(env, ['kube', 'play', '--network=host', '--no-hosts', '--log-driver=k8s-file', `--log-opt=path=${logFile}`, file], false);
    if (p.code !== 0) return { code: undefined, log: readFileSync(logFile, 'utf8'), playError: p.stderr };
    const w = await podman(env, ['wait', `${pod}-${main}`]);
    return { code: Number(w.stdout.trim()), log: readFileSync(logFile, 'utf8'), playError: '' };
  } finally {
    await podman(env, ['pod', 'rm', '--force', pod], false);
  }
}
