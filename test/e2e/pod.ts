// "Chart to process": runs the containers of a rendered Job's pod as host processes, the way a kubelet would but
// without a cluster or an image. Each volume becomes a host directory (PVCs persist across pods under
// root/pvc/<claim>; emptyDirs are new for every pod; ConfigMap and Secret items are written as files; hostPath is
// used as is); env values that are paths under a mount point are rewritten to the host directory, and
// secretKeyRef values come from `secrets`. The command is exactly the rendered one (`command` + `args`:
// `/bin/sh -c <script>`); the image's entry point (tini) is not simulated.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { must, type Container, type K8sObject } from '../charts/helpers.js';

export interface PodHost {
  /** where volumes go */
  root: string;
  /** Secret name → key → value (what `kubectl create secret` would hold) */
  secrets?: Record<string, Record<string, string>>;
  /** directories put in front of PATH (the image's /usr/local/bin) */
  path?: string[];
}

export interface ContainerRun {
  name: string;
  code: number;
  stdout: string;
  stderr: string;
  /** host directory of each mount path */
  mounts: Map<string, string>;
}

interface Volume {
  name: string;
  emptyDir?: object;
  persistentVolumeClaim?: { claimName: string };
  hostPath?: { path: string };
  configMap?: { name: string; items?: Array<{ key: string; path: string }> };
  secret?: { secretName: string; items?: Array<{ key: string; path: string }> };
}

/** One pod of the Job: its volumes made on the host. */
export class SimulatedPod {
  readonly volumes = new Map<string, string>();
  private readonly spec: { volumes: Volume[]; initContainers?: Container[]; containers: Container[] };

  constructor(private readonly objs: K8sObject[], private readonly host: PodHost) {
    this.spec = must(objs, 'Job').spec.template.spec;
    mkdirSync(join(host.root, 'pods'), { recursive: true });
    const podDir = mkdtempSync(join(host.root, 'pods', 'pod-'));
    for (const v of this.spec.volumes) this.volumes.set(v.name, this.makeVolume(v, podDir));
  }

  private makeVolume(v: Volume, podDir: string): string {
    if (v.persistentVolumeClaim) return mkdirp(join(this.host.root, 'pvc', v.persistentVolumeClaim.claimName));
    if (v.hostPath) return v.hostPath.path;
    const dir = mkdirp(join(podDir, v.name));
    if (v.configMap) {
      const cm = must(this.objs, 'ConfigMap', v.configMap.name);
      writeItems(dir, cm.data ?? {}, v.configMap.items, `ConfigMap ${v.configMap.name}`);
    } else if (v.secret) {
      const data = this.host.secrets?.[v.secret.secretName];
      if (!data) throw new Error(`pod: volume ${v.name}: secret "${v.secret.secretName}" not found`);
      writeItems(dir, data, v.secret.items, `Secret ${v.secret.secretName}`);
    } else if (!v.emptyDir) {
      throw new Error(`pod: volume ${v.name}: unsupported volume type`);
    }
    return dir;
  }

  /** Mount path → host directory for a container. */
  mounts(c: Container): Map<string, string> {
    const m = new Map<string, string>();
    for (const vm of c.volumeMounts ?? []) {
      const dir = this.volumes.get(vm.name);
      if (!dir) throw new Error(`pod: container ${c.name} mounts unknown volume ${vm.name}`);
      m.set(vm.mountPath, dir);
    }
    return m;
  }

  /** The container's environment: the rendered env (paths mapped, secrets resolved) over a minimal base. */
  env(c: Container, extra: Record<string, string> = {}): Record<string, string> {
    const mounts = [...this.mounts(c)].sort((a, b) => b[0].length - a[0].length);
    const mapPath = (v: string): string => {
      for (const [mp, dir] of mounts) if (v === mp || v.startsWith(`${mp}/`)) return dir + v.slice(mp.length);
      return v;
    };
    const env: Record<string, string> = { PATH: [...(this.host.path ?? []), '/usr/local/bin', '/usr/bin', '/bin'].join(':') };
    for (const e of c.env ?? []) {
      if (typeof e.value === 'string') env[e.name] = mapPath(e.value);
      else if (e.valueFrom?.secretKeyRef) {
        const { name, key } = e.valueFrom.secretKeyRef;
        const v = this.host.secrets?.[name]?.[key];
        if (v === undefined) throw new Error(`pod: container ${c.name}: env ${e.name}: key ${key} of secret ${name} not found`);
        env[e.name] = v;
      } else throw new Error(`pod: container ${c.name}: env ${e.name}: unsupported valueFrom`);
    }
    return { ...env, ...extra };
  }

  container(name: string): Container {
    const c = [...(this.spec.initContainers ?? []), ...this.spec.containers].find((x) => x.name === name);
    if (!c) throw new Error(`pod: no container ${name}`);
    return c;
  }

  /** Starts one container's rendered command (`command` + `args`) with its env. */
  start(name: string, extraEnv: Record<string, string> = {}): ResultPromise<{ reject: false; all: false }> {
    const c = this.container(name);
    const argv = [...(c.command ?? []), ...(c.args ?? [])];
    if (argv.length === 0) throw new Error(`pod: container ${name} has no command`);
    return execa(argv[0]!, argv.slice(1), {
      env: this.env(c, extraEnv), extendEnv: false, reject: false, all: false, cwd: this.host.root,
      timeout: 300_000, maxBuffer: 64 << 20,
    });
  }

  async run(name: string, extraEnv: Record<string, string> = {}): Promise<ContainerRun> {
    const r = await this.start(name, extraEnv);
    return { name, code: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr), mounts: this.mounts(this.container(name)) };
  }

  /**
   * The pod's life: init containers in order (the first failure ends the pod), then the main container.
   * `env` gives extra env per container name.
   */
  async runAll(env: Record<string, Record<string, string>> = {}): Promise<ContainerRun[]> {
    const out: ContainerRun[] = [];
    for (const c of this.spec.initContainers ?? []) {
      const r = await this.run(c.name, env[c.name]);
      out.push(r);
      if (r.code !== 0) return out;
    }
    out.push(await this.run(this.spec.containers[0]!.name, env[this.spec.containers[0]!.name]));
    return out;
  }
}

function mkdirp(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}

function writeItems(dir: string, data: Record<string, string>, items: Array<{ key: string; path: string }> | undefined, what: string): void {
  for (const { key, path } of items ?? Object.keys(data).map((k) => ({ key: k, path: k }))) {
    if (data[key] === undefined) throw new Error(`pod: ${what} has no key ${key}`);
    writeFileSync(join(dir, path), data[key]!);
  }
}
