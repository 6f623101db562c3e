// Field (parser output) → column Datum, following TiDB's table.CastValue = Datum.ConvertTo(column type)
// plus the zero-date and CHAR/BINARY rules (encoding.md §9.3). Rejections throw ConvertError; the table
// encoder turns that into a LightningError naming the column and value.
import { FieldKind, type Field } from '../parse/types.js';
import { K, NULL, type Datum } from './datum.js';
import { Tp, Flag, isUnsigned, type FieldType } from './types.js';
import type { Session } from './session.js';
import type { Int64 } from './codec/number.js';
import { parseDecimal, roundDec, maxDec, type Dec } from './codec/decimal.js';
import {
  parseDatetime, parseDuration, checkDate, localToUTC, epochSeconds, isZeroTime, pack, ZERO_TIME, TimeParseError,
  MAX_DURATION_NS, type CoreTime,
} from './codec/time.js';
import { jsonToBinary, JsonSyntaxError } from './codec/json.js';
import { collationKey } from './collation/index.js';
import { runeCount, runePrefixLen } from './collation/utf8.js';

export class ConvertError extends Error {}

const INT_RANGE: Record<number, [bigint, bigint, bigint]> = {
  // tp: [signed min, signed max, unsigned max]
  [Tp.Tiny]: [-128n, 127n, 255n],
  [Tp.Short]: [-32768n, 32767n, 65535n],
  [Tp.Int24]: [-8388608n, 8388607n, 16777215n],
  [Tp.Long]: [-2147483648n, 2147483647n, 4294967295n],
  [Tp.Longlong]: [-(1n << 63n), (1n << 63n) - 1n, (1n << 64n) - 1n],
  [Tp.Year]: [-(1n << 63n), (1n << 63n) - 1n, (1n << 64n) - 1n],
};

const norm = (b: bigint): Int64 => (b >= -9007199254740991n && b <= 9007199254740991n ? Number(b) : b);

function text(f: Field): string {
  return f.value.toString('utf8');
}

/** big-endian bytes → uint64 */
function bytesToUint(b: Buffer): bigint {
  let v = 0n;
  for (const c of b) v = (v << 8n) | BigInt(c);
  return v;
}

/** Parse integer text like TiDB in an INSERT: trimmed; fraction/exponent rounds half away from zero. */
function parseIntText(s: string, sess: Session): bigint {
  const t = s.trim();
  if (/^[+-]?\d+$/.test(t)) return BigInt(t);
  const d = parseDecimal(t);
  if (d) {
    const r = roundDec(d, 0);
    const v = BigInt(r.int || '0');
    return r.neg ? -v : v;
  }
  if (sess.strict) throw new ConvertError(`Truncated incorrect INTEGER value: '${s}'`);
  const m = /^\s*[+-]?\d+/.exec(s);
  return m ? BigInt(m[0].trim()) : 0n;
}

/** fast path: up to 15 ASCII digits with an optional sign, no spaces → number; else NaN */
function smallIntBytes(b: Buffer): number {
  const n = b.length;
  if (n === 0 || n > 15) return NaN;
  let i = 0;
  let neg = false;
  if (b[0] === 0x2d) { neg = true; i = 1; } else if (b[0] === 0x2b) i = 1;
  if (i === n) return NaN;
  let v = 0;
  for (; i < n; i++) {
    const c = b[i]! - 0x30;
    if (c < 0 || c > 9) return NaN;
    v = v * 10 + c;
  }
  return neg ? -v : v;
}

const NUM_RANGE: Record<number, [number, number, number]> = {
  [Tp.Tiny]: [-128, 127, 255], [Tp.Short]: [-32768, 32767, 65535], [Tp.Int24]: [-8388608, 8388607, 16777215],
  [Tp.Long]: [-2147483648, 2147483647, 4294967295], [Tp.Longlong]: [-Infinity, Infinity, Infinity],
};

