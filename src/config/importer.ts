// `tikv-importer` config (tikv/importer src/import/config.rs, etc/tikv-importer.toml v5.0.6) and its clap-style
// flags, which override the file. Unknown keys are rejected (Rust's deny_unknown_fields).
import { Command, CommanderError } from 'commander';
import { Codes, ConfigError } from '../errors.js';
import { normalizeLevel } from '../log.js';
import { decodeInto } from './decode.js';
import { deepFreeze } from './freeze.js';
import { parseToml, readConfigText } from './read.js';
import { sectionDefaults, type Section } from './schema.js';
import { configError, type Source } from './site.js';
import type { DeepReadonly } from './types.js';

const f = (prop: string, kind: Section[string]['kind'], def?: unknown): Section[string] => ({ prop, kind, def });
const MiB = 1024 * 1024;
const cf: Section = {
  'write-buffer-size': f('writeBufferSize', 'size', 1024 * MiB),
  'max-write-buffer-number': f('maxWriteBufferNumber', 'int', 8),
  'compression-per-level': f('compressionPerLevel', 'strings', ['lz4', 'no', 'no', 'no', 'no', 'no', 'lz4']),
};

export const IMPORTER_SCHEMA: Section = {
  'log-level': f('logLevel', 'string', 'info'),
  'log-file': f('logFile', 'string', ''),
  'status-server-address': f('statusServerAddress', 'string', '127.0.0.1:8286'),
  server: f('server', { table: {
    addr: f('addr', 'string', '127.0.0.1:8287'),
    'grpc-concurrency': f('grpcConcurrency', 'int', 16),
  } }),
  import: f('import', { table: {
    'import-dir': f('importDir', 'string', '/tmp/tikv/import'),
    'num-threads': f('numThreads', 'int', 16),
    'num-import-jobs': f('numImportJobs', 'int', 24),
    'num-import-sst-jobs': f('numImportSstJobs', 'int', 2),
    'max-prepare-duration': f('maxPrepareDuration', 'duration', 5 * 60_000),
    'region-split-size': f('regionSplitSize', 'size', 512 * MiB),
    'stream-channel-window': f('streamChannelWindow', 'int', 128),
    'max-open-engines': f('maxOpenEngines', 'int', 8),
    'upload-speed-limit': f('uploadSpeedLimit', 'size', 512 * MiB),
    'min-available-ratio': f('minAvailableRatio', 'float', 0.05),
  } }),
  metric: f('metric', { table: {
    job: f('job', 'string', 'tikv-importer'),
    interval: f('interval', 'duration', 15_000),
    address: f('address', 'string', ''),
  } }),
  security: f('security', { table: {
    'ca-path': f('caPath', 'string', ''),
    'cert-path': f('certPath', 'string', ''),
    'key-path': f('keyPath', 'string', ''),
    'cert-allowed-cn': f('certAllowedCn', 'strings', []),
  } }),
  rocksdb: f('rocksdb', { table: {
    'max-background-jobs': f('maxBackgroundJobs', 'int', 32),
    defaultcf: f('defaultcf', { table: cf }),
    writecf: f('writecf', { table: cf }),
  } }),
};

interface CfData { writeBufferSize: number; maxWriteBufferNumber: number; compressionPerLevel: string[] }
export interface ImporterConfigData {
  logLevel: string;
  logFile: string;
  statusServerAddress: string;
  server: { addr: string; grpcConcurrency: number };
  import: {
    importDir: string; numThreads: number; numImportJobs: number; numImportSstJobs: number; maxPrepareDuration: number;
    regionSplitSize: number; streamChannelWindow: number; maxOpenEngines: number; uploadSpeedLimit: number; minAvailableRatio: number;
  };
  metric: { job: string; interval: number; address: string };
  security: { caPath: string; certPath: string; keyPath: string; certAllowedCn: string[] };
  rocksdb: { maxBackgroundJobs: number; defaultcf: CfData; writecf: CfData };
}
export type ImporterConfig = DeepReadonly<ImporterConfigData>;

export interface ImporterFlags {
  config?: string;
  addr?: string;
  statusServer?: string;
  importDir?: string;
  logLevel?: string;
  logFile?: string;
}

