// Public surface of the parsers (SQL dump, CSV, Parquet, charsets).
export * from './types.js';
export { SliceField } from './field.js';
export { parseSql, type SqlParseOptions } from './sql.js';
export { parseCsv, checkColumnCount, resolveCsvOptions, nextTerminator, DEFAULT_CSV, type CsvOptions, type CsvParseOptions } from './csv.js';
export { parseParquet, formatDecimal, type ParquetParseOptions } from './parquet.js';
export { makeFieldDecoder, decodeSchemaText, firstInvalidUtf8, type DataCharset, type FieldDecoder } from './charset.js';
export { DEFAULT_MAX_ROW_SIZE, DEFAULT_BATCH_BYTES, DEFAULT_BATCH_ROWS } from './reader.js';
export { makeBatchShaper, makeRowShape, shapeRow, appendConstantFields, type ShapeOptions, type RowShape, type ConstantColumn } from './shape.js';
export { sqlModeFlags, type SqlModeFlags } from './sql-mode.js';
