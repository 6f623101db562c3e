export * from './status.js';
export * from './types.js';
export * from './fingerprint.js';
export { SqliteCheckpointStore } from './sqlite.js';
export { MysqlCheckpointStore, type MysqlCheckpointOptions } from './mysql.js';
export { SqlCheckpointStore } from './sql-store.js';
export { parseMysqlDsn, describeDsn, type MysqlDsn } from './dsn.js';
export {
  openCheckpointStore, checkpointFilePath, checkpointOptionsOf, mysqlConnectionOf, DEFAULT_CHECKPOINT_FILE, type CheckpointOptions,
} from './open.js';
export { toCsv, writeDump, type DumpRows } from './csv.js';
