// The typed shape of the Go tool's `tidb-lightning.toml`. Field names are the TOML keys in camelCase
// (`tikv-importer.sorted-kv-dir` → `tikvImporter.sortedKvDir`); `tomlKeyOf()` in schema.ts maps back.
// Sizes are numbers of bytes, durations numbers of milliseconds. `Config` is the deeply frozen form.
import type { CsvOptions } from '../parse/csv.js';
import type { RouteRule as SourceRouteRule } from '../source/routes.js';

export type PostOpLevel = 'off' | 'optional' | 'required';
export type KeepStrategy = 'remove' | 'rename' | 'origin';
/** "" = no conflict detection (physical) */
export type ConflictStrategy = '' | 'replace' | 'ignore' | 'error';
export type Backend = 'local' | 'tidb' | 'importer';

export interface MaxErrorData {
  /** v8 reads only `type`; syntax is always 0, charset "unlimited" (MAX_SAFE_INTEGER) */
  syntax: number;
  charset: number;
  type: number;
  /** deprecated: use conflict.threshold */
  conflict: number;
}

export interface LightningSection {
  statusAddr: string;
  serverMode: boolean;
  level: string;
  /** "-" = stdout; "" = /tmp/lightning.log.<timestamp> (resolved by createLogger) */
  file: string;
  maxSize: number;
  maxDays: number;
  maxBackups: number;
  enableDiagnoseLogs: boolean;
  checkRequirements: boolean;
  indexConcurrency: number;
  tableConcurrency: number;
  regionConcurrency: number;
  ioConcurrency: number;
  metaSchemaName: string;
  maxError: MaxErrorData;
  taskInfoSchemaName: string;
  /** deprecated: use conflict.max-record-rows */
  maxErrorRecords: number;
  /** legacy alias of status-addr (":<port>") */
  pprofPort: number;
}

export interface SecuritySection {
  caPath: string;
  certPath: string;
  keyPath: string;
  redactInfoLog: boolean;
}

export interface CheckpointSection {
  enable: boolean;
  schema: string;
  driver: 'file' | 'mysql';
  /** file path (file driver) or `user:pass@tcp(host:port)/` (mysql); "" for mysql = use [tidb] */
  dsn: string;
  keepAfterSuccess: KeepStrategy;
}

export interface ConflictSection {
  strategy: ConflictStrategy;
  precheckConflictBeforeImport: boolean;
  threshold: number;
  maxRecordRows: number;
}

export interface TikvImporterSection {
  /** validated to a Backend after adjust; "" only before adjust */
  backend: Backend;
  addr: string;
  remoteAddr: string;
  onDuplicate: ConflictStrategy;
  duplicateResolution: ConflictStrategy;
  incrementalImport: boolean;
  parallelImport: boolean;
  sortedKvDir: string;
  rangeConcurrency: number;
  sendKvPairs: number;
  sendKvSize: number;
  compressKvPairs: '' | 'gzip';
  maxKvPairs: number;
  regionSplitSize: number;
  regionSplitKeys: number;
  regionSplitBatchSize: number;
  regionSplitConcurrency: number;
  regionCheckBackoffLimit: number;
  diskQuota: number;
  storeWriteBwlimit: number;
  engineMemCacheSize: number;
  localWriterMemCacheSize: number;
  blockSize: number;
  addIndexBySql: boolean;
  keyspaceName: string;
  pausePdSchedulerScope: 'table' | 'global';
  logicalImportBatchSize: number;
  logicalImportBatchRows: number;
  logicalImportPrepStmt: boolean;
}

/** `[mydumper.csv]`: the parser's own option type, with `escaped-by` always resolved by the loader. */
export type CsvSection = Required<CsvOptions>;

export interface FileRule {
  /** Go regexp on the path relative to data-source-dir (`(?P<name>` allowed: see goRegExp) */
  pattern: string;
  /** exact file relative to data-source-dir */
  path: string;
  schema: string;
  table: string;
  type: string;
  key: string;
  compression: string;
}

export interface IgnoreColumnsRule {
  db: string;
  table: string;
  tableFilter: string[];
  /** lower-cased */
  columns: string[];
}

export interface MydumperSection {
  readBlockSize: number;
  /** 0 = computed per table */
  batchSize: number;
  batchImportRatio: number;
  /**
   * Local directory as an absolute path (a `file://`/`local://` URL or relative path is converted), or the
   * URL as given for other storages (`s3://…`, `gcs://…`, `noop://`). Go keeps `file:///abs`; we keep the path.
   */
  dataSourceDir: string;
  sourceId: string;
  characterSet: string;
  dataCharacterSet: string;
  dataInvalidCharReplace: string;
  noSchema: boolean;
  strictFormat: boolean;
  maxRegionSize: number;
  filter: string[];
  caseSensitive: boolean;
  defaultFileRules: boolean;
  ignoreDataColumns: IgnoreColumnsRule[];
  csv: CsvSection;
  files: FileRule[];
}

export interface TidbSection {
  host: string;
  /** 0 = ask TiDB's /settings (local/importer backends only) */
  port: number;
  user: string;
  password: string;
  statusPort: number;
  pdAddr: string;
  logLevel: string;
  sqlMode: string;
  tls: '' | 'false' | 'cluster' | 'skip-verify' | 'preferred';
  maxAllowedPacket: number;
  buildStatsConcurrency: number;
  distsqlScanConcurrency: number;
  indexSerialScanConcurrency: number;
  checksumTableConcurrency: number;
  sessionVars: Record<string, string>;
  /** defaults to a copy of [security] */
  security: SecuritySection;
}

export interface PostRestoreSection {
  /** the user's value; Go forces off for the tidb backend, our import code decides (we do verify) */
  checksum: PostOpLevel;
  analyze: PostOpLevel;
  level1Compact: boolean;
  compact: boolean;
  postProcessAtLast: boolean;
  checksumViaSql: boolean;
}

export interface CronSection {
  switchMode: number;
  logProgress: number;
  checkDiskQuota: number;
}

export interface RouteExtractor {
  regexp: string;
  targetColumn: string;
}

/** `[[routes]]`: the router's own rule type (so `scanSource({ routes: cfg.routes })` type-checks), keys always set. */
export type RouteRule = SourceRouteRule & { tablePattern: string; targetTable: string };

export interface ConfigData {
  lightning: LightningSection;
  security: SecuritySection;
  checkpoint: CheckpointSection;
  conflict: ConflictSection;
  tikvImporter: TikvImporterSection;
  mydumper: MydumperSection;
  tidb: TidbSection;
  postRestore: PostRestoreSection;
  cron: CronSection;
  routes: RouteRule[];
}

export type DeepReadonly<T> = T extends (infer U)[]
  ? ReadonlyArray<DeepReadonly<U>>
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/** The validated, deeply frozen configuration every module receives. */
export type Config = DeepReadonly<ConfigData>;
