// Go's Config.Adjust, in Go's order: tikv-importer → lightning → mydumper → tidb → checkpoint → routes →
// conflict. Fills defaults that depend on other keys and rejects contradictions. Network lookups Go does here
// (TiDB /settings for port/pd-addr with the local backend) are left to the import code: port 0 stays 0.
import { statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import { normalizeLevel } from '../log.js';
import { registerSecret } from '../redact.js';
import type { ConfigData } from './types.js';
import { adjustMydumper, adjustRoutes, isLocalSource } from './adjust-mydumper.js';
import { configError, type Source } from './site.js';

const SQL_MODES = new Set([
  'REAL_AS_FLOAT', 'PIPES_AS_CONCAT', 'ANSI_QUOTES', 'IGNORE_SPACE', 'NOT_USED', 'ONLY_FULL_GROUP_BY',
  'NO_UNSIGNED_SUBTRACTION', 'NO_DIR_IN_CREATE', 'POSTGRESQL', 'ORACLE', 'MSSQL', 'DB2', 'MAXDB', 'NO_KEY_OPTIONS',
  'NO_TABLE_OPTIONS', 'NO_FIELD_OPTIONS', 'MYSQL323', 'MYSQL40', 'ANSI', 'NO_AUTO_VALUE_ON_ZERO', 'NO_BACKSLASH_ESCAPES',
  'STRICT_TRANS_TABLES', 'STRICT_ALL_TABLES', 'NO_ZERO_IN_DATE', 'NO_ZERO_DATE', 'INVALID_DATES', 'ALLOW_INVALID_DATES',
  'ERROR_FOR_DIVISION_BY_ZERO', 'TRADITIONAL', 'NO_AUTO_CREATE_USER', 'HIGH_NOT_PRECEDENCE', 'NO_ENGINE_SUBSTITUTION',
  'PAD_CHAR_TO_FULL_LENGTH', 'TIME_TRUNCATE_FRACTIONAL',
]);
export const DEFAULT_IMPORTER_ADDR = '127.0.0.1:8287';
const DEFAULT_RECORD_DUPLICATE_THRESHOLD = 10000;

function adjustImporter(cfg: ConfigData, src: Source): void {
  const t = cfg.tikvImporter;
  const raw = t.backend as string;
  if (raw === '') throw configError(src, 'tikv-importer.backend must not be empty!', 'tikv-importer.backend');
  t.backend = raw.toLowerCase() as typeof t.backend;
  if (!t.parallelImport && t.incrementalImport) t.parallelImport = true;
  const k = (n: string): string => `tikv-importer.${n}`;
  const positive = (name: string, v: number): void => {
    if (v <= 0) throw configError(src, `\`tikv-importer.${name}\` got ${v}, should be larger than 0`, k(name));
  };
  switch (t.backend) {
    case 'tidb':
      positive('logical-import-batch-size', t.logicalImportBatchSize);
      positive('logical-import-batch-rows', t.logicalImportBatchRows);
      break;
    case 'importer':
    case 'local':
      positive('region-split-batch-size', t.regionSplitBatchSize);
      positive('region-split-concurrency', t.regionSplitConcurrency);
      if (t.rangeConcurrency === 0) t.rangeConcurrency = 16;
      if (t.engineMemCacheSize === 0) t.engineMemCacheSize = 512 * 1024 * 1024;
      if (t.localWriterMemCacheSize === 0) t.localWriterMemCacheSize = 128 * 1024 * 1024;
      if (t.blockSize === 0) t.blockSize = 16 * 1024;
      if (t.backend === 'importer') {
        if (t.addr === '') t.addr = DEFAULT_IMPORTER_ADDR;
        break;
      }
      if (t.parallelImport && t.addIndexBySql) {
        throw configError(src, 'tikv-importer.add-index-using-ddl cannot be used with tikv-importer.parallel-import', [k('add-index-by-sql'), k('parallel-import')]);
      }
      if (t.sortedKvDir === '') throw configError(src, 'tikv-importer.sorted-kv-dir must not be empty!', k('sorted-kv-dir'));
      {
        let st;
        try {
          st = statSync(normalize(t.sortedKvDir));
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw configError(src, 'invalid tikv-importer.sorted-kv-dir', k('sorted-kv-dir'), undefined, e);
        }
        if (st && !st.isDirectory()) {
          throw configError(src, `tikv-importer.sorted-kv-dir ('${normalize(t.sortedKvDir)}') is not a directory`, k('sorted-kv-dir'));
        }
      }
      break;
    default:
      throw configError(src, `unsupported \`tikv-importer.backend\` (${raw})`, k('backend'));
  }
  t.pausePdSchedulerScope = t.pausePdSchedulerScope.toLowerCase() as typeof t.pausePdSchedulerScope;
  if (t.pausePdSchedulerScope !== 'table' && t.pausePdSchedulerScope !== 'global') {
    throw configError(src, 'pause-pd-scheduler-scope is invalid, allowed value include: table, global', k('pause-pd-scheduler-scope'));
  }
  if (t.compressKvPairs as string === 'gz') t.compressKvPairs = 'gzip';
}

/** Checks of the process-level ("global") part that Go makes in LoadGlobalConfig, also used in server mode. */
export function adjustGlobal(cfg: ConfigData, src: Source): void {
  const l = cfg.lightning;
  const level = normalizeLevel(l.level);
  if (!level) throw configError(src, `invalid \`lightning.level\` '${l.level}', choose from info, debug, warn, warning, error, fatal`, 'lightning.level');
  if (l.statusAddr === '' && l.pprofPort !== 0) l.statusAddr = `:${l.pprofPort}`;
  if (l.statusAddr === '' && l.serverMode) {
    throw configError(src, 'If server-mode is enabled, the status-addr must be a valid listen address', ['lightning.server-mode', 'lightning.status-addr']);
  }
  if (l.maxSize === 0) l.maxSize = 512;
  if (l.maxDays === 0) l.maxDays = 7;
}

function adjustLightning(cfg: ConfigData): void {
  const l = cfg.lightning;
  if (cfg.tikvImporter.backend === 'tidb') {
    if (l.tableConcurrency === 0) l.tableConcurrency = l.regionConcurrency;
    if (l.indexConcurrency === 0) l.indexConcurrency = l.regionConcurrency;
    return;
  }
  if (l.indexConcurrency === 0) l.indexConcurrency = 2;
  if (l.tableConcurrency === 0) l.tableConcurrency = 6;
  if (l.metaSchemaName === '') l.metaSchemaName = 'lightning_metadata';
  // RegionConcurrency > NumCPU is meaningless for the physical backends.
  l.regionConcurrency = Math.min(l.regionConcurrency, availableParallelism());
}

function adjustTidb(cfg: ConfigData, src: Source): void {
  const d = cfg.tidb;
  if (cfg.tikvImporter.backend === 'local') {
    if (d.buildStatsConcurrency === 0) d.buildStatsConcurrency = 20;
    if (d.indexSerialScanConcurrency === 0) d.indexSerialScanConcurrency = 20;
    if (d.checksumTableConcurrency === 0) d.checksumTableConcurrency = 2;
  }
  const modes = d.sqlMode.split(',').map((s) => s.trim().toUpperCase()).filter((s) => s !== '');
  const bad = modes.find((s) => !SQL_MODES.has(s));
  if (bad) throw configError(src, `\`mydumper.tidb.sql_mode\` must be a valid SQL_MODE: unknown mode '${bad}'`, 'tidb.sql-mode');
  d.security ??= { ...cfg.security };
  switch (d.tls) {
    case 'cluster':
      if (cfg.security.caPath === '') throw configError(src, "cannot set `tidb.tls` to 'cluster' without a [security] section", ['tidb.tls', 'security']);
      break;
    case 'false':
      d.security = { ...d.security, caPath: '', certPath: '', keyPath: '' };
      break;
    default:
  }
  if (cfg.tikvImporter.backend === 'tidb' && d.port <= 0) throw configError(src, 'invalid `tidb.port` setting', 'tidb.port');
  if (d.port < 0 || d.port > 65535) throw configError(src, 'invalid `tidb.port` setting', 'tidb.port');
}

/**
 * Our difference from Go: with the file driver and no dsn the checkpoint goes next to the source data
 * (`<data-source-dir>/<schema>.db`) instead of `/tmp/<schema>.pb`, so it survives reboots and travels with the
 * dump; sources that are not local directories fall back to `<os.tmpdir()>/<schema>.db`.
 */
function adjustCheckpoint(cfg: ConfigData): void {
  const c = cfg.checkpoint;
  if (c.schema === '') c.schema = 'tidb_lightning_checkpoint';
  if (c.dsn === '' && c.driver === 'file') {
    const dir = isLocalSource(cfg.mydumper.dataSourceDir) ? cfg.mydumper.dataSourceDir : tmpdir();
    c.dsn = join(dir, `${c.schema}.db`);
  }
  registerDsnSecret(c.dsn);
}

export function registerDsnSecret(dsn: string): void {
  const m = /^[^:@/]*:(.*)@(?:tcp|unix)?\(/.exec(dsn) ?? /^[a-z]+:\/\/[^:@/]*:([^@]*)@/.exec(dsn);
  if (m) registerSecret(m[1]);
}

function adjustConflict(cfg: ConfigData, src: Source): void {
  const c = cfg.conflict;
  const i = cfg.tikvImporter;
  let from = 'conflict.strategy';
  if (c.strategy === '') {
    if (i.onDuplicate === '' && i.backend === 'tidb') c.strategy = 'error';
    if (i.onDuplicate !== '') {
      from = 'tikv-importer.on-duplicate';
      c.strategy = i.onDuplicate;
    }
  }
  let fromDupRes = false;
  if (c.strategy === '' && i.duplicateResolution !== '') {
    c.strategy = i.duplicateResolution;
    fromDupRes = true;
    from = 'tikv-importer.duplicate-resolution';
  }
  if (!fromDupRes && c.strategy !== '' && i.duplicateResolution !== '') {
    throw configError(src, `${from} cannot be used with tikv-importer.duplicate-resolution`, [from, 'tikv-importer.duplicate-resolution']);
  }
  if (c.strategy === 'ignore' && i.backend === 'local') {
    throw configError(src, `${from} cannot be set to "ignore" when use tikv-importer.backend = "local"`, [from, 'tikv-importer.backend']);
  }
  if (c.precheckConflictBeforeImport && i.backend === 'tidb') {
    throw configError(src, 'conflict.precheck-conflict-before-import cannot be set to true when use tikv-importer.backend = "tidb"',
      ['conflict.precheck-conflict-before-import', 'tikv-importer.backend']);
  }
  if (c.threshold < 0) c.threshold = c.strategy === 'ignore' || c.strategy === 'replace' ? DEFAULT_RECORD_DUPLICATE_THRESHOLD : 0;
  if (c.threshold > 0 && c.strategy === 'error') {
    throw configError(src, 'conflict.threshold cannot be set when use conflict.strategy = "error"', ['conflict.threshold', from]);
  }
  // Logical REPLACE batches rows, so which row was replaced is unknown: nothing can be recorded.
  c.maxRecordRows = c.strategy === 'replace' && i.backend === 'tidb' ? 0 : c.threshold;
}

export function adjustConfig(cfg: ConfigData, src: Source): void {
  adjustGlobal(cfg, src);
  adjustImporter(cfg, src);
  adjustLightning(cfg);
  adjustMydumper(cfg, src);
  adjustTidb(cfg, src);
  adjustCheckpoint(cfg);
  adjustRoutes(cfg, src);
  adjustConflict(cfg, src);
}
