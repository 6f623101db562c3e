// Every section and key of the Go tool's config with its TOML name, value kind and default (pingcap/tidb
// pkg/lightning/config NewConfig). One table drives decoding, unknown-key detection, error key names and toToml.
import { availableParallelism } from 'node:os';
import type { ConfigData } from './types.js';

export type Kind =
  | 'string' | 'int' | 'bool' | 'float' | 'size' | 'duration' | 'strings' | 'stringOrStrings'
  | 'postOp' | 'keep' | 'dupAlgo' | 'maxError' | 'stringMap'
  | { enum: readonly string[] }
  | { table: Section; optional?: boolean }
  | { array: Section };

export interface Field {
  prop: string;
  kind: Kind;
  def?: unknown;
}
export type Section = Readonly<Record<string, Field>>;

const f = (prop: string, kind: Kind, def?: unknown): Field => ({ prop, kind, def });

export const DEFAULT_FILTER = [
  '*.*', '!mysql.*', '!sys.*', '!INFORMATION_SCHEMA.*', '!PERFORMANCE_SCHEMA.*', '!METRICS_SCHEMA.*',
  '!INSPECTION_SCHEMA.*',
] as const;

const KiB = 1024;
const MiB = 1024 * KiB;
/** Go uses MaxInt64 for "unlimited"; the largest exact JS integer stands in for it. */
export const UNLIMITED = Number.MAX_SAFE_INTEGER;

const securitySection: Section = {
  'ca-path': f('caPath', 'string', ''),
  'cert-path': f('certPath', 'string', ''),
  'key-path': f('keyPath', 'string', ''),
  'redact-info-log': f('redactInfoLog', 'bool', false),
};

const extractor = (regexpKey: string, regexpProp: string): Section => ({
  [regexpKey]: f(regexpProp, 'string', ''),
  'target-column': f('targetColumn', 'string', ''),
});

