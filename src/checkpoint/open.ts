// Which store `[checkpoint]` selects, and where the file goes: with driver "file" and no dsn the database sits
// next to the source data (`<data-source-dir>/tidb_lightning_checkpoint.db`), so a rerun of the same command
// from anywhere (a restarted Job pod with the data volume) finds it. The Go tool defaulted to /tmp/<schema>.pb.
import { isAbsolute, join, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import { openMysqlCheckpointStore, type MysqlCheckpointOptions } from './mysql.js';
import { SqliteCheckpointStore } from './sqlite.js';
import type { CheckpointStore } from './types.js';

export interface CheckpointOptions {
  driver: 'file' | 'mysql';
  /** file path (file) or DSN (mysql); '' = default */
  dsn: string;
  schema: string;
  /** local data-source-dir (a path or file:// URL); '' when the source is remote */
  dataSourceDir: string;
  /** mysql driver: connection to use when dsn is empty (the [tidb] server) */
  mysql?: MysqlCheckpointOptions;
}

export const DEFAULT_CHECKPOINT_FILE = 'tidb_lightning_checkpoint.db';

export function checkpointFilePath(o: Pick<CheckpointOptions, 'dsn' | 'schema' | 'dataSourceDir'>): string {
  if (o.dsn) return isAbsolute(o.dsn) ? o.dsn : resolve(o.dsn);
  let dir = o.dataSourceDir;
  if (dir.startsWith('file://')) dir = new URL(dir).pathname;
  else if (dir.startsWith('local://')) dir = dir.slice('local://'.length);
  if (!dir || /^[a-z][a-z0-9+.-]*:\/\//i.test(dir)) {
    // Remote source (s3://, gcs://): nowhere to put it next to the data.
    throw new ConfigError(`checkpoint.dsn must be set when data-source-dir '${o.dataSourceDir}' is not a local directory`,
      { key: 'checkpoint.dsn' });
  }
  return join(resolve(dir), o.schema && o.schema !== 'tidb_lightning_checkpoint' ? `${o.schema}.db` : DEFAULT_CHECKPOINT_FILE);
}

export async function openCheckpointStore(o: CheckpointOptions): Promise<CheckpointStore> {
  if (o.driver === 'mysql') {
    if (!o.mysql) throw new ConfigError('checkpoint driver "mysql" needs a connection', { key: 'checkpoint.dsn' });
    return openMysqlCheckpointStore(o.mysql);
  }
  return SqliteCheckpointStore.open(checkpointFilePath(o));
}
