// Local sorted engines for the KV backends: writers → sorted runs → one merged, de-duplicated data file with
// range properties; disk-quota accounting. See engine.ts.
export { LocalEngine, type EngineMeta, type EngineOptions, type KvPair } from './engine.js';
export { SortedWriter } from './writer.js';
export { DiskQuota } from './disk-quota.js';
export { KvBatchBuilder, batchOf, kvPairs, type KvBatch } from './kv-batch.js';
export { nextKey, type KeyRange } from './props.js';
export type { DuplicateReport } from './merge.js';