export const SCHEMA: Section = {
  lightning: f('lightning', { table: {
    'status-addr': f('statusAddr', 'string', ''),
    'server-mode': f('serverMode', 'bool', false),
    level: f('level', 'string', 'info'),
    file: f('file', 'string', ''),
    'max-size': f('maxSize', 'int', 512),
    'max-days': f('maxDays', 'int', 7),
    'max-backups': f('maxBackups', 'int', 0),
    'enable-diagnose-logs': f('enableDiagnoseLogs', 'bool', false),
    'check-requirements': f('checkRequirements', 'bool', true),
    'index-concurrency': f('indexConcurrency', 'int', 0),
    'table-concurrency': f('tableConcurrency', 'int', 0),
    'region-concurrency': f('regionConcurrency', 'int', availableParallelism()),
    'io-concurrency': f('ioConcurrency', 'int', 5),
    'meta-schema-name': f('metaSchemaName', 'string', 'lightning_metadata'),
    'max-error': f('maxError', 'maxError', { syntax: 0, charset: UNLIMITED, type: 0, conflict: UNLIMITED }),
    'task-info-schema-name': f('taskInfoSchemaName', 'string', 'lightning_task_info'),
    'max-error-records': f('maxErrorRecords', 'int', 0),
    'pprof-port': f('pprofPort', 'int', 0),
  } }),
  security: f('security', { table: securitySection }),
  checkpoint: f('checkpoint', { table: {
    enable: f('enable', 'bool', true),
    schema: f('schema', 'string', 'tidb_lightning_checkpoint'),
    driver: f('driver', { enum: ['file', 'mysql'] }, 'file'),
    dsn: f('dsn', 'string', ''),
    'keep-after-success': f('keepAfterSuccess', 'keep', 'remove'),
  } }),
  conflict: f('conflict', { table: {
    strategy: f('strategy', 'dupAlgo', ''),
    'precheck-conflict-before-import': f('precheckConflictBeforeImport', 'bool', false),
    threshold: f('threshold', 'int', -1),
    'max-record-rows': f('maxRecordRows', 'int', -1),
  } }),
  'tikv-importer': f('tikvImporter', { table: {
    backend: f('backend', 'string', ''),
    addr: f('addr', 'string', ''),
    'remote-addr': f('remoteAddr', 'string', ''),
    'on-duplicate': f('onDuplicate', 'dupAlgo', ''),
    'duplicate-resolution': f('duplicateResolution', 'dupAlgo', ''),
    'incremental-import': f('incrementalImport', 'bool', false),
    'parallel-import': f('parallelImport', 'bool', false),
    'sorted-kv-dir': f('sortedKvDir', 'string', ''),
    'range-concurrency': f('rangeConcurrency', 'int', 16),
    'send-kv-pairs': f('sendKvPairs', 'int', 32768),
    'send-kv-size': f('sendKvSize', 'size', 16 * KiB),
    'compress-kv-pairs': f('compressKvPairs', { enum: ['', 'gz', 'gzip'] }, ''),
    'max-kv-pairs': f('maxKvPairs', 'int', 4096),
    'region-split-size': f('regionSplitSize', 'size', 0),
    'region-split-keys': f('regionSplitKeys', 'int', 0),
    'region-split-batch-size': f('regionSplitBatchSize', 'int', 4096),
    'region-split-concurrency': f('regionSplitConcurrency', 'int', availableParallelism()),
    'region-check-backoff-limit': f('regionCheckBackoffLimit', 'int', 1800),
    'disk-quota': f('diskQuota', 'size', UNLIMITED),
    'store-write-bwlimit': f('storeWriteBwlimit', 'size', 0),
    'engine-mem-cache-size': f('engineMemCacheSize', 'size', 512 * MiB),
    'local-writer-mem-cache-size': f('localWriterMemCacheSize', 'size', 128 * MiB),
    'block-size': f('blockSize', 'size', 16 * KiB),
    'add-index-by-sql': f('addIndexBySql', 'bool', false),
    'keyspace-name': f('keyspaceName', 'string', ''),
    'pause-pd-scheduler-scope': f('pausePdSchedulerScope', 'string', 'table'),
    'logical-import-batch-size': f('logicalImportBatchSize', 'size', 96 * KiB),
    'logical-import-batch-rows': f('logicalImportBatchRows', 'int', 65536),
    'logical-import-prep-stmt': f('logicalImportPrepStmt', 'bool', false),
  } }),
  mydumper: f('mydumper', { table: {
    'read-block-size': f('readBlockSize', 'size', 64 * KiB),
    'batch-size': f('batchSize', 'size', 0),
    'batch-import-ratio': f('batchImportRatio', 'float', 0),
    'data-source-dir': f('dataSourceDir', 'string', ''),
    'source-id': f('sourceId', 'string', ''),
    'character-set': f('characterSet', 'string', 'auto'),
    'data-character-set': f('dataCharacterSet', 'string', 'binary'),
    'data-invalid-char-replace': f('dataInvalidCharReplace', 'string', '\uFFFD'),
    'no-schema': f('noSchema', 'bool', false),
    'strict-format': f('strictFormat', 'bool', false),
    'max-region-size': f('maxRegionSize', 'size', 256 * MiB),
    filter: f('filter', 'strings', [...DEFAULT_FILTER]),
    'case-sensitive': f('caseSensitive', 'bool', false),
    'default-file-rules': f('defaultFileRules', 'bool', false),
    'ignore-data-columns': f('ignoreDataColumns', { array: {
      db: f('db', 'string', ''),
      table: f('table', 'string', ''),
      'table-filter': f('tableFilter', 'strings', []),
      columns: f('columns', 'strings', []),
    } }, []),
    csv: f('csv', { table: {
      separator: f('separator', 'string', ','),
      delimiter: f('delimiter', 'string', '"'),
      terminator: f('terminator', 'string', ''),
      null: f('null', 'stringOrStrings', ['\\N']),
      header: f('header', 'bool', true),
      'header-schema-match': f('headerSchemaMatch', 'bool', true),
      'not-null': f('notNull', 'bool', false),
      'backslash-escape': f('backslashEscape', 'bool', true),
      'escaped-by': f('escapedBy', 'string', '\\'),
      'trim-last-separator': f('trimLastSeparator', 'bool', false),
      // Go's parser has these LOAD DATA options but hides them from the TOML (`toml:"-"`); we accept them
      'starting-by': f('startingBy', 'string', ''),
      'allow-empty-line': f('allowEmptyLine', 'bool', false),
      'quoted-null-is-text': f('quotedNullIsText', 'bool', true),
      'unescaped-quote': f('unescapedQuote', 'bool', false),
    } }),
    files: f('files', { array: {
      pattern: f('pattern', 'string', ''),
      path: f('path', 'string', ''),
      schema: f('schema', 'string', ''),
      table: f('table', 'string', ''),
      type: f('type', 'string', ''),
      key: f('key', 'string', ''),
      compression: f('compression', 'string', ''),
    } }, []),
  } }),
  tidb: f('tidb', { table: {
    host: f('host', 'string', '127.0.0.1'),
    port: f('port', 'int', 0),
    user: f('user', 'string', 'root'),
    password: f('password', 'string', ''),
    'status-port': f('statusPort', 'int', 10080),
    'pd-addr': f('pdAddr', 'string', ''),
    'log-level': f('logLevel', 'string', 'error'),
    'sql-mode': f('sqlMode', 'string', 'ONLY_FULL_GROUP_BY,NO_AUTO_CREATE_USER'),
    tls: f('tls', { enum: ['', 'false', 'cluster', 'skip-verify', 'preferred'] }, ''),
    'max-allowed-packet': f('maxAllowedPacket', 'size', 64 * MiB),
    'build-stats-concurrency': f('buildStatsConcurrency', 'int', 20),
    'distsql-scan-concurrency': f('distsqlScanConcurrency', 'int', 15),
    'index-serial-scan-concurrency': f('indexSerialScanConcurrency', 'int', 20),
    'checksum-table-concurrency': f('checksumTableConcurrency', 'int', 2),
    'session-vars': f('sessionVars', 'stringMap', {}),
    security: f('security', { table: securitySection, optional: true }),
  } }),
  'post-restore': f('postRestore', { table: {
    checksum: f('checksum', 'postOp', 'required'),
    analyze: f('analyze', 'postOp', 'optional'),
    'level-1-compact': f('level1Compact', 'bool', false),
    compact: f('compact', 'bool', false),
    'post-process-at-last': f('postProcessAtLast', 'bool', true),
    'checksum-via-sql': f('checksumViaSql', 'bool', false),
  } }),
  cron: f('cron', { table: {
    'switch-mode': f('switchMode', 'duration', 5 * 60_000),
    'log-progress': f('logProgress', 'duration', 5 * 60_000),
    'check-disk-quota': f('checkDiskQuota', 'duration', 60_000),
  } }),
  routes: f('routes', { array: {
    'schema-pattern': f('schemaPattern', 'string', ''),
    'table-pattern': f('tablePattern', 'string', ''),
    'target-schema': f('targetSchema', 'string', ''),
    'target-table': f('targetTable', 'string', ''),
    'extract-table': f('extractTable', { table: extractor('table-regexp', 'tableRegexp'), optional: true }),
    'extract-schema': f('extractSchema', { table: extractor('schema-regexp', 'schemaRegexp'), optional: true }),
    'extract-source': f('extractSource', { table: extractor('source-regexp', 'sourceRegexp'), optional: true }),
  } }, []),
};

