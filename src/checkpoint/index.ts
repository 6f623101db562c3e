export * from './status.js';
export * from './types.js';
export * from './fingerprint.js';
export { SqliteCheckpointStore } from './sqlite.js';
export { openCheckpointStore, checkpointFilePath, DEFAULT_CHECKPOINT_FILE, type CheckpointOptions } from './open.js';
export { toCsv } from './csv.js';
