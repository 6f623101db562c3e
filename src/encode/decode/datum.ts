// Datum decoding: the flag-prefixed forms of codec.EncodeKey / codec.EncodeValue (codec.DecodeOne), the
// flag-less row-v2 forms, and the mapping of a raw datum onto a column's type (what TiDB's
// DecodeColumnValue / rowcodec decoders do). Pure; errors are RangeError, wrapped with context by callers.
import { decodeBytes, decodeCompactBytes } from '../codec/bytes.js';
import { decodeFloat } from '../codec/float.js';
import { readDecimalBin } from '../codec/decimal.js';
import { decodeInt, decodeUint, decodeVarint, decodeUvarint, normInt } from '../codec/number.js';
import { JT } from '../codec/json.js';
import { K, Flag as DF, NULL, type Datum } from '../datum.js';
import { Tp, isUnsigned, isStringTp, type FieldType } from '../types.js';

/** A datum as its flag says (no column type applied yet): what DecodeOne returns. */
export type RawDatum = Datum;

/** length in bytes of a binary JSON value of type `tc` at b[off] */
export function jsonBinaryLength(tc: number, b: Uint8Array, off: number): number {
  switch (tc) {
    case JT.Object: case JT.Array: {
      if (off + 8 > b.length) throw new RangeError('json: insufficient data');
      return (b[off + 4]! | (b[off + 5]! << 8) | (b[off + 6]! << 16)) + b[off + 7]! * 0x1000000;
    }
    case JT.Literal: return 1;
    case JT.Int64: case JT.Uint64: case JT.Double: return 8;
    case JT.String: {
      let n = 0, s = 0, i = off;
      for (;;) {
        const c = b[i++];
        if (c === undefined) throw new RangeError('json: truncated string length');
        n += (c & 0x7f) * 2 ** s;
        if (c < 0x80) break;
        s += 7;
      }
      return i - off + n;
    }
    default: throw new RangeError(`json: unsupported type code ${tc}`);
  }
}

/** codec.DecodeOne: one flag-prefixed datum at b[off]; returns [datum, bytes consumed] */
export function decodeOne(b: Uint8Array, off: number): [RawDatum, number] {
  if (off >= b.length) throw new RangeError('datum: insufficient data');
  const flag = b[off]!;
  const p = off + 1;
  const need = (n: number): void => { if (p + n > b.length) throw new RangeError(`datum flag ${flag}: insufficient data`); };
  switch (flag) {
    case DF.Nil: return [NULL, 1];
    case DF.Bytes: { const [v, n] = decodeBytes(b, p); return [{ k: K.Bytes, v }, 1 + n]; }
    case DF.CompactBytes: { const [v, n] = decodeCompactBytes(b, p); return [{ k: K.Bytes, v }, 1 + n]; }
    case DF.Int: need(8); return [{ k: K.Int, v: normInt(decodeInt(b, p)) }, 9];
    case DF.Uint: need(8); return [{ k: K.Uint, v: normInt(decodeUint(b, p)) }, 9];
    case DF.Float: need(8); return [{ k: K.Float, v: decodeFloat(b, p) }, 9];
    case DF.Decimal: {
      need(2);
      const prec = b[p]!, frac = b[p + 1]!;
      const [v, n] = readDecimalBin(b, p + 2, prec, frac);
      return [{ k: K.Decimal, v, prec, frac }, 3 + n];
    }
    case DF.Duration: need(8); return [{ k: K.Duration, v: Number(decodeInt(b, p)), fsp: 0 }, 9];
    case DF.Varint: { const [v, n] = decodeVarint(b, p); return [{ k: K.Int, v: normInt(v) }, 1 + n]; }
    case DF.Uvarint: { const [v, n] = decodeUvarint(b, p); return [{ k: K.Uint, v: normInt(v) }, 1 + n]; }
    case DF.Json: {
      need(1);
      const tc = b[p]!;
      const len = jsonBinaryLength(tc, b, p + 1);
      if (p + 1 + len > b.length) throw new RangeError('json: insufficient data');
      return [{ k: K.Json, typeCode: tc, v: Buffer.from(b.subarray(p + 1, p + 1 + len)) }, 2 + len];
    }
    default: throw new RangeError(`datum: invalid flag 0x${flag.toString(16)}`);
  }
}

