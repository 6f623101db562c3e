// Content checksum for the tidb backend: count + (sum mod 2^64 of CRC32(canonical row)). Order-independent,
// and a sum (not XOR) so duplicated rows change it.
//
// Scheme: the target recomputes, by SQL, CRC32(CONCAT_WS(0x1e, IFNULL(CAST(col AS BINARY), 0x1f), ...)) over the
// table — the text the server prints for each stored value. The import side predicts that text from the source
// bytes per column type (integers without leading zeros, DECIMAL padded to its scale, CHAR without trailing
// spaces, BINARY(n) zero-padded, ENUM/SET members as defined, BIT as its number, dates/times in canonical form,
// strings byte for byte). Floats and other types whose printed form cannot be predicted contribute only
// NULL/not-NULL. Where a value's stored form cannot be predicted (e.g. '1e3' into an INT, DEFAULT, NULL into an
// auto-increment column, a column missing from the file) the chunk is marked unverifiable with the reason:
// verification then compares the row count only and says why — it never reports a false mismatch.
import { CRC32_INIT, crc32Byte, crc32Final, crc32Update } from './crc32.js';
import { FieldKind, type Field, type Row } from '../../parse/types.js';
import { appendRaw, ByteBuf, isSlice, quoteIdent } from './values.js';
import type { ColumnInfo } from './columns.js';

const SEP = 0x1e;
const NULL_MARK = 0x1f;
const MOD = 1n << 64n;

/** The columns hashed: every non-generated column, in table order. */
export function hashedColumns(cols: ColumnInfo[]): ColumnInfo[] {
  return cols.filter((c) => !c.generated);
}

/** SQL: `COUNT(*)` and the sum of per-row hashes for a table. */
export function checksumSql(schema: string, table: string, cols: ColumnInfo[]): string {
  const parts = hashedColumns(cols).map((c) => {
    const q = quoteIdent(c.name);
    const e = c.kind === 'opaque' ? `IF(${q} IS NULL, NULL, X'')` : c.kind === 'bit' ? `CAST(${q} + 0 AS BINARY)` : `CAST(${q} AS BINARY)`;
    return `IFNULL(${e}, X'1f')`;
  });
  return `SELECT COUNT(*) AS n, IFNULL(SUM(CRC32(CONCAT_WS(X'1e', ${parts.join(', ')}))), 0) AS s FROM ${quoteIdent(schema)}.${quoteIdent(table)}`;
}

export function addChecksum(a: bigint, b: bigint): bigint {
  return (a + b) % MOD;
}

const INT_RE = /^([+-]?)0*(\d+)$/;
const DEC_RE = /^([+-]?)(\d*)(?:\.(\d*))?$/;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME_RE = /^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})(?:\.(\d*))?$/;
const TIME_RE = /^(-?\d{2,3}:\d{2}:\d{2})(?:\.(\d*))?$/;

function withFrac(head: string, frac: string | undefined, fsp: number): string | null {
  const f = frac ?? '';
  if (f.length > fsp) return null; // the server truncates or rounds depending on mode: not predictable
  return fsp === 0 ? head : `${head}.${f.padEnd(fsp, '0')}`;
}

function canonInt(t: string): string | null {
  const m = INT_RE.exec(t);
  if (!m) return null;
  return m[2] === '0' ? '0' : `${m[1] === '-' ? '-' : ''}${m[2]}`;
}

function canonDec(t: string, scale: number): string | null {
  const m = DEC_RE.exec(t);
  if (!m || (!m[2] && !m[3])) return null;
  const frac = m[3] ?? '';
  if (frac.length > scale) return null;
  const int = m[2]!.replace(/^0+(?=\d)/, '') || '0';
  const body = scale ? `${int}.${frac.padEnd(scale, '0')}` : int;
  return m[1] === '-' && /[1-9]/.test(body) ? `-${body}` : body;
}

/** Already canonical: `0` or an optional `-` then a non-zero digit and digits (not `-0`). */
function plainInt(b: Buffer, start: number, end: number): boolean {
  let i = start;
  if (b[i] === 0x2d) i++;
  if (i >= end) return false;
  if (b[i] === 0x30) return end - start === 1;
  for (; i < end; i++) if (b[i]! < 0x30 || b[i]! > 0x39) return false;
  return true;
}

