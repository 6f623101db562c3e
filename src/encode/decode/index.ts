// KV decoder: TiDB record/index keys and values back to typed column values. Pure (no I/O), the inverse of
// ../table.ts for every column type, both row formats and all index value layouts.
//
// API (stable; the simulated TiDB and `tidb-lightning-ctl decode` build on it):
//
//   decodeKv(table, key, value)           → DecodedRecord | DecodedIndex (throws LightningError Codes.KVCodec)
//   decodeRecord(table, key, value)       → { physicalID, partition?, handle, values: Datum[] by column offset, format }
//   decodeRecordValue(table, value, handle) → { values, format }  (when the key is already parsed)
//   decodeIndex(table, key, value)        → { physicalID, partition?, indexID, index, distinct, values: Datum[] per
//                                             index column, exact: boolean[], handle }
//   parseKey(key)                         → route a key without table info: record / index / table / other
//   datumText(datum, fieldType, {timeZone}) → Buffer | null: the MySQL text-protocol bytes `SELECT` returns
//   datumLiteral(datum, fieldType?, {timeZone}) → readable SQL literal ('abc', 0x00ff, NULL, 1.5)
//   describeKv(table | null, keyHex, valueHex, {timeZone}) → multi-line human description
//   selectColumns(table) / selectRow(table, key, value, {timeZone}) → a record as `SELECT *` returns it:
//                                             visible public columns in order, text values (null = NULL)
//
// `table` is a TableInfo (schema/model.ts: status API JSON via fromTiDBJSON, or buildTableInfo from CREATE
// TABLE). Keys and values are Uint8Array/Buffer (hex strings only for describeKv). Values are `Datum`s
// (../datum.ts), exactly what the encoder's conversion produced for the column: ints as number when safe else
// bigint, TIMESTAMP as UTC packed time (datumText converts to `timeZone`), strings with the column collation.
// Record values: columns missing from the row value take the handle (int PK / clustered PK), else their
// origin default, else NULL; virtual generated columns come back NULL. Index values: `exact[i]` is false when
// values[i] is only a prefix or a collation sort key (no restored data).
export { decodeKv, decodeRecord, decodeRecordValue, decodeIndex, parseKey, splitIndexValue } from './key.js';
export type { DecodedHandle, DecodedRecord, DecodedIndex, ParsedKey } from './key.js';
export { decodeOne, decodeAll, toColumnDatum, decodeRowV2Value } from './datum.js';
export { decodeRowValue, decodeRowV1, decodeRowV2, type RowCells } from './row.js';
export { datumText, datumLiteral, formatFloat, type FormatOptions } from './format.js';
export { describeKv, columnTypeName } from './describe.js';
export { selectColumns, selectRow } from './select.js';
