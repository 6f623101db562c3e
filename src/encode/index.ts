// Public surface of the KV codec: table info builders, the row encoder, checksum, and the decoder.
export * from './decode/index.js';
export { TableEncoder, type KVPair, type KVSink, type TableEncoderOptions } from './table.js';
export { KVChecksum } from './checksum.js';
export { crc64 } from './crc64.js';
export { K as DatumKind, type Datum } from './datum.js';
export { Tp, Flag as ColumnFlag, type FieldType } from './types.js';
export { buildTableInfo, type BuildOptions } from './schema/create-table.js';
export { fromTiDBJSON, fromVectorTableInfo, type TableInfo, type ColumnInfo, type IndexInfo } from './schema/model.js';
export { makeSession, DEFAULT_SQL_MODE, type Session } from './session.js';
export { EncodePool, type EncodePoolOptions, type EncodeBatchOptions, type EncodeChunkOptions, type EncodeResult, type EncodePoolStats } from './pool/pool.js';
export { forEachKv, kvPairs, type KvBatch } from './pool/kv-batch.js';
export type { KVChecksumParts } from './checksum.js';