function convertInt(f: Field, ft: FieldType, sess: Session): Datum {
  if (f.kind === FieldKind.Str || f.kind === FieldKind.Num) {
    const x = smallIntBytes(f.value);
    if (x === x) { // not NaN
      const r = NUM_RANGE[ft.Tp]!;
      if (isUnsigned(ft)) { if (x >= 0 && x <= r[2]) return { k: K.Uint, v: x === 0 ? 0 : x }; }
      else if (x >= r[0] && x <= r[1]) return { k: K.Int, v: x === 0 ? 0 : x };
    }
  }
  let v: bigint;
  if (f.kind === FieldKind.Bin || f.kind === FieldKind.Bits) v = bytesToUint(f.value);
  else if (f.kind === FieldKind.Word) {
    const w = text(f).toUpperCase();
    if (w === 'TRUE') v = 1n;
    else if (w === 'FALSE') v = 0n;
    else throw new ConvertError(`unexpected keyword ${w}`);
  } else v = parseIntText(text(f), sess);
  const [min, max, umax] = INT_RANGE[ft.Tp]!;
  if (isUnsigned(ft)) {
    if (v < 0n) {
      if (sess.strict) throw new ConvertError(`constant ${v} overflows ${tpLabel(ft)}`);
      v = 0n;
    } else if (v > umax) {
      if (sess.strict) throw new ConvertError(`constant ${v} overflows ${tpLabel(ft)}`);
      v = umax;
    }
    return { k: K.Uint, v: norm(v) };
  }
  if (v < min || v > max) {
    if (sess.strict) throw new ConvertError(`constant ${v} overflows ${tpLabel(ft)}`);
    v = v < min ? min : max;
  }
  return { k: K.Int, v: norm(v) };
}

function tpLabel(ft: FieldType): string {
  const names: Record<number, string> = { 1: 'tinyint', 2: 'smallint', 9: 'mediumint', 3: 'int', 8: 'bigint', 13: 'year' };
  return names[ft.Tp] ?? `type ${ft.Tp}`;
}

function convertFloat(f: Field, ft: FieldType, sess: Session): Datum {
  let v: number;
  if (f.kind === FieldKind.Bin || f.kind === FieldKind.Bits) v = Number(bytesToUint(f.value));
  else {
    const s = text(f).trim();
    v = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s) ? Number(s) : NaN;
    if (Number.isNaN(v)) {
      if (sess.strict) throw new ConvertError(`Truncated incorrect DOUBLE value: '${s}'`);
      v = parseFloat(s) || 0;
    }
  }
  if (!Number.isFinite(v)) throw new ConvertError('value is out of range in float');
  if (ft.Decimal >= 0 && ft.Flen > 0 && ft.Decimal < 31) {
    // types.TruncateFloat: round half to even on f*10^d (float arithmetic, like Go), then range check
    const pow = 10 ** ft.Decimal;
    const tmp = v * pow;
    if (Number.isFinite(tmp)) v = roundHalfEven(tmp) / pow;
    const lim = 10 ** (ft.Flen - ft.Decimal) - 1 / pow;
    if (Math.abs(v) > lim) {
      if (sess.strict) throw new ConvertError('value is out of range');
      v = Math.sign(v) * lim;
    }
  }
  if (ft.Tp === Tp.Float) {
    const r = Math.fround(v);
    if (!Number.isFinite(r)) {
      if (sess.strict) throw new ConvertError('value is out of range in float');
      v = Math.sign(v) * 3.4028234663852886e38;
    } else v = r;
    if (isUnsigned(ft) && v < 0) v = 0;
    return { k: K.Float, v, f32: true };
  }
  if (isUnsigned(ft) && v < 0) {
    if (sess.strict) throw new ConvertError('value is out of range');
    v = 0;
  }
  return { k: K.Float, v };
}

