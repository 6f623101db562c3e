export { TidbBackend, DEFAULT_LOGICAL_BATCH_SIZE, DEFAULT_LOGICAL_BATCH_ROWS, type TidbBackendOptions } from './backend.js';
export { isTransient, type TidbConnOptions, type RetryOptions } from './conn.js';
export { verifyTable, remoteChecksum, mismatchError, type VerifyResult } from './verify.js';
export { RowHasher, checksumSql } from './checksum.js';
export { fetchColumns, type ColumnInfo } from './columns.js';
export type { OnDuplicate } from './writer.js';
