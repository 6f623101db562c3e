// Config → the Backend for `tikv-importer.backend`. One file set per backend under src/backend/<name>/ (like
// kysely's dialects); the KV backends are loaded only when chosen.
import type { Backend } from '../backend/backend.js';
import { TidbBackend, DEFAULT_LOGICAL_BATCH_SIZE } from '../backend/tidb/index.js';
import type { Config } from '../config/types.js';
import type { LoadResult } from '../config/load.js';
import { NotImplementedError } from '../errors.js';
import type { Logger } from '../log.js';
import { connOptions } from './target.js';

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
    default:
      throw new NotImplementedError(`the "${cfg.tikvImporter.backend}" backend`);
  }
}
