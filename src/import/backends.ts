// Config → the Backend for `tikv-importer.backend`. One file set per backend under src/backend/<name>/ (like
// kysely's dialects); the KV backends are loaded only when chosen.
import type { Backend, TableRef } from '../backend/backend.js';
import type { TableInfo } from '../encode/schema/model.js';
import { TidbBackend, DEFAULT_LOGICAL_BATCH_SIZE } from '../backend/tidb/index.js';
import type { Config } from '../config/types.js';
import type { LoadResult } from '../config/load.js';
import { NotImplementedError } from '../errors.js';
import type { Logger } from '../log.js';
import { connOptions } from './target.js';
import { securityTls } from '../cluster/security.js';

export interface BackendContext {
  config: Config;
  load?: Pick<LoadResult, 'present'>;
  taskId: bigint;
  logger: Logger;
}

export function taskInfoSchema(cfg: Config): string {
  // Our progress rows need a schema even when Go's error recording is disabled ("").
  return cfg.lightning.taskInfoSchemaName || 'lightning_task_info';
}

export async function createBackend(c: BackendContext): Promise<Backend> {
  const cfg = c.config;
  switch (cfg.tikvImporter.backend) {
    case 'tidb': {
      const strategy = cfg.conflict.strategy;
      // Go's default statement size (96 KiB) is ~1.7x slower than 1 MiB here (see backend/tidb/backend.ts);
      // a size written in the config file is honoured as is.
      const explicit = c.load?.present.has('tikv-importer.logical-import-batch-size');
      return new TidbBackend({
        ...connOptions(cfg, cfg.lightning.regionConcurrency + 1),
        taskId: c.taskId,
        onDuplicate: strategy === 'replace' ? 'replace' : strategy === 'ignore' ? 'ignore' : 'error',
        batchSize: explicit ? cfg.tikvImporter.logicalImportBatchSize : DEFAULT_LOGICAL_BATCH_SIZE,
        batchRows: cfg.tikvImporter.logicalImportBatchRows,
        maxAllowedPacket: cfg.tidb.maxAllowedPacket,
        taskInfoSchema: taskInfoSchema(cfg),
        sourceNoBackslashEscapes: /NO_BACKSLASH_ESCAPES/i.test(cfg.tidb.sqlMode),
        logger: c.logger,
      });
    }
    case 'local':
      return localBackend(c);
    case 'importer':
      return importerBackend(c);
    default:
      throw new NotImplementedError(`the "${cfg.tikvImporter.backend}" backend`);
  }
}

/** What both KV backends need: the TiDB status client's table info and PD address, and an EncodePool per table. */
async function kvEncoding(c: BackendContext) {
  const cfg = c.config;
  // the KV backends load the cluster clients and the encoder only when chosen
  const [{ PoolRowEncoder }, { EncodePool }, { TidbStatusClient }] = await Promise.all([
    import('../backend/local/encoder.js'), import('../encode/pool/pool.js'), import('../cluster/tidb-status.js'),
  ]);
  const tls = securityTls(cfg.security);
  const status = new TidbStatusClient({ host: cfg.tidb.host, port: cfg.tidb.statusPort, tls });
  const pdAddr = cfg.tidb.pdAddr || await status.pdAddr();
  const sqlMode = cfg.tidb.sqlMode;
  const timeZone = cfg.tidb.sessionVars.time_zone ?? '+00:00';
  return {
    tls, pdAddr,
    tableInfo: (ref: TableRef) => status.tableInfo(ref.schema, ref.table),
    // the task's start time (stable across resumes): a re-encoded chunk gives the same CURRENT_TIMESTAMP defaults
    encoderFor: (info: TableInfo) => new PoolRowEncoder(new EncodePool({ size: cfg.lightning.regionConcurrency, tableInfo: info, sqlMode, timeZone, timestamp: Number(c.taskId / 1_000_000n) })),
    switchModeIntervalMs: cfg.cron.switchMode,
    onWarn: (msg: string) => c.logger.warn(msg),
  };
}

async function localBackend(c: BackendContext): Promise<Backend> {
  const cfg = c.config;
  const t = cfg.tikvImporter;
  const [{ LocalBackend }, kv] = await Promise.all([import('../backend/local/backend.js'), kvEncoding(c)]);
  return new LocalBackend({
    ...kv,
    sortedKvDir: t.sortedKvDir,
    diskQuota: t.diskQuota,
    engine: { memCacheSize: t.localWriterMemCacheSize },
    import: {
      rangeConcurrency: t.rangeConcurrency, sendKvSize: t.sendKvSize,
      ...(t.regionSplitSize ? { regionSplitSize: t.regionSplitSize } : {}), ...(t.regionSplitKeys ? { regionSplitKeys: t.regionSplitKeys } : {}),
      onWarn: kv.onWarn,
    },
  });
}

/** `importer`: KV pairs to the tikv-importer at tikv-importer.addr, with [security] for it as for PD and TiKV. */
async function importerBackend(c: BackendContext): Promise<Backend> {
  const [{ ImporterBackend }, kv] = await Promise.all([import('../backend/importer/backend.js'), kvEncoding(c)]);
  return new ImporterBackend({ ...kv, addr: c.config.tikvImporter.addr });
}
