// Typed column values after conversion (TiDB's types.Datum, reduced to what encoding needs), and the
// datum encodings codec.EncodeKey (memcomparable, strings through the collation sort key) and
// codec.EncodeValue (compact). Flags per encoding.md §3.
import { Writer } from './codec/writer.js';
import { encodeInt, encodeUint, encodeVarint, encodeUvarint, type Int64 } from './codec/number.js';
import { encodeBytes, encodeCompactBytes } from './codec/bytes.js';
import { encodeFloat } from './codec/float.js';
import { writeDecimalBin, type Dec } from './codec/decimal.js';
import { collationKey } from './collation/index.js';

export const K = {
  Null: 0, Int: 1, Uint: 2, Float: 3, String: 4, Bytes: 5, Decimal: 6, Time: 7, Duration: 8, Json: 9,
  Enum: 10, Set: 11, Bit: 12,
} as const;
export type DatumKind = (typeof K)[keyof typeof K];

export const Flag = {
  Nil: 0x00, Bytes: 0x01, CompactBytes: 0x02, Int: 0x03, Uint: 0x04, Float: 0x05, Decimal: 0x06, Duration: 0x07,
  Varint: 0x08, Uvarint: 0x09, Json: 0x0a, Max: 0xfa,
} as const;

export type Datum =
  | { k: typeof K.Null }
  | { k: typeof K.Int; v: Int64 }
  | { k: typeof K.Uint; v: Int64 }
  | { k: typeof K.Float; v: number; f32?: boolean }
  /** string with its collation (key form uses the sort key) */
  | { k: typeof K.String; v: Buffer; coll: string }
  | { k: typeof K.Bytes; v: Buffer }
  | { k: typeof K.Decimal; v: Dec; prec: number; frac: number }
  /** packed uint64 (encoding.md §5.2), already in UTC for TIMESTAMP; tp = column type for decoding */
  | { k: typeof K.Time; v: bigint; tp: number; fsp: number }
  /** nanoseconds */
  | { k: typeof K.Duration; v: number; fsp: number }
  | { k: typeof K.Json; typeCode: number; v: Buffer }
  /** 1-based index (0 for the empty/invalid value), name kept for decoding/printing */
  | { k: typeof K.Enum; v: number; name: string }
  | { k: typeof K.Set; v: Int64; name: string }
  | { k: typeof K.Bit; v: Int64; len: number };

export const NULL: Datum = { k: K.Null };

export function encodeKeyDatum(w: Writer, d: Datum): void {
  switch (d.k) {
    case K.Null: w.u8(Flag.Nil); return;
    case K.Int: w.u8(Flag.Int); encodeInt(w, d.v); return;
    case K.Uint: case K.Set: case K.Bit: w.u8(Flag.Uint); encodeUint(w, d.v); return;
    case K.Enum: w.u8(Flag.Uint); encodeUint(w, d.v); return;
    case K.Float: w.u8(Flag.Float); encodeFloat(w, d.v); return;
    case K.String: w.u8(Flag.Bytes); encodeBytes(w, collationKey(d.coll, d.v)); return;
    case K.Bytes: w.u8(Flag.Bytes); encodeBytes(w, d.v); return;
    case K.Decimal: w.u8(Flag.Decimal); w.u8(d.prec); w.u8(d.frac); writeDecimalBin(w, d.v, d.prec, d.frac); return;
    case K.Time: w.u8(Flag.Uint); encodeUint(w, d.v); return;
    case K.Duration: w.u8(Flag.Duration); encodeInt(w, d.v); return;
    case K.Json: w.u8(Flag.Json); w.u8(d.typeCode); w.bytes(d.v); return;
  }
}

export function encodeValueDatum(w: Writer, d: Datum): void {
  switch (d.k) {
    case K.Null: w.u8(Flag.Nil); return;
    case K.Int: w.u8(Flag.Varint); encodeVarint(w, d.v); return;
    case K.Uint: case K.Set: case K.Bit: w.u8(Flag.Uvarint); encodeUvarint(w, d.v); return;
    case K.Enum: w.u8(Flag.Uvarint); encodeUvarint(w, d.v); return;
    case K.Float: w.u8(Flag.Float); encodeFloat(w, d.v); return;
    case K.String: case K.Bytes: w.u8(Flag.CompactBytes); encodeCompactBytes(w, d.v); return;
    case K.Decimal: w.u8(Flag.Decimal); w.u8(d.prec); w.u8(d.frac); writeDecimalBin(w, d.v, d.prec, d.frac); return;
    case K.Time: w.u8(Flag.Uint); encodeUint(w, d.v); return;
    case K.Duration: w.u8(Flag.Duration); encodeInt(w, d.v); return;
    case K.Json: w.u8(Flag.Json); w.u8(d.typeCode); w.bytes(d.v); return;
  }
}

export function encodeKey(ds: Datum[]): Buffer {
  const w = new Writer(64);
  for (const d of ds) encodeKeyDatum(w, d);
  return w.take();
}
export function encodeValue(ds: Datum[]): Buffer {
  const w = new Writer(64);
  for (const d of ds) encodeValueDatum(w, d);
  return w.take();
}
