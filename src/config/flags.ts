// The flags of `tidb-lightning` / `tidb-lightning-ctl` (pingcap/tidb pkg/lightning/config/global.go,
// lightning/cmd/tidb-lightning-ctl/main.go) and how each one overrides the config: only a non-empty value
// overrides (`-tidb-port 0` and `-log-file ""` do not), `-enable-checkpoint`/`-check-requirements` only when false.
import { registerSecret } from '../redact.js';
import type { ConfigData, PostOpLevel } from './types.js';
import type { FlagSpec, ParsedFlags } from './goflag.js';

const OP_LEVELS = ['', 'required', 'optional', 'off', 'true', 'false'] as const;

export const LIGHTNING_FLAGS: readonly FlagSpec[] = [
  { name: 'c', kind: 'string', usage: '(deprecated alias of -config)', dest: 'config' },
  { name: 'config', kind: 'string', usage: 'tidb-lightning configuration file' },
  { name: 'V', kind: 'bool', usage: 'print version of lightning' },
  { name: 'L', kind: { choice: ['', 'info', 'debug', 'warn', 'warning', 'error', 'fatal'] }, usage: 'log level: info, debug, warn, error, fatal (default info)' },
  { name: 'log-file', kind: 'string', usage: 'log file path' },
  { name: 'tidb-host', kind: 'string', usage: 'TiDB server host' },
  { name: 'tidb-port', kind: 'int', usage: 'TiDB server port (default 4000)' },
  { name: 'tidb-user', kind: 'string', usage: 'TiDB user name to connect' },
  { name: 'tidb-password', kind: 'string', usage: 'TiDB password to connect (or env TIDB_PASSWORD)' },
  { name: 'tidb-status', kind: 'int', usage: 'TiDB server status port (default 10080)' },
  { name: 'pd-urls', kind: 'string', usage: 'PD endpoint address' },
  { name: 'd', kind: 'string', usage: 'Directory of the dump to import' },
  { name: 'backend', kind: { choice: ['', 'local', 'tidb', 'importer', 'remote'] }, usage: 'delivery backend: local, tidb, importer' },
  { name: 'importer', kind: 'string', usage: 'address of tikv-importer (importer backend)' },
  { name: 'remote-addr', kind: 'string', usage: 'address of remote backend' },
  { name: 'sorted-kv-dir', kind: 'string', usage: 'path for KV pairs when local backend enabled' },
  { name: 'enable-checkpoint', kind: 'bool', def: true, usage: 'whether to enable checkpoints' },
  { name: 'no-schema', kind: 'bool', usage: 'ignore schema files, get schema directly from TiDB instead' },
  { name: 'checksum', kind: { choice: OP_LEVELS }, usage: 'compare checksum after importing.' },
  { name: 'analyze', kind: { choice: OP_LEVELS }, usage: 'analyze table after importing' },
  { name: 'check-requirements', kind: 'bool', def: true, usage: 'check cluster version before starting' },
  { name: 'ca', kind: 'string', usage: 'CA certificate path for TLS connection' },
  { name: 'cert', kind: 'string', usage: 'certificate path for TLS connection' },
  { name: 'key', kind: 'string', usage: 'private key path for TLS connection' },
  { name: 'redact-info-log', kind: 'bool', usage: 'whether to redact sensitive info in log' },
  { name: 'status-addr', kind: 'string', usage: 'the Lightning server address' },
  { name: 'server-mode', kind: 'bool', usage: 'start Lightning in server mode, wait for multiple tasks instead of starting immediately' },
  { name: 'f', kind: 'strings', usage: 'select tables to import' },
];

/** Actions of tidb-lightning-ctl, in the order Go checks them (the first one given runs). */
export const CTL_ACTION_FLAGS: readonly FlagSpec[] = [
  { name: 'compact', kind: 'bool', usage: 'do manual compaction on the target cluster' },
  { name: 'fetch-mode', kind: 'bool', usage: 'obtain the current mode of every tikv in the cluster' },
  { name: 'switch-mode', kind: 'string', usage: "switch tikv into import mode or normal mode, values can be ['import', 'normal']" },
  { name: 'checkpoint-remove', kind: 'string', usage: "remove the checkpoint associated with the given table (value can be 'all' or '`db`.`table`')" },
  { name: 'checkpoint-error-ignore', kind: 'string', usage: "ignore errors encoutered previously on the given table (value can be 'all' or '`db`.`table`'); may corrupt this table if used incorrectly" },
  { name: 'checkpoint-error-destroy', kind: 'string', usage: "deletes imported data with table which has an error before (value can be 'all' or '`db`.`table`')" },
  { name: 'checkpoint-dump', kind: 'string', usage: 'dump the checkpoint information as three CSV files in the given folder' },
  { name: 'check-local-storage', kind: 'bool', usage: 'show tables that are missing local intermediate files' },
  { name: 'import-engine', kind: 'string', usage: 'manually import a closed engine (value can be \'`db`.`table`:123\' or a UUID' },
  { name: 'cleanup-engine', kind: 'string', usage: 'manually delete a closed engine' },
];

export const CTL_FLAGS: readonly FlagSpec[] = [
  ...LIGHTNING_FLAGS.map((s) => (s.name === 'd' ? { ...s, def: 'noop://' } : s)),
  ...CTL_ACTION_FLAGS,
];