/** every datum of an EncodeKey/EncodeValue sequence */
export function decodeAll(b: Uint8Array, off = 0, end = b.length): RawDatum[] {
  const out: RawDatum[] = [];
  const view = end === b.length ? b : b.subarray(0, end);
  for (let p = off; p < end;) {
    const [d, n] = decodeOne(view, p);
    out.push(d);
    p += n;
  }
  return out;
}

const asBig = (v: number | bigint): bigint => (typeof v === 'bigint' ? v : BigInt(v));

function setNames(mask: bigint, elems: readonly string[]): string {
  const names: string[] = [];
  for (let i = 0; i < elems.length; i++) if ((mask >> BigInt(i)) & 1n) names.push(elems[i]!);
  return names.join(',');
}

/**
 * A raw datum (from a key, a v1 row or a handle) as a value of column type `ft`: the same Datum the
 * encoder's conversion produces for that column (strings keep the column collation, times carry tp/fsp).
 */
export function toColumnDatum(d: RawDatum, ft: FieldType): Datum {
  if (d.k === K.Null) return d;
  const tp = ft.Tp;
  const fsp = Math.max(ft.Decimal, 0);
  const intLike = d.k === K.Int || d.k === K.Uint;
  switch (tp) {
    case Tp.Tiny: case Tp.Short: case Tp.Int24: case Tp.Long: case Tp.Longlong:
      if (!intLike) break;
      return isUnsigned(ft) ? { k: K.Uint, v: normInt(BigInt.asUintN(64, asBig(d.v))) } : { k: K.Int, v: normInt(BigInt.asIntN(64, asBig(d.v))) };
    case Tp.Year:
      if (!intLike) break;
      return { k: K.Int, v: normInt(BigInt.asIntN(64, asBig(d.v))) };
    case Tp.Float: case Tp.Double:
      if (d.k !== K.Float) break;
      return tp === Tp.Float ? { k: K.Float, v: Math.fround(d.v), f32: true } : { k: K.Float, v: d.v };
    case Tp.NewDecimal: case Tp.Decimal:
      if (d.k !== K.Decimal) break;
      return d;
    case Tp.Date: case Tp.Datetime: case Tp.Timestamp: case Tp.NewDate:
      if (!intLike) break;
      return { k: K.Time, v: BigInt.asUintN(64, asBig(d.v)), tp: tp === Tp.NewDate ? Tp.Date : tp, fsp: tp === Tp.Date ? 0 : fsp };
    case Tp.Duration:
      if (d.k === K.Duration || d.k === K.Int) return { k: K.Duration, v: Number(d.v), fsp };
      break;
    case Tp.Enum: {
      if (!intLike) break;
      const i = Number(d.v);
      return { k: K.Enum, v: i, name: ft.Elems?.[i - 1] ?? '' };
    }
    case Tp.Set: {
      if (!intLike) break;
      const m = BigInt.asUintN(64, asBig(d.v));
      return { k: K.Set, v: normInt(m), name: setNames(m, ft.Elems ?? []) };
    }
    case Tp.Bit:
      if (!intLike) break;
      return { k: K.Bit, v: normInt(BigInt.asUintN(64, asBig(d.v))), len: Math.ceil((ft.Flen > 0 ? ft.Flen : 1) / 8) };
    case Tp.JSON:
      if (d.k !== K.Json) break;
      return d;
    default:
      if (isStringTp(tp) && (d.k === K.Bytes || d.k === K.String)) {
        return ft.Charset === 'binary' ? { k: K.Bytes, v: d.v } : { k: K.String, v: d.v, coll: ft.Collate };
      }
  }
  throw new RangeError(`datum kind ${d.k} does not fit column type ${tp}`);
}