function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export function convertDecimal(f: Field, ft: FieldType, sess: Session): Datum {
  const prec = ft.Flen > 0 ? ft.Flen : 10;
  const frac = ft.Decimal >= 0 ? ft.Decimal : 0;
  let d: Dec | null;
  if (f.kind === FieldKind.Bin || f.kind === FieldKind.Bits) d = parseDecimal(bytesToUint(f.value).toString());
  else d = parseDecimal(text(f));
  if (!d) {
    if (sess.strict) throw new ConvertError(`Incorrect decimal value: '${text(f)}'`);
    d = parseDecimal(/^\s*[+-]?\d*\.?\d*/.exec(text(f))?.[0] || '0') ?? { neg: false, int: '', frac: '' };
  }
  d = roundDec(d, frac);
  if (d.int.length > prec - frac) {
    if (sess.strict) throw new ConvertError(`Out of range value for DECIMAL(${prec},${frac})`);
    d = maxDec(prec, frac, d.neg);
  }
  if (isUnsigned(ft) && d.neg) {
    if (sess.strict) throw new ConvertError('Out of range value for unsigned DECIMAL');
    d = { neg: false, int: '', frac: ''.padEnd(frac, '0') };
  }
  return { k: K.Decimal, v: d, prec, frac };
}

function convertTime(f: Field, ft: FieldType, sess: Session): Datum {
  const fsp = Math.max(ft.Decimal, 0);
  const isDate = ft.Tp === Tp.Date;
  const s = text(f);
  let t: CoreTime;
  try {
    t = parseDatetime(s, fsp, isDate);
    const bad = checkDate(t, sess.allowInvalidDates, sess.ignoreZeroInDate || !sess.noZeroInDate);
    if (bad) throw new TimeParseError(bad);
  } catch (e) {
    if (!(e instanceof TimeParseError)) throw e;
    if (sess.strict) throw new ConvertError(`Incorrect ${isDate ? 'date' : 'datetime'} value: '${s}'`);
    t = ZERO_TIME;
  }
  if (isZeroTime(t) && sess.strict && sess.noZeroDate) throw new ConvertError(`Incorrect ${isDate ? 'date' : 'datetime'} value: '${s}'`);
  if (ft.Tp === Tp.Timestamp && !isZeroTime(t)) {
    const u = localToUTC(t, sess.timeZone);
    const sec = epochSeconds(u);
    if (sec < 1 || sec > 2147483647 || (t.month === 0 || t.day === 0)) {
      if (sess.strict) throw new ConvertError(`Incorrect timestamp value: '${s}'`);
      t = ZERO_TIME;
    } else t = u;
  }
  return { k: K.Time, v: pack(t), tp: ft.Tp, fsp };
}

function convertDuration(f: Field, ft: FieldType, sess: Session): Datum {
  const fsp = Math.max(ft.Decimal, 0);
  const s = text(f);
  try {
    return { k: K.Duration, v: parseDuration(s, fsp), fsp };
  } catch (e) {
    if (!(e instanceof TimeParseError)) throw e;
    if (sess.strict) throw new ConvertError(`Incorrect time value: '${s}'`);
    return { k: K.Duration, v: s.trim().startsWith('-') ? -MAX_DURATION_NS : 0, fsp };
  }
}

function convertYear(f: Field, ft: FieldType, sess: Session): Datum {
  let v: bigint;
  const isStr = f.kind === FieldKind.Str;
  if (f.kind === FieldKind.Bin || f.kind === FieldKind.Bits) v = bytesToUint(f.value);
  else v = parseIntText(text(f), sess);
  if (v === 0n) {
    if (isStr && text(f).trim().length !== 4) v = 2000n; // '0' / '00' as a string means 2000, '0000' is 0
  } else if (v >= 1n && v <= 69n) v += 2000n;
  else if (v >= 70n && v <= 99n) v += 1900n;
  if (v !== 0n && (v < 1901n || v > 2155n)) {
    if (sess.strict) throw new ConvertError(`Out of range value for year: ${text(f)}`);
    v = 0n;
  }
  void ft;
  return { k: K.Int, v: Number(v) };
}

