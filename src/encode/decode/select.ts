// A record pair as `SELECT * FROM t` returns it: the public, visible columns in table order with their MySQL
// text-protocol values (for the simulated TiDB front and for verification).
import type { ColumnInfo, TableInfo } from '../schema/model.js';
import { datumText, type FormatOptions } from './format.js';
import { decodeRecord } from './key.js';

const STATE_PUBLIC = 5;

/** the columns `SELECT *` lists, in order */
export function selectColumns(table: TableInfo): ColumnInfo[] {
  return table.cols.filter((c) => !c.hidden && (c.state ?? STATE_PUBLIC) === STATE_PUBLIC).sort((a, b) => a.offset - b.offset);
}

/** one record KV as a result row: text value per selectColumns() column, null for NULL */
export function selectRow(table: TableInfo, key: Uint8Array, value: Uint8Array, opts: FormatOptions = {}): (Buffer | null)[] {
  const r = decodeRecord(table, key, value);
  return selectColumns(table).map((c) => datumText(r.values[c.offset]!, c.type, opts));
}
