// Fingerprints: the task row records the config values an import depends on (Go's columns plus ours, e.g.
// on-duplicate and CSV options), each table records a hash of its input files (path, size, mtime).
// A resumed run with different values is refused with an error that names the tidb-lightning-ctl command.
import { createHash } from 'node:crypto';
import { CheckpointError, Codes } from '../errors.js';
import type { DataFile } from '../source/types.js';
import { recommendedCtl, statusName, isFailed } from './status.js';
import type { TableCheckpoint, TaskCheckpoint } from './types.js';

/** The config view checkpoints need; the orchestrator fills it from the Config object. */
export interface FingerprintConfig {
  dataSourceDir: string;
  backend: string;
  tidbHost: string;
  tidbPort: number;
  pdAddr: string;
  sortedKvDir: string;
  importerAddr: string;
  lightningVer: string;
  /** further values that change what lands in the target: 'conflict.strategy', 'mydumper.csv.separator', ... */
  extra?: Record<string, string | number | boolean | null | undefined>;
}

/** Config keys compared on resume, in Go's spelling. */
const GO_KEYS: Array<[string, (c: FingerprintConfig) => string]> = [
  ['mydumper.data-source-dir', (c) => c.dataSourceDir],
  ['tikv-importer.backend', (c) => c.backend],
  ['tikv-importer.sorted-kv-dir', (c) => c.sortedKvDir],
  ['tikv-importer.addr', (c) => c.importerAddr],
  ['tidb.host', (c) => c.tidbHost],
  ['tidb.port', (c) => String(c.tidbPort)],
  ['tidb.pd-addr', (c) => c.pdAddr],
];

export function configValues(c: FingerprintConfig): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, f] of GO_KEYS) out[k] = f(c);
  for (const k of Object.keys(c.extra ?? {}).sort()) {
    const v = c.extra![k];
    out[k] = v === undefined || v === null ? '' : String(v);
  }
  return out;
}

export function newTask(c: FingerprintConfig, taskId: bigint = BigInt(Date.now()) * 1_000_000n): TaskCheckpoint {
  return {
    taskId, sourceDir: c.dataSourceDir, backend: c.backend, importerAddr: c.importerAddr, tidbHost: c.tidbHost,
    tidbPort: c.tidbPort, pdAddr: c.pdAddr, sortedKvDir: c.sortedKvDir, lightningVer: c.lightningVer, config: configValues(c),
  };
}

/**
 * Go's `verifyCheckpoint`: a backend change is always refused; with check-requirements also the version and
 * every fingerprinted config value. `location` is the checkpoint file or schema, named in the message.
 */
export function verifyTask(stored: TaskCheckpoint, c: FingerprintConfig, opts: { checkRequirements: boolean; location: string }): void {
  const hint = `You may set 'check-requirements = false' to skip this check, or run 'tidb-lightning-ctl --checkpoint-remove=all' ` +
    `(or delete '${opts.location}') and remove all restored tables, and try again`;
  if (stored.backend !== c.backend) {
    throw new CheckpointError(Codes.CheckpointMismatch,
      `config 'tikv-importer.backend' value '${c.backend}' different from checkpoint value '${stored.backend}'. ` +
      `Run 'tidb-lightning-ctl --checkpoint-remove=all' (or delete '${opts.location}') and remove all restored tables, and try again`,
      { key: 'tikv-importer.backend' });
  }
  if (!opts.checkRequirements) return;
  if (stored.lightningVer !== c.lightningVer) {
    throw new CheckpointError(Codes.CheckpointMismatch,
      `lightning version is '${c.lightningVer}', but checkpoint was created at '${stored.lightningVer}'. ${hint}`);
  }
  const now = configValues(c);
  const keys = new Set([...Object.keys(now), ...Object.keys(stored.config)]);
  for (const k of [...keys].sort()) {
    // Go's columns are compared even when the stored JSON predates a key.
    const was = k in stored.config ? stored.config[k]! : undefined;
    if (was === undefined) continue;
    const is = now[k] ?? '';
    if (was !== is) {
      throw new CheckpointError(Codes.CheckpointMismatch,
        `config '${k}' value '${is}' different from checkpoint value '${was}'. ${hint}`, { key: k });
    }
  }
}

/** Hash of a table's input files and table-level settings: sorted (path, size, mtime). */
export function tableHash(files: ReadonlyArray<Pick<DataFile, 'path' | 'size' | 'mtimeMs'>>, extra = ''): string {
  const h = createHash('sha256');
  for (const f of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    h.update(`${f.path}\0${f.size}\0${Math.trunc(f.mtimeMs)}\n`);
  }
  h.update(extra);
  return h.digest('hex');
}

export function tableChangedError(tableName: string): CheckpointError {
  return new CheckpointError(Codes.CheckpointMismatch,
    `the input files of table ${tableName} changed since its checkpoint was made (path, size or mtime differ). ` +
    `Run 'tidb-lightning-ctl --checkpoint-remove=${tableName}' and drop the partly imported table, then run again`,
    { table: tableName });
}

/** Go: any table with status <= 25 aborts the run, naming the ctl command per table. */
export function checkFailedLastTime(tables: Iterable<TableCheckpoint>): void {
  const lines: string[] = [];
  for (const t of tables) {
    if (!isFailed(t.status)) continue;
    const err = t.errorCode || t.errorMessage ? ` with [${t.errorCode ?? ''}] ${t.errorMessage ?? ''}` : '';
    lines.push(`table ${t.tableName} failed at step ${statusName(t.status * 10)} (status ${t.status})${err}; ` +
      `run '${recommendedCtl(t.status, t.tableName)}'`);
  }
  if (lines.length) {
    throw new CheckpointError(Codes.FailedLastTime,
      `TiDB Lightning has failed last time; please resolve these errors first:\n  ${lines.join('\n  ')}`);
  }
}
