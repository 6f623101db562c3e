// Record and index keys (tablecodec.go): 't' ‖ EncodeInt(physical table id) ‖ "_r" ‖ handle, and
// 't' ‖ id ‖ "_i" ‖ EncodeInt(index id) ‖ EncodeKey(datums) [‖ handle]. Handles: int (8 bytes, sign-flipped
// in keys, plain u64be in index values) or common (EncodeKey of the clustered PK datums).
import { Writer } from './codec/writer.js';
import { encodeInt, encodeU64BE, decodeInt, type Int64 } from './codec/number.js';
import { encodeKeyDatum, type Datum } from './datum.js';

export type Handle = { int: Int64 } | { common: Buffer };

export const RECORD_SEP = 0x5f72; // "_r"
export const INDEX_SEP = 0x5f69; // "_i"

export function writeTablePrefix(w: Writer, tableID: Int64): void {
  w.u8(0x74);
  encodeInt(w, tableID);
}

export function writeRecordKey(w: Writer, tableID: Int64, h: Handle): void {
  writeTablePrefix(w, tableID);
  w.u16be(RECORD_SEP);
  if ('int' in h) encodeInt(w, h.int);
  else w.bytes(h.common);
}

export function recordKey(tableID: Int64, h: Handle): Buffer {
  const w = new Writer(32);
  writeRecordKey(w, tableID, h);
  return w.take();
}

export function writeIndexPrefix(w: Writer, tableID: Int64, indexID: Int64): void {
  writeTablePrefix(w, tableID);
  w.u16be(INDEX_SEP);
  encodeInt(w, indexID);
}

/** handle bytes appended to a non-distinct index key: 03‖EncodeInt(h) for int handles */
export function writeHandleSuffix(w: Writer, h: Handle): void {
  if ('int' in h) { w.u8(0x03); encodeInt(w, h.int); } else w.bytes(h.common);
}

export function commonHandle(datums: Datum[]): Buffer {
  const w = new Writer(32);
  for (const d of datums) encodeKeyDatum(w, d);
  return w.take();
}

/** int handle inside a unique index value: u64be without the sign flip */
export function writeIntHandleValue(w: Writer, h: Int64): void {
  encodeU64BE(w, h);
}

export interface DecodedRecordKey { tableID: bigint; handle: { int: bigint } | { common: Buffer } }

export function decodeRecordKey(key: Uint8Array): DecodedRecordKey {
  if (key.length < 11 || key[0] !== 0x74 || key[9] !== 0x5f || key[10] !== 0x72) throw new RangeError('not a record key');
  const tableID = decodeInt(key, 1);
  const rest = key.subarray(11);
  if (rest.length === 8) return { tableID, handle: { int: decodeInt(rest, 0) } };
  return { tableID, handle: { common: Buffer.from(rest) } };
}
