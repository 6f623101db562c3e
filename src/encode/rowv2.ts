// Row format v2 (util/rowcodec): 0x80, flags, counts, sorted ids (not-null then null), end offsets, data.
// "large" (u32 ids/offsets) when an id > 255 or the data exceeds 65,535 bytes. Also legacy format v1.
import { Writer } from './codec/writer.js';
import { encodeFloat } from './codec/float.js';
import { writeDecimalBin } from './codec/decimal.js';
import type { Int64 } from './codec/number.js';
import { K, NULL, encodeValueDatum, type Datum } from './datum.js';

const CODEC_VER = 0x80;

/** shortest little-endian signed form: 1, 2, 4 or 8 bytes */
export function writeIntLE(w: Writer, v: Int64): void {
  if (typeof v === 'number' && Number.isSafeInteger(v)) {
    if (v >= -128 && v <= 127) { w.u8(v & 0xff); return; }
    if (v >= -32768 && v <= 32767) { w.u16le(v & 0xffff); return; }
    if (v >= -2147483648 && v <= 2147483647) { w.u32le(v >>> 0); return; }
  }
  const b = BigInt.asUintN(64, BigInt(v));
  w.u32le(Number(b & 0xffffffffn));
  w.u32le(Number(b >> 32n));
}

export function writeUintLE(w: Writer, v: Int64): void {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) {
    if (v <= 0xff) { w.u8(v); return; }
    if (v <= 0xffff) { w.u16le(v); return; }
    if (v <= 0xffffffff) { w.u32le(v); return; }
  }
  const b = BigInt.asUintN(64, BigInt(v));
  w.u32le(Number(b & 0xffffffffn));
  w.u32le(Number(b >> 32n));
}

export function writeRowV2Datum(w: Writer, d: Datum): void {
  switch (d.k) {
    case K.Int: writeIntLE(w, d.v); return;
    case K.Uint: case K.Set: case K.Bit: writeUintLE(w, d.v); return;
    case K.Enum: writeUintLE(w, d.v); return;
    case K.String: case K.Bytes: w.bytes(d.v); return;
    case K.Time: writeUintLE(w, d.v <= 0x1fffffffffffffn ? Number(d.v) : d.v); return;
    case K.Duration: writeIntLE(w, d.v); return;
    case K.Float: encodeFloat(w, d.v); return;
    case K.Decimal: w.u8(d.prec); w.u8(d.frac); writeDecimalBin(w, d.v, d.prec, d.frac); return;
    case K.Json: w.u8(d.typeCode); w.bytes(d.v); return;
    case K.Null: return;
  }
}

/**
 * Reusable row-v2 encoder: scratch buffers are kept between rows (the hot path encodes millions).
 * Appends the encoded row to `out`.
 */
export class RowV2Encoder {
  private readonly data = new Writer(1024);
  private order: number[] = [];
  private ends: number[] = [];

  encode(out: Writer, ids: number[], datums: Datum[]): void {
    const n = ids.length;
    const order = this.order;
    order.length = 0;
    for (let i = 0; i < n; i++) order.push(i);
    let sorted = true;
    for (let i = 1; i < n; i++) if (ids[i - 1]! > ids[i]!) { sorted = false; break; }
    if (!sorted) order.sort((a, b) => ids[a]! - ids[b]!);
    const data = this.data.reset();
    const ends = this.ends;
    ends.length = 0;
    let notNull = 0;
    let large = false;
    for (let j = 0; j < n; j++) {
      const i = order[j]!;
      if (ids[i]! > 255) large = true;
      const d = datums[i]!;
      if (d.k === K.Null) continue;
      writeRowV2Datum(data, d);
      ends.push(data.pos);
      notNull++;
    }
    if (data.pos > 0xffff) large = true;
    const nulls = n - notNull;
    out.ensure(6 + n * (large ? 4 : 1) + notNull * (large ? 4 : 2) + data.pos);
    out.u8(CODEC_VER);
    out.u8(large ? 1 : 0);
    out.u16le(notNull);
    out.u16le(nulls);
    // not-null ids, then null ids, each ascending
    for (let pass = 0; pass < 2; pass++) {
      for (let j = 0; j < n; j++) {
        const i = order[j]!;
        const isNull = datums[i]!.k === K.Null;
        if ((pass === 0) === isNull) continue;
        if (large) out.u32le(ids[i]!);
        else out.u8(ids[i]!);
      }
    }
    for (const e of ends) {
      if (large) out.u32le(e);
      else out.u16le(e);
    }
    out.bytes(data.view());
  }
}

const shared = new RowV2Encoder();
export function encodeRowV2(ids: number[], datums: Datum[]): Buffer {
  const w = new Writer(256);
  shared.encode(w, ids, datums);
  return w.take();
}

/** Legacy row format v1 (tablecodec.EncodeOldRow): EncodeValue(int id) ‖ EncodeValue(flattened datum). */
export function encodeRowV1(ids: number[], datums: Datum[]): Buffer {
  const w = new Writer(256);
  if (ids.length === 0) { w.u8(0); return w.take(); }
  for (let i = 0; i < ids.length; i++) {
    encodeValueDatum(w, { k: K.Int, v: ids[i]! });
    encodeValueDatum(w, flatten(datums[i] ?? NULL));
  }
  return w.take();
}

function flatten(d: Datum): Datum {
  switch (d.k) {
    case K.Time: return { k: K.Uint, v: d.v };
    case K.Duration: return { k: K.Int, v: d.v };
    case K.Enum: case K.Set: case K.Bit: return { k: K.Uint, v: d.v };
    default: return d;
  }
}