function clone<T>(v: T): T {
  return structuredClone(v);
}

/** Defaults of a section (optional sub-tables stay absent). */
export function sectionDefaults(section: Section): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of Object.values(section)) {
    const k = field.kind;
    if (typeof k === 'object' && 'table' in k) {
      if (!k.optional) out[field.prop] = sectionDefaults(k.table);
    } else if (field.def !== undefined) out[field.prop] = clone(field.def);
  }
  return out;
}

/** A fresh, mutable, unadjusted default config (Go's NewConfig). */
export function defaultConfigData(): ConfigData {
  return sectionDefaults(SCHEMA) as unknown as ConfigData;
}

/** `tikvImporter.sortedKvDir` → `tikv-importer.sorted-kv-dir` (array indexes kept: `routes[0].target-schema`). */
export function tomlKeyOf(propPath: string): string {
  const out: string[] = [];
  let section: Section | undefined = SCHEMA;
  for (const part of propPath.split('.')) {
    const m = /^([^[]+)(\[\d+\])?$/.exec(part);
    const prop = m?.[1] ?? part;
    const entry: [string, Field] | undefined = section ? Object.entries(section).find(([, fl]) => fl.prop === prop) : undefined;
    if (!entry) {
      out.push(part);
      section = undefined;
      continue;
    }
    out.push(entry[0] + (m?.[2] ?? ''));
    const k: Kind = entry[1].kind;
    section = typeof k === 'object' && 'table' in k ? k.table : typeof k === 'object' && 'array' in k ? k.array : undefined;
  }
  return out.join('.');
}
