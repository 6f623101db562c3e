// Public surface of the data-source layer (scan, filter, routes, open/decompress, chunks).
export * from './types.js';
export { scanSource, expandTemplate, compareSortKey, type ScanOptions, type FileRule } from './scan.js';
export { parseTableFilter, DEFAULT_FILTER, type TableFilter } from './filter.js';
export { makeRouter, type RouteRule, type Router, type ExtraColumn } from './routes.js';
export { openDataFile, type OpenOptions, type OpenableFile } from './open.js';
export { makeTableChunks, splitCsv, COMPRESSED_SIZE_INF, DEFAULT_MAX_REGION_SIZE, type ChunkOptions } from './chunks.js';
export { makeIgnoreColumns, type IgnoreColumnsRule, type IgnoreColumnsLookup } from './ignore-columns.js';
export { openStorage, closeStorages, isS3, parquetBuffer, type Storage, type StoredFile } from './storage.js';
