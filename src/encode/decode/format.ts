// Decoded datums as text: `datumText` gives the bytes a MySQL text-protocol result row carries for the
// column (what `SELECT` returns), `datumLiteral` a readable SQL-literal form for people (describeKv).
import { K, type Datum } from '../datum.js';
import { Flag, Tp, type FieldType } from '../types.js';
import { decToString } from '../codec/decimal.js';
import { formatDuration, formatTime, unpack, utcToLocal } from '../codec/time.js';
import { binaryToJson } from '../codec/json.js';

export interface FormatOptions {
  /** session time zone TIMESTAMP values are shown in (stored as UTC); default UTC */
  timeZone?: string;
}

/** shortest decimal digits that read back as the same float32 */
function float32Digits(f: number): string {
  for (let p = 1; p < 10; p++) {
    const s = f.toPrecision(p);
    if (Math.fround(Number(s)) === f) return Number(s).toString();
  }
  return f.toString();
}

/**
 * TiDB's float display (server/util.go appendFormatFloat): shortest round-trip digits, plain notation for
 * 1e-15 <= |f| < 1e15, else exponent form without '+' ("1e15", "1.5e-16").
 */
export function formatFloat(f: number, f32: boolean): string {
  if (!Number.isFinite(f)) return '0';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  const abs = Math.abs(f);
  const shortest = f32 ? float32Digits(f) : f.toString();
  if (abs >= 1e15 || abs < 1e-15) {
    const [m, e] = Number(shortest).toExponential().split('e');
    return `${m}e${e!.replace('+', '')}`;
  }
  if (!/e/.test(shortest)) return shortest;
  // JS uses exponent form from 1e21 / below 1e-6: expand to plain digits
  const [m, e] = shortest.split('e');
  const exp = Number(e);
  const neg = m!.startsWith('-');
  const digits = m!.replace('-', '').replace('.', '');
  const point = (m!.replace('-', '').indexOf('.') + 1 || m!.replace('-', '').length + 1) - 1 + exp;
  const s = point <= 0 ? '0.' + '0'.repeat(-point) + digits : point >= digits.length ? digits + '0'.repeat(point - digits.length) : digits.slice(0, point) + '.' + digits.slice(point);
  return (neg ? '-' : '') + s;
}

function bitBytes(v: number | bigint, len: number): Buffer {
  const out = Buffer.alloc(Math.max(len, 1));
  let x = BigInt(v);
  for (let i = out.length - 1; i >= 0; i--) { out[i] = Number(x & 0xffn); x >>= 8n; }
  return out;
}

function zerofill(s: string, ft: FieldType): string {
  if ((ft.Flag & Flag.Zerofill) === 0 || ft.Flen <= 0 || s.startsWith('-')) return s;
  return s.padStart(ft.Flen, '0');
}

/** MySQL text-protocol value of a decoded column datum; null for NULL */
export function datumText(d: Datum, ft: FieldType, opts: FormatOptions = {}): Buffer | null {
  switch (d.k) {
    case K.Null: return null;
    case K.String: case K.Bytes: return d.v;
    case K.Bit: return bitBytes(d.v, d.len);
    case K.Json: return Buffer.from(binaryToJson(d.typeCode, d.v));
    default: return Buffer.from(scalarText(d, ft, opts));
  }
}

function scalarText(d: Datum, ft: FieldType, opts: FormatOptions): string {
  switch (d.k) {
    case K.Int: return ft.Tp === Tp.Year ? String(d.v).padStart(4, '0') : zerofill(String(d.v), ft);
    case K.Uint: return zerofill(String(d.v), ft);
    case K.Float: return formatFloat(d.v, d.f32 === true || ft.Tp === Tp.Float);
    case K.Decimal: return decToString(d.v);
    case K.Time: {
      let t = unpack(d.v);
      if (d.tp === Tp.Timestamp && opts.timeZone) t = utcToLocal(t, opts.timeZone);
      return formatTime(t, d.tp === Tp.Date ? 'date' : 'datetime', d.fsp);
    }
    case K.Duration: return formatDuration(d.v, d.fsp);
    case K.Enum: case K.Set: return d.name;
    default: return '';
  }
}

const ESC: Record<string, string> = { '\0': '\\0', '\n': '\\n', '\r': '\\r', '\\': '\\\\', "'": "\\'", '\x1a': '\\Z', '\t': '\\t' };

function quote(s: string): string {
  // eslint-disable-next-line no-control-regex
  return `'${s.replace(/[\0\n\r\\'\x1a\t]/g, (c) => ESC[c]!)}'`;
}

/** printable UTF-8 → quoted string, anything else → 0x hex */
function bytesLiteral(b: Buffer): string {
  const s = b.toString('utf8');
  // eslint-disable-next-line no-control-regex
  if (Buffer.from(s, 'utf8').equals(b) && !/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]/.test(s)) return quote(s);
  return b.length ? `0x${b.toString('hex')}` : "''";
}

/** readable SQL-literal form: NULL, 42, 1.5, 'text', 0xCAFE, b'101', '2024-01-02 03:04:05' */
export function datumLiteral(d: Datum, ft: FieldType | undefined, opts: FormatOptions = {}): string {
  const t = ft ?? { Tp: 0, Flag: 0, Flen: -1, Decimal: -1, Charset: 'binary', Collate: 'binary' };
  switch (d.k) {
    case K.Null: return 'NULL';
    case K.String: case K.Bytes: return bytesLiteral(d.v);
    case K.Bit: return `b'${BigInt(d.v).toString(2)}'`;
    case K.Json: return quote(binaryToJson(d.typeCode, d.v));
    case K.Int: case K.Uint: case K.Float: case K.Decimal: return scalarText(d, t, opts);
    case K.Enum: case K.Set: return `${quote(d.name)} (${d.v})`;
    default: return quote(scalarText(d, t, opts));
  }
}
