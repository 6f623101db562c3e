export { LocalBackend, uniqueTableName, type LocalBackendOptions } from './backend.js';
export { SyncRowEncoder, type RowEncoder, type EncodedRows } from './encoder.js';
export { importEngine, type ImportOptions, type ImportStats } from './import-engine.js';
export { remoteChecksum, checksumMismatch, tableRanges, type KvChecksum } from './checksum.js';
export { switchMode } from './mode.js';