function charLen(b: Buffer, ft: FieldType): number {
  return ft.Charset === 'binary' || ft.Charset === 'ascii' || ft.Charset === 'latin1' ? b.length : runeCount(b);
}

function convertString(f: Field, ft: FieldType, sess: Session): Datum {
  let b: Buffer = f.value;
  const binary = ft.Charset === 'binary';
  if (!binary && ft.Charset === 'utf8') {
    for (let i = 0; i < b.length; i++) {
      if (b[i]! >= 0xf0) {
        if (sess.strict) throw new ConvertError(`Incorrect string value for utf8 column`);
        b = Buffer.from(b.toString('utf8').replace(/[\u{10000}-\u{10FFFF}]/gu, '?'));
        break;
      }
    }
  }
  if (ft.Flen >= 0 && b.length > ft.Flen) { // runes <= bytes: only count when the bytes exceed the limit
    const n = charLen(b, ft);
    if (n > ft.Flen) {
      // CHAR/VARCHAR: trailing spaces beyond the length are not an error (MySQL truncates them silently)
      const cut = binary || ft.Charset === 'ascii' || ft.Charset === 'latin1' ? ft.Flen : runePrefixLen(b, ft.Flen);
      const rest = b.subarray(cut);
      const onlySpaces = !binary && rest.every((c) => c === 0x20);
      if (sess.strict && !onlySpaces) throw new ConvertError(`Data too long (max ${ft.Flen})`);
      b = b.subarray(0, cut);
    }
  }
  if (ft.Tp === Tp.String) {
    if (binary) {
      if (ft.Flen > 0 && b.length < ft.Flen) {
        const p = Buffer.alloc(ft.Flen);
        b.copy(p);
        b = p;
      }
    } else {
      let e = b.length;
      while (e > 0 && b[e - 1] === 0x20) e--;
      if (e !== b.length) b = b.subarray(0, e);
    }
  }
  if (binary) return { k: K.Bytes, v: b };
  return { k: K.String, v: b, coll: ft.Collate };
}

function trimRight(s: string): string {
  return s.replace(/ +$/, '');
}

function elemEqual(a: string, b: string, coll: string): boolean {
  return collationKey(coll, Buffer.from(a)).equals(collationKey(coll, Buffer.from(b)));
}

function convertEnum(f: Field, ft: FieldType, sess: Session): Datum {
  const elems = ft.Elems ?? [];
  if (f.kind === FieldKind.Str || f.kind === FieldKind.Word) {
    const name = trimRight(text(f));
    for (let i = 0; i < elems.length; i++) {
      if (elemEqual(elems[i]!, name, ft.Collate)) return { k: K.Enum, v: i + 1, name: elems[i]! };
    }
  }
  const num = f.kind === FieldKind.Bin || f.kind === FieldKind.Bits ? Number(bytesToUint(f.value)) : Number(text(f).trim());
  if (Number.isInteger(num) && num >= 1 && num <= elems.length) return { k: K.Enum, v: num, name: elems[num - 1]! };
  if (sess.strict) throw new ConvertError(`Data truncated: '${text(f)}' is not a value of the ENUM`);
  return { k: K.Enum, v: 0, name: '' };
}

function convertSet(f: Field, ft: FieldType, sess: Session): Datum {
  const elems = ft.Elems ?? [];
  if (f.kind === FieldKind.Str || f.kind === FieldKind.Word) {
    const s = text(f);
    if (s === '') return { k: K.Set, v: 0, name: '' };
    let mask = 0n;
    let ok = true;
    for (const part of s.split(',')) {
      const p = trimRight(part);
      const i = elems.findIndex((e) => elemEqual(e, p, ft.Collate));
      if (i < 0) { ok = false; break; }
      mask |= 1n << BigInt(i);
    }
    if (ok) return setDatum(mask, elems);
  }
  const t = f.kind === FieldKind.Bin || f.kind === FieldKind.Bits ? bytesToUint(f.value).toString() : text(f).trim();
  if (/^\d+$/.test(t)) {
    const m = BigInt(t);
    if (m < 1n << BigInt(elems.length)) return setDatum(m, elems);
  }
  if (sess.strict) throw new ConvertError(`Data truncated: '${text(f)}' is not a value of the SET`);
  return { k: K.Set, v: 0, name: '' };
}

