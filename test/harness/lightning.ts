// Runs the built `tidb-lightning` CLI as a user would (a child process, a TOML file, flags), for the
// integration, reliability and chart tests. The target is a harness MariaDB; root has no password.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import type { MariaDB } from './mariadb.js';

export const LIGHTNING_BIN = fileURLToPath(new URL('../../src/cli/tidb-lightning.js', import.meta.url));
export const CTL_BIN = fileURLToPath(new URL('../../src/cli/tidb-lightning-ctl.js', import.meta.url));

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** TOML text for an import of `dataDir` into `db` (routes: every source schema `s` to `targetPrefix + s`). */
export function lightningToml(o: {
  dataDir: string; logFile: string; targetPrefix?: string; routes?: Array<[string, string]>; extra?: string;
}): string {
  const routes = o.routes ?? [];
  return [
    '[lightning]', `file = ${JSON.stringify(o.logFile)}`, 'level = "debug"', '',
    '[mydumper]', `data-source-dir = ${JSON.stringify(o.dataDir)}`, '',
    ...routes.flatMap(([from, to]) => ['[[routes]]', `schema-pattern = ${JSON.stringify(from)}`, `target-schema = ${JSON.stringify(to)}`, '']),
    o.extra ?? '',
  ].join('\n');
}

export function writeToml(dir: string, name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

/** The connection flags for a harness server. */
export function targetFlags(db: MariaDB): string[] {
  return ['--backend', 'tidb', '--tidb-host', '127.0.0.1', '--tidb-port', String(db.port), '--tidb-user', 'root'];
}

export function startLightning(args: string[], env: Record<string, string> = {}): ResultPromise {
  return execa('node', [LIGHTNING_BIN, ...args], { reject: false, env: { ...env }, all: false, timeout: 300_000 });
}

export async function runLightning(args: string[], env: Record<string, string> = {}): Promise<RunResult> {
  const r = await startLightning(args, env);
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

export async function runCtl(args: string[], env: Record<string, string> = {}): Promise<RunResult> {
  const r = await execa('node', [CTL_BIN, ...args], { reject: false, env, timeout: 120_000 });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}
