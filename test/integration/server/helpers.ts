// Shared by the status-server integration tests: dumps written directly (mydumper file names), the CLI started
// with a status server on 127.0.0.1:0 (the real port is read from its log), HTTP helpers and a parser for the
// Prometheus text format.
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ResultPromise } from 'execa';
import { startLightning, targetFlags } from '../../harness/lightning.js';
import type { MariaDB } from '../../harness/mariadb.js';

export interface DumpInfo {
  dir: string;
  schema: string;
  tables: string[];
  rows: number;
  /** bytes of the data files (what lightning_bytes{state="total_restore"} counts) */
  bytes: number;
  files: number;
}

/** A dump of `tables` tables, each with `files` data files of `rowsPerFile` rows. */
export function writeDump(root: string, schema: string, o: { tables: number; files: number; rowsPerFile: number }): DumpInfo {
  const dir = join(root, schema);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${schema}-schema-create.sql`), `CREATE DATABASE \`${schema}\`;\n`);
  const info: DumpInfo = { dir, schema, tables: [], rows: 0, bytes: 0, files: 0 };
  let id = 0;
  for (let t = 1; t <= o.tables; t++) {
    const table = `t${t}`;
    info.tables.push(table);
    writeFileSync(join(dir, `${schema}.${table}-schema.sql`), `CREATE TABLE \`${table}\` (\`id\` int PRIMARY KEY, \`v\` varchar(64), \`n\` int);\n`);
    for (let f = 1; f <= o.files; f++) {
      const rows = Array.from({ length: o.rowsPerFile }, () => {
        id++;
        return `(${id},'row ${id} of ${schema}.${table}',${(id * 7919) % 100003})`;
      });
      const file = join(dir, `${schema}.${table}.${String(f).padStart(9, '0')}.sql`);
      writeFileSync(file, `INSERT INTO \`${table}\` VALUES\n${rows.join(',\n')};\n`);
      info.bytes += statSync(file).size;
      info.files++;
      info.rows += rows.length;
    }
  }
  return info;
}

export function taskToml(dump: DumpInfo, extra = ''): string {
  return `[mydumper]\ndata-source-dir = ${JSON.stringify(dump.dir)}\n${extra}`;
}

export interface LogLine {
  msg: string;
  [k: string]: unknown;
}

export function readLog(file: string): LogLine[] {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as LogLine);
}

export async function waitFor<T>(what: string, f: () => Promise<T | undefined> | T | undefined, timeoutMs = 60_000, everyMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

export interface RunningLightning {
  proc: ResultPromise;
  base: string;
  logFile: string;
  stop(): Promise<{ exitCode: number; stderr: string }>;
}

/** Start the CLI with `--status-addr 127.0.0.1:0` (and `args`), resolve once its status server listens. */
export async function startWithStatus(db: MariaDB, logFile: string, args: string[]): Promise<RunningLightning> {
  const proc = startLightning([...targetFlags(db), '--status-addr', '127.0.0.1:0', '--log-file', logFile, '-L', 'debug', ...args]);
  let exited = false;
  void proc.then(() => {
    exited = true;
  });
  const line = await waitFor('the status server to start', () => {
    if (exited) throw new Error(`tidb-lightning exited before its status server started; log: ${readFileSync(logFile, 'utf8').slice(-3000)}`);
    return readLog(logFile).find((l) => l.msg === 'starting HTTP server');
  });
  return {
    proc, logFile, base: `http://${String(line.address)}`,
    async stop() {
      if (!exited) proc.kill('SIGTERM');
      const r = await proc;
      return { exitCode: r.exitCode ?? -1, stderr: String(r.stderr) };
    },
  };
}

export async function http(base: string, path: string, init: RequestInit = {}): Promise<{ status: number; body: unknown; text: string }> {
  const r = await fetch(base + path, { redirect: 'manual', ...init });
  const text = await r.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: r.status, body, text };
}

/** Prometheus text → series (`name{a="b"}` with labels sorted) → value. */
export function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels = m[3] ? [...m[3].matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => `${x[1]}="${x[2]}"`).sort() : [];
    out.set(labels.length ? `${m[1]}{${labels.join(',')}}` : m[1]!, Number(m[4]));
  }
  return out;
}

export async function scrape(base: string): Promise<Map<string, number>> {
  const r = await http(base, '/metrics');
  if (r.status !== 200) throw new Error(`/metrics answered ${r.status}`);
  return parseMetrics(r.text);
}

/** Sum of every series of `name` whose labels include all of `labels` ("state=\"restored\""). */
export function sum(m: Map<string, number>, name: string, ...labels: string[]): number {
  let s = 0;
  for (const [k, v] of m) {
    if (k !== name && !k.startsWith(`${name}{`)) continue;
    if (labels.every((l) => k.includes(l))) s += v;
  }
  return s;
}