function validate(c: ImporterConfigData, src: Source): void {
  const nonZero: Array<[string, number, string]> = [
    ['num-threads', c.import.numThreads, 'num_threads'],
    ['num-import-jobs', c.import.numImportJobs, 'num_import_jobs'],
    ['num-import-sst-jobs', c.import.numImportSstJobs, 'num_import_sst_jobs'],
    ['region-split-size', c.import.regionSplitSize, 'region_split_size'],
    ['stream-channel-window', c.import.streamChannelWindow, 'stream_channel_window'],
    ['max-open-engines', c.import.maxOpenEngines, 'max_open_engines'],
    ['upload-speed-limit', c.import.uploadSpeedLimit, 'upload_speed_limit'],
  ];
  for (const [key, v, rust] of nonZero) if (v === 0) throw configError(src, `import.${rust} can not be 0`, `import.${key}`);
  if (c.import.minAvailableRatio < 0) throw configError(src, 'import.min_available_ratio can not less than 0.02', 'import.min-available-ratio');
  if (!normalizeLevel(c.logLevel)) throw configError(src, `invalid \`log-level\` '${c.logLevel}'`, 'log-level');
}

export function loadImporterConfig(flags: ImporterFlags = {}, text?: string): ImporterConfig {
  const data = sectionDefaults(IMPORTER_SCHEMA) as unknown as ImporterConfigData;
  const src: Source = { file: flags.config };
  const toml = text ?? (flags.config ? readConfigText(flags.config) : undefined);
  if (toml !== undefined) {
    src.text = toml;
    decodeInto(data as unknown as Record<string, unknown>, parseToml(toml, flags.config), src, IMPORTER_SCHEMA);
  }
  const overrides = new Map<string, string>();
  const set = (key: string, flag: string, v: string | undefined, apply: (x: string) => void): void => {
    if (v === undefined) return;
    apply(v);
    overrides.set(key, `flag ${flag}`);
  };
  set('server.addr', '--addr', flags.addr, (v) => { data.server.addr = v; });
  set('status-server-address', '--status-server', flags.statusServer, (v) => { data.statusServerAddress = v; });
  set('import.import-dir', '--import-dir', flags.importDir, (v) => { data.import.importDir = v; });
  set('log-level', '--log-level', flags.logLevel, (v) => { data.logLevel = v; });
  set('log-file', '--log-file', flags.logFile, (v) => { data.logFile = v; });
  validate(data, { ...src, overrides });
  return deepFreeze(data);
}

export type ImporterArgs =
  | { kind: 'help'; usage: string }
  | { kind: 'version' }
  | { kind: 'run'; config: ImporterConfig; configFile?: string };

export function importerCommand(): Command {
  return new Command('tikv-importer')
    .description('The importer server for TiDB Lightning (legacy importer backend)')
    .helpOption('-h, --help', 'print help information')
    .option('-V, --version', 'print version information and exit')
    .option('-C, --config <FILE>', 'set the configuration file')
    .option('-A, --addr <IP:PORT>', 'set the listening address (default 127.0.0.1:8287)')
    .option('--status-server <IP:PORT>', 'set the HTTP status server address (default 127.0.0.1:8286)')
    .option('--import-dir <PATH>', 'set the directory to store importing kv data')
    .option('-L, --log-level <LEVEL>', 'set the log level: trace, debug, info, warn, error, off')
    .option('--log-file <FILE>', 'set the log file')
    .exitOverride()
    .configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
}

export function parseImporterArgs(argv: readonly string[]): ImporterArgs {
  const cmd = importerCommand();
  try {
    cmd.parse([...argv], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError && e.code === 'commander.helpDisplayed') return { kind: 'help', usage: cmd.helpInformation() };
    throw new ConfigError((e as Error).message.replace(/^error: /, ''), {}, undefined, Codes.InvalidArgument);
  }
  const o = cmd.opts<Record<string, string | boolean | undefined>>();
  if (o.version) return { kind: 'version' };
  const flags: ImporterFlags = {
    config: o.config as string | undefined, addr: o.addr as string | undefined, statusServer: o.statusServer as string | undefined,
    importDir: o.importDir as string | undefined, logLevel: o.logLevel as string | undefined, logFile: o.logFile as string | undefined,
  };
  return { kind: 'run', config: loadImporterConfig(flags), configFile: flags.config };
}
