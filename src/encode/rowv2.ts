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
 * Reusable row-v2 encoder: scratch arrays are kept between rows (the hot path encodes millions), and the data
 * part is written straight into `out` after the header (no scratch copy). Appends the encoded row to `out`.
 */
export class RowV2Encoder {
  private order = new Int32Array(64);
  private ends = new Uint32Array(64);

  /** encode the first n of ids/datums (default all) */
  encode(out: Writer, ids: readonly number[], datums: readonly Datum[], n = ids.length): void {
    if (this.order.length < n) { this.order = new Int32Array(n * 2); this.ends = new Uint32Array(n * 2); }
    const order = this.order, ends = this.ends;
    let sorted = true, large = false, notNull = 0;
    for (let i = 0; i < n; i++) {
      order[i] = i;
      const id = ids[i]!;
      if (i > 0 && ids[i - 1]! > id) sorted = false;
      if (id > 255) large = true;
      if (datums[i]!.k !== K.Null) notNull++;
    }
    if (!sorted) order.subarray(0, n).sort((a, b) => ids[a]! - ids[b]!);
    const nulls = n - notNull;
    const start = out.pos;
    let headerLen = 6 + n * (large ? 4 : 1) + notNull * (large ? 4 : 2);
    out.ensure(headerLen);
    out.pos = start + headerLen;
    const dataStart = out.pos;
    let k = 0;
    for (let j = 0; j < n; j++) {
      const d = datums[order[j]!]!;
      if (d.k === K.Null) continue;
      writeRowV2Datum(out, d);
      ends[k++] = out.pos - dataStart;
    }
    const dataLen = out.pos - dataStart;
    if (!large && dataLen > 0xffff) {
      // the data does not fit u16 offsets: widen the header, move the data behind it
      large = true;
      const wide = 6 + n * 4 + notNull * 4;
      out.ensure(wide - headerLen);
      out.buf.copyWithin(start + wide, dataStart, dataStart + dataLen);
      headerLen = wide;
      out.pos = start + wide + dataLen;
    }
    const b = out.buf;
    let p = start;
    b[p++] = CODEC_VER;
    b[p++] = large ? 1 : 0;
    b[p++] = notNull; b[p++] = notNull >>> 8;
    b[p++] = nulls; b[p++] = nulls >>> 8;
    // not-null ids, then null ids, each ascending
    for (let pass = 0; pass < 2; pass++) {
      for (let j = 0; j < n; j++) {
        const i = order[j]!;
        if ((pass === 0) === (datums[i]!.k === K.Null)) continue;
        const id = ids[i]!;
        if (large) { b[p++] = id; b[p++] = id >>> 8; b[p++] = id >>> 16; b[p++] = id >>> 24; } else b[p++] = id;
      }
    }
    for (let j = 0; j < k; j++) {
      const e = ends[j]!;
      if (large) { b[p++] = e; b[p++] = e >>> 8; b[p++] = e >>> 16; b[p++] = e >>> 24; } else { b[p++] = e; b[p++] = e >>> 8; }
    }
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