function bytesToDecimal(b: Buffer): string {
  let v = 0n;
  for (const x of b) v = (v << 8n) | BigInt(x);
  return v.toString();
}

/** Canonical bytes of one value for column c, or a reason string when not predictable. */
function canon(c: ColumnInfo, f: Field, out: ByteBuf): string | null {
  if (f.kind === FieldKind.Null) {
    if (!c.nullable || c.autoIncrement) return `NULL into NOT NULL/auto-increment column ${c.name}`;
    out.byte(NULL_MARK);
    return null;
  }
  if (c.kind === 'opaque') return null; // hashes as '' (not NULL)
  if (f.kind === FieldKind.Str || f.kind === FieldKind.Num) {
    // fast paths without a Buffer view per field: strings byte for byte, plain integers
    if (c.kind === 'bytes' && f.kind === FieldKind.Str) { appendRaw(out, f); return null; }
    if (c.kind === 'int' && isSlice(f) && plainInt(f.src, f.start, f.end) && !(c.autoIncrement && f.end - f.start === 1 && f.src[f.start] === 0x30)) {
      appendRaw(out, f);
      return null;
    }
    // A number into a string column is stored as the server prints the number (1e3 → '1000', 007 → '7').
    if (f.kind === FieldKind.Num && (c.kind === 'bytes' || c.kind === 'char' || c.kind === 'binary')) {
      const v = f.value;
      if (isSlice(f) ? plainInt(f.src, f.start, f.end) : plainInt(v, 0, v.length)) { appendRaw(out, f); return null; }
      return `numeric literal ${v.toString('latin1')} in string column ${c.name}`;
    }
  }
  const v = f.value;
  if (f.kind === FieldKind.Word) {
    const w = v.toString('latin1').toUpperCase();
    if ((c.kind === 'int' || c.kind === 'dec') && (w === 'TRUE' || w === 'FALSE')) {
      const one = w === 'TRUE' ? '1' : '0';
      out.ascii(c.kind === 'dec' && c.scale ? `${one}.${'0'.repeat(c.scale)}` : one);
      return null;
    }
    return `keyword ${w} in column ${c.name}`;
  }
  if (c.kind === 'bit') {
    if (f.kind === FieldKind.Bits || f.kind === FieldKind.Bin || f.kind === FieldKind.Str) { out.ascii(bytesToDecimal(v)); return null; }
    const n = canonInt(v.toString('latin1'));
    if (n === null || n.startsWith('-')) return `value of BIT column ${c.name}`;
    out.ascii(n);
    return null;
  }
  if (f.kind === FieldKind.Bits) return `bit literal in column ${c.name}`;
  if (f.kind === FieldKind.Bin && c.kind !== 'bytes' && c.kind !== 'binary' && c.kind !== 'char') return `hex literal in column ${c.name}`;
  switch (c.kind) {
    case 'bytes': out.bytes(v); return null;
    case 'char': {
      let e = v.length;
      while (e > 0 && v[e - 1] === 0x20) e--;
      for (let i = 0; i < e; i++) out.byte(v[i]!);
      return null;
    }
    case 'binary':
      if (v.length > c.octets) return `value longer than BINARY(${c.octets}) column ${c.name}`;
      out.bytes(v);
      for (let i = v.length; i < c.octets; i++) out.byte(0);
      return null;
    default: break;
  }
  const t = v.toString('latin1');
  let r: string | null = null;
  switch (c.kind) {
    case 'int': r = canonInt(t); if (r === '0' && c.autoIncrement) r = null; break;
    case 'dec': r = canonDec(t, c.scale); break;
    case 'date': r = DATE_RE.test(t) ? t : null; break;
    case 'year': r = /^\d{4}$/.test(t) ? t : null; break;
    case 'datetime': { const m = DATETIME_RE.exec(t); r = m ? withFrac(m[1]!, m[2], c.scale) : null; break; }
    case 'time': { const m = TIME_RE.exec(t); r = m ? withFrac(m[1]!, m[2], c.scale) : null; break; }
    case 'enum': {
      const i = matchMember(c.members, t);
      r = i < 0 ? null : c.members[i]!;
      break;
    }
    case 'set': {
      if (t === '') { r = ''; break; }
      const idx = t.split(',').map((p) => matchMember(c.members, p));
      if (idx.some((i) => i < 0)) break;
      r = [...new Set(idx)].sort((a, b) => a - b).map((i) => c.members[i]!).join(',');
      break;
    }
  }
  if (r === null) return `value '${t.length > 40 ? t.slice(0, 40) + '…' : t}' of column ${c.name} (${c.columnType}) has no predictable stored form`;
  out.ascii(r);
  return null;
}

