// Which store `[checkpoint]` selects, and where it lives. driver "file": with no dsn the SQLite database sits
// next to the source data (`<data-source-dir>/tidb_lightning_checkpoint.db`), so a rerun of the same command
// from anywhere (a restarted Job pod with the data volume) finds it; the Go tool defaulted to /tmp/<schema>.pb.
// driver "mysql": database `schema` on the server of the Go DSN in `dsn`, or on the `[tidb]` target when it is
// empty (with the target's TLS settings, as Go does).
import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { SslOptions } from 'mysql2';
import type { Config } from '../config/types.js';
import { CheckpointError, Codes, ConfigError } from '../errors.js';
import { describeDsn, parseMysqlDsn } from './dsn.js';
import { MysqlCheckpointStore, type MysqlCheckpointOptions } from './mysql.js';
import { SqliteCheckpointStore } from './sqlite.js';
import type { CheckpointStore } from './types.js';

export interface CheckpointOptions {
  driver: 'file' | 'mysql';
  /** file path (file) or Go DSN (mysql); '' = default */
  dsn: string;
  schema: string;
  /** local data-source-dir (a path or file:// URL); '' when the source is remote */
  dataSourceDir: string;
  /** mysql driver: connection to use when dsn is empty (the [tidb] server); its ssl also serves `?tls=cluster` */
  mysql?: Omit<MysqlCheckpointOptions, 'schema'> & { schema?: string };
  /** false: open an existing checkpoint only (tidb-lightning-ctl), never create an empty one */
  create?: boolean;
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

/** The connection a mysql-driver DSN names; `tls` as in Go's DSN (`cluster` = the [tidb.security] settings). */
export function mysqlConnectionOf(dsn: string, clusterSsl?: SslOptions): Omit<MysqlCheckpointOptions, 'schema'> {
  const d = parseMysqlDsn(dsn);
  const tls = (d.params.tls ?? 'false').toLowerCase();
  let ssl: SslOptions | undefined;
  switch (tls) {
    case 'false': break;
    case 'true': ssl = { rejectUnauthorized: true, verifyIdentity: true }; break;
    case 'skip-verify': case 'preferred': ssl = { rejectUnauthorized: false }; break;
    case 'cluster':
      if (!clusterSsl) throw new ConfigError(`checkpoint.dsn ${describeDsn(d)} asks for tls=cluster but [tidb.security] sets no certificates`, { key: 'checkpoint.dsn' });
      ssl = clusterSsl;
      break;
    default:
      throw new ConfigError(`checkpoint.dsn ${describeDsn(d)}: unsupported tls=${d.params.tls} (true, false, skip-verify, preferred or cluster)`,
        { key: 'checkpoint.dsn' }, undefined, Codes.InvalidTLSConfig);
  }
  return { host: d.host, port: d.port, user: d.user, password: d.password, socketPath: d.socketPath, ssl };
}

export async function openCheckpointStore(o: CheckpointOptions): Promise<CheckpointStore> {
  if (o.driver === 'mysql') {
    const conn = o.dsn ? mysqlConnectionOf(o.dsn, o.mysql?.ssl) : o.mysql;
    if (!conn) throw new ConfigError('checkpoint driver "mysql" needs a connection', { key: 'checkpoint.dsn' });
    return MysqlCheckpointStore.open({ ...conn, schema: o.schema, create: o.create });
  }
  const path = checkpointFilePath(o);
  if (o.create === false && !existsSync(path)) {
    throw new CheckpointError(Codes.CheckpointNotFound, `checkpoint file '${path}' not found`, { file: path });
  }
  return SqliteCheckpointStore.open(path);
}

/** CheckpointOptions from the config; `ssl` is the [tidb] connection's TLS (src/import/target.ts connOptions). */
export function checkpointOptionsOf(cfg: Config, ssl?: SslOptions): CheckpointOptions {
  const c = cfg.checkpoint;
  return {
    driver: c.driver, dsn: c.dsn, schema: c.schema, dataSourceDir: cfg.mydumper.dataSourceDir,
    mysql: { host: cfg.tidb.host, port: cfg.tidb.port, user: cfg.tidb.user, password: cfg.tidb.password, ssl },
  };
}