function setDatum(mask: bigint, elems: string[]): Datum {
  const names = elems.filter((_, i) => (mask >> BigInt(i)) & 1n);
  return { k: K.Set, v: norm(mask), name: names.join(',') };
}

function convertBit(f: Field, ft: FieldType, sess: Session): Datum {
  let v: bigint;
  if (f.kind === FieldKind.Num) v = parseIntText(text(f), sess);
  else v = bytesToUint(f.value.length > 8 && f.value.subarray(0, f.value.length - 8).every((c) => c === 0) ? f.value.subarray(-8) : f.value);
  const flen = ft.Flen > 0 ? ft.Flen : 1;
  if (f.value.length > 8 && !f.value.subarray(0, f.value.length - 8).every((c) => c === 0)) v = 1n << 64n;
  if (v < 0n || v >= 1n << BigInt(flen)) {
    if (sess.strict) throw new ConvertError(`Data too long for BIT(${flen})`);
    v = (1n << BigInt(flen)) - 1n;
  }
  return { k: K.Bit, v: norm(v), len: Math.ceil(flen / 8) };
}

function convertJson(f: Field): Datum {
  try {
    const [tc, bin] = jsonToBinary(text(f));
    return { k: K.Json, typeCode: tc, v: bin };
  } catch (e) {
    if (e instanceof JsonSyntaxError) throw new ConvertError(`Invalid JSON text: ${e.message}`);
    throw e;
  }
}

/** CastValue: one field to the column's datum (NULL passes through; NOT NULL is the caller's check). */
export function convertField(f: Field, ft: FieldType, sess: Session): Datum {
  if (f.kind === FieldKind.Null) return NULL;
  switch (ft.Tp) {
    case Tp.Tiny: case Tp.Short: case Tp.Int24: case Tp.Long: case Tp.Longlong: return convertInt(f, ft, sess);
    case Tp.Float: case Tp.Double: return convertFloat(f, ft, sess);
    case Tp.NewDecimal: case Tp.Decimal: return convertDecimal(f, ft, sess);
    case Tp.Date: case Tp.Datetime: case Tp.Timestamp: case Tp.NewDate: return convertTime(f, ft, sess);
    case Tp.Duration: return convertDuration(f, ft, sess);
    case Tp.Year: return convertYear(f, ft, sess);
    case Tp.Varchar: case Tp.VarString: case Tp.String: case Tp.TinyBlob: case Tp.Blob: case Tp.MediumBlob: case Tp.LongBlob:
      return convertString(f, ft, sess);
    case Tp.Enum: return convertEnum(f, ft, sess);
    case Tp.Set: return convertSet(f, ft, sess);
    case Tp.Bit: return convertBit(f, ft, sess);
    case Tp.JSON: return convertJson(f);
    default: throw new ConvertError(`column type ${ft.Tp} is not supported`);
  }
}

/** vector/test input → Field: string = Str, {hex} = Bin, null = Null */
export function fieldFromInput(v: unknown): Field {
  if (v === null || v === undefined) return { kind: FieldKind.Null, value: Buffer.alloc(0) };
  if (typeof v === 'string') return { kind: FieldKind.Str, value: Buffer.from(v, 'utf8') };
  if (typeof v === 'number' || typeof v === 'bigint') return { kind: FieldKind.Num, value: Buffer.from(String(v)) };
  if (typeof v === 'object' && typeof (v as { hex?: unknown }).hex === 'string') {
    return { kind: FieldKind.Bin, value: Buffer.from((v as { hex: string }).hex, 'hex') };
  }
  throw new ConvertError(`unsupported input ${JSON.stringify(v)}`);
}

export { Flag };