type Setter = (cfg: ConfigData, v: never) => void;
/** flag → (TOML key it overrides, how) */
const OVERRIDES: ReadonlyArray<[string, string, Setter, (v: never) => boolean]> = [
  ['L', 'lightning.level', (c, v: string) => { c.lightning.level = v; }, (v: string) => v !== ''],
  ['log-file', 'lightning.file', (c, v: string) => { c.lightning.file = v; }, (v: string) => v !== ''],
  ['tidb-host', 'tidb.host', (c, v: string) => { c.tidb.host = v; }, (v: string) => v !== ''],
  ['tidb-port', 'tidb.port', (c, v: number) => { c.tidb.port = v; }, (v: number) => v !== 0],
  ['tidb-status', 'tidb.status-port', (c, v: number) => { c.tidb.statusPort = v; }, (v: number) => v !== 0],
  ['tidb-user', 'tidb.user', (c, v: string) => { c.tidb.user = v; }, (v: string) => v !== ''],
  ['tidb-password', 'tidb.password', (c, v: string) => { c.tidb.password = v; }, (v: string) => v !== ''],
  ['pd-urls', 'tidb.pd-addr', (c, v: string) => { c.tidb.pdAddr = v; }, (v: string) => v !== ''],
  ['d', 'mydumper.data-source-dir', (c, v: string) => { c.mydumper.dataSourceDir = v; }, (v: string) => v !== ''],
  ['server-mode', 'lightning.server-mode', (c) => { c.lightning.serverMode = true; }, (v: boolean) => v],
  ['status-addr', 'lightning.status-addr', (c, v: string) => { c.lightning.statusAddr = v; }, (v: string) => v !== ''],
  ['backend', 'tikv-importer.backend', (c, v: string) => { c.tikvImporter.backend = v as ConfigData['tikvImporter']['backend']; }, (v: string) => v !== ''],
  ['importer', 'tikv-importer.addr', (c, v: string) => { c.tikvImporter.addr = v; }, (v: string) => v !== ''],
  ['remote-addr', 'tikv-importer.remote-addr', (c, v: string) => { c.tikvImporter.remoteAddr = v; }, (v: string) => v !== ''],
  ['sorted-kv-dir', 'tikv-importer.sorted-kv-dir', (c, v: string) => { c.tikvImporter.sortedKvDir = v; }, (v: string) => v !== ''],
  ['enable-checkpoint', 'checkpoint.enable', (c) => { c.checkpoint.enable = false; }, (v: boolean) => !v],
  ['no-schema', 'mydumper.no-schema', (c) => { c.mydumper.noSchema = true; }, (v: boolean) => v],
  ['checksum', 'post-restore.checksum', (c, v: string) => { c.postRestore.checksum = opLevel(v); }, (v: string) => v !== ''],
  ['analyze', 'post-restore.analyze', (c, v: string) => { c.postRestore.analyze = opLevel(v); }, (v: string) => v !== ''],
  ['check-requirements', 'lightning.check-requirements', (c) => { c.lightning.checkRequirements = false; }, (v: boolean) => !v],
  ['ca', 'security.ca-path', (c, v: string) => { c.security.caPath = v; }, (v: string) => v !== ''],
  ['cert', 'security.cert-path', (c, v: string) => { c.security.certPath = v; }, (v: string) => v !== ''],
  ['key', 'security.key-path', (c, v: string) => { c.security.keyPath = v; }, (v: string) => v !== ''],
  ['redact-info-log', 'security.redact-info-log', (c) => { c.security.redactInfoLog = true; }, (v: boolean) => v],
  ['f', 'mydumper.filter', (c, v: string[]) => { c.mydumper.filter = [...v]; }, (v: string[]) => v.length > 0],
];

function opLevel(v: string): PostOpLevel {
  return v === 'true' ? 'required' : v === 'false' ? 'off' : (v as PostOpLevel);
}

/** TOML keys a flag overrides (tests and docs). */
export const FLAG_KEYS: ReadonlyMap<string, string> = new Map(OVERRIDES.map(([flag, key]) => [flag, key]));

/**
 * Apply given flags over `cfg` with Go's precedence; returns TOML key → "flag -name" for each override.
 * `ctlDefaultSource`: tidb-lightning-ctl's `-d` default (noop://) applies only when neither flag nor file set it,
 * so ctl finds a checkpoint stored next to the source data (Go's ctl always uses noop:// unless -d is given).
 */
export function applyFlags(cfg: ConfigData, flags: ParsedFlags['values'], ctlDefaultSource = false): Map<string, string> {
  const applied = new Map<string, string>();
  if (typeof flags.get('tidb-password') === 'string') registerSecret(flags.get('tidb-password') as string);
  for (const [flag, key, set, overrides] of OVERRIDES) {
    const v = flags.get(flag);
    if (v === undefined || !(overrides as (x: unknown) => boolean)(v)) continue;
    (set as (c: ConfigData, x: unknown) => void)(cfg, v);
    applied.set(key, `flag -${flag}`);
  }
  if (ctlDefaultSource && cfg.mydumper.dataSourceDir === '') cfg.mydumper.dataSourceDir = 'noop://';
  return applied;
}
