// The task around the tables: the config values a checkpoint is fingerprinted with, the store `[checkpoint]`
// selects, and the scanner options from `[mydumper]` and `[[routes]]`.
import { checkpointOptionsOf, openCheckpointStore, SqliteCheckpointStore, type CheckpointStore, type FingerprintConfig } from '../checkpoint/index.js';
import type { Config } from '../config/types.js';
import { VERSION } from '../version.js';
import { connOptions } from './target.js';

export function fingerprint(cfg: Config): FingerprintConfig {
  const csv = cfg.mydumper.csv;
  return {
    dataSourceDir: cfg.mydumper.dataSourceDir, backend: cfg.tikvImporter.backend, tidbHost: cfg.tidb.host, tidbPort: cfg.tidb.port,
    pdAddr: cfg.tidb.pdAddr, sortedKvDir: cfg.tikvImporter.backend === 'local' ? cfg.tikvImporter.sortedKvDir : '',
    importerAddr: cfg.tikvImporter.backend === 'importer' ? cfg.tikvImporter.addr : '', lightningVer: VERSION,
    extra: {
      'conflict.strategy': cfg.conflict.strategy, 'mydumper.data-character-set': cfg.mydumper.dataCharacterSet,
      'mydumper.csv.separator': csv.separator, 'mydumper.csv.delimiter': csv.delimiter, 'mydumper.csv.terminator': csv.terminator,
      'mydumper.csv.header': csv.header, 'mydumper.csv.null': JSON.stringify(csv.null), 'mydumper.csv.escaped-by': csv.escapedBy,
      'mydumper.strict-format': cfg.mydumper.strictFormat,
    },
  };
}

export async function openStore(cfg: Config): Promise<CheckpointStore> {
  const c = cfg.checkpoint;
  // enable = false: a throwaway store, so the same code path runs and nothing is left behind.
  if (!c.enable) return SqliteCheckpointStore.open(':memory:');
  return openCheckpointStore(checkpointOptionsOf(cfg, connOptions(cfg, 1).ssl));
}

export function scanOptions(cfg: Config) {
  const m = cfg.mydumper;
  return {
    dataSourceDir: m.dataSourceDir, filter: [...m.filter], caseSensitive: m.caseSensitive, defaultFileRules: m.defaultFileRules,
    fileRules: m.files.map((f) => ({ ...f, pattern: f.pattern || undefined, path: f.path || undefined })),
    routes: cfg.routes, sourceId: m.sourceId,
  };
}