function matchMember(members: string[], t: string): number {
  const exact = members.indexOf(t);
  if (exact >= 0) return exact;
  const lt = t.toLowerCase();
  return members.findIndex((m) => m.toLowerCase() === lt);
}

/** Accumulates the content checksum of rows as they are written. */
export class RowHasher {
  private readonly hashed: ColumnInfo[];
  private scratch = new ByteBuf(1 << 12);
  /** for each hashed column: its index in the batch's fields (-1 = absent) */
  private map: number[] = [];
  private mapFor: string[] | null | undefined = undefined;
  private absent = '';
  /** the first reason since takeWhy() why some value's stored form cannot be predicted */
  private why = '';

  constructor(cols: ColumnInfo[]) {
    this.hashed = hashedColumns(cols);
  }

  /** Map the hashed columns to the fields of rows with this column list (null = table order). */
  prepare(columns: string[] | null): void {
    if (this.mapFor === columns) return;
    this.mapFor = columns;
    this.absent = '';
    if (columns === null) {
      this.map = this.hashed.map((_, i) => i);
      return;
    }
    const lower = columns.map((x) => x.toLowerCase());
    this.map = this.hashed.map((c) => lower.indexOf(c.name.toLowerCase()));
    const miss = this.hashed.filter((_, i) => this.map[i]! < 0).map((c) => c.name);
    if (miss.length) this.absent = `column(s) ${miss.join(', ')} not in the file (filled by the server)`;
  }

  /** The reason some row hashed since the last call is unverifiable, or ''. */
  takeWhy(): string {
    const w = this.why;
    this.why = '';
    return w;
  }

  /** Hash rows; returns [sum of row hashes (fits a double for <= 2^21 rows), unverifiable reason or ''] */
  hashRows(rows: Row[], columns: string[] | null): [bigint, string] {
    this.prepare(columns);
    this.why = '';
    let sum = 0;
    for (const row of rows) sum += this.hashRow(row.fields, row.rowNo);
    return [BigInt(sum), this.takeWhy()];
  }

  /** CRC32 of one row's canonical text; `fields` are the row's values in the order prepare() was given. */
  hashRow(fields: ArrayLike<Field>, rowNo: number): number {
    if (this.absent && !this.why) this.why = this.absent;
    let crc = CRC32_INIT;
    const out = this.scratch;
    const hashed = this.hashed;
    const map = this.map;
    for (let i = 0; i < hashed.length; i++) {
      if (i) crc = crc32Byte(crc, SEP);
      const fi = map[i]!;
      if (fi < 0) continue;
      const f = fi < fields.length ? fields[fi] : undefined;
      if (!f) { this.why ||= `row has fewer fields than columns`; continue; }
      const c = hashed[i]!;
      // Fast paths straight from the parser's bytes (no view, no copy): strings as they are, CHAR without its
      // trailing spaces, integers already in canonical form. Everything else goes through canon().
      if (isSlice(f) && (f.kind === FieldKind.Str || f.kind === FieldKind.Num)) {
        const k = f.kind === FieldKind.Num ? 'num' : c.kind;
        if (k === 'bytes') { crc = crc32Update(crc, f.src, f.start, f.end); continue; }
        if (k === 'char') {
          let e = f.end;
          while (e > f.start && f.src[e - 1] === 0x20) e--;
          crc = crc32Update(crc, f.src, f.start, e);
          continue;
        }
        if ((k === 'int' || (k === 'num' && c.kind === 'int')) && plainInt(f.src, f.start, f.end) &&
          !(c.autoIncrement && f.end - f.start === 1 && f.src[f.start] === 0x30)) {
          crc = crc32Update(crc, f.src, f.start, f.end);
          continue;
        }
      }
      out.reset();
      const r = canon(c, f, out);
      if (r && !this.why) this.why = `${r} (row ${rowNo})`;
      crc = crc32Update(crc, out.buf, 0, out.len);
    }
    return crc32Final(crc);
  }
}