function readUintLE(b: Uint8Array, off: number, len: number): number | bigint {
  switch (len) {
    case 0: return 0;
    case 1: return b[off]!;
    case 2: return b[off]! | (b[off + 1]! << 8);
    case 4: return (b[off]! | (b[off + 1]! << 8) | (b[off + 2]! << 16)) + b[off + 3]! * 0x1000000;
    case 8: {
      const lo = (b[off]! | (b[off + 1]! << 8) | (b[off + 2]! << 16)) + b[off + 3]! * 0x1000000;
      const hi = (b[off + 4]! | (b[off + 5]! << 8) | (b[off + 6]! << 16)) + b[off + 7]! * 0x1000000;
      if (hi < 0x200000) return hi * 0x100000000 + lo;
      return (BigInt(hi) << 32n) | BigInt(lo);
    }
    default: throw new RangeError(`row v2: invalid integer width ${len}`);
  }
}

function readIntLE(b: Uint8Array, off: number, len: number): number | bigint {
  switch (len) {
    case 0: return 0;
    case 1: return (b[off]! << 24) >> 24;
    case 2: return ((b[off]! | (b[off + 1]! << 8)) << 16) >> 16;
    case 4: return b[off]! | (b[off + 1]! << 8) | (b[off + 2]! << 16) | (b[off + 3]! << 24);
    case 8: return normInt(BigInt.asIntN(64, BigInt(readUintLE(b, off, 8))));
    default: throw new RangeError(`row v2: invalid integer width ${len}`);
  }
}

/** the row-v2 (flag-less) bytes b[start, end) of one not-null column of type ft */
export function decodeRowV2Value(b: Uint8Array, start: number, end: number, ft: FieldType): Datum {
  const len = end - start;
  const tp = ft.Tp;
  const fsp = Math.max(ft.Decimal, 0);
  switch (tp) {
    case Tp.Tiny: case Tp.Short: case Tp.Int24: case Tp.Long: case Tp.Longlong:
      return isUnsigned(ft) ? { k: K.Uint, v: readUintLE(b, start, len) } : { k: K.Int, v: readIntLE(b, start, len) };
    case Tp.Year: return { k: K.Int, v: readIntLE(b, start, len) };
    case Tp.Float: case Tp.Double: {
      if (len !== 8) throw new RangeError('row v2: float is not 8 bytes');
      const f = decodeFloat(b, start);
      return tp === Tp.Float ? { k: K.Float, v: Math.fround(f), f32: true } : { k: K.Float, v: f };
    }
    case Tp.NewDecimal: case Tp.Decimal: {
      if (len < 2) throw new RangeError('row v2: decimal too short');
      const prec = b[start]!, frac = b[start + 1]!;
      const [v] = readDecimalBin(b.subarray(0, end), start + 2, prec, frac);
      return { k: K.Decimal, v, prec, frac };
    }
    case Tp.Date: case Tp.Datetime: case Tp.Timestamp: case Tp.NewDate:
      return { k: K.Time, v: BigInt(readUintLE(b, start, len)), tp: tp === Tp.NewDate ? Tp.Date : tp, fsp: tp === Tp.Date ? 0 : fsp };
    case Tp.Duration: return { k: K.Duration, v: Number(readIntLE(b, start, len)), fsp };
    case Tp.Enum: case Tp.Set: case Tp.Bit:
      return toColumnDatum({ k: K.Uint, v: readUintLE(b, start, len) }, ft);
    case Tp.JSON: {
      if (len < 1) throw new RangeError('row v2: empty JSON');
      return { k: K.Json, typeCode: b[start]!, v: Buffer.from(b.subarray(start + 1, end)) };
    }
    default:
      if (isStringTp(tp)) {
        const v = Buffer.from(b.subarray(start, end));
        return ft.Charset === 'binary' ? { k: K.Bytes, v } : { k: K.String, v, coll: ft.Collate };
      }
      throw new RangeError(`row v2: unsupported column type ${tp}`);
  }
}
