// Serialize parser Fields straight from their bytes into a growable Buffer: SQL literals for INSERT/REPLACE,
// or LOAD DATA rows (tab-separated, backslash-escaped). The statement is sent as a latin1 string on a
// `charset: 'binary'` connection, so every byte 0..255 reaches the server unchanged.
import { FieldKind, type Field } from '../../parse/types.js';

const HEX = Buffer.from('0123456789abcdef');

/** Growable byte buffer; `toLatin1()` gives the string mysql2 writes back byte for byte. */
export class ByteBuf {
  buf: Buffer;
  len = 0;
  constructor(initial = 1 << 16) {
    this.buf = Buffer.allocUnsafe(initial);
  }
  ensure(extra: number): void {
    const need = this.len + extra;
    if (need <= this.buf.length) return;
    let n = this.buf.length * 2;
    while (n < need) n *= 2;
    const nb = Buffer.allocUnsafe(n);
    this.buf.copy(nb, 0, 0, this.len);
    this.buf = nb;
  }
  ascii(s: string): void {
    this.ensure(s.length);
    this.len += this.buf.write(s, this.len, 'latin1');
  }
  byte(b: number): void {
    this.ensure(1);
    this.buf[this.len++] = b;
  }
  bytes(b: Buffer): void {
    this.ensure(b.length);
    b.copy(this.buf, this.len);
    this.len += b.length;
  }
  reset(): void {
    this.len = 0;
  }
  view(): Buffer {
    return this.buf.subarray(0, this.len);
  }
  toLatin1(): string {
    return this.buf.toString('latin1', 0, this.len);
  }
}

// SQL string escapes (mysql_real_escape_string's set): 0 means "copy as is".
const SQL_ESC = new Uint8Array(256);
SQL_ESC[0x00] = 0x30; // \0
SQL_ESC[0x27] = 0x27; // \'
SQL_ESC[0x22] = 0x22; // \"
SQL_ESC[0x5c] = 0x5c; // \\
SQL_ESC[0x0a] = 0x6e; // \n
SQL_ESC[0x0d] = 0x72; // \r
SQL_ESC[0x1a] = 0x5a; // \Z

// LOAD DATA (FIELDS TERMINATED BY '\t' ESCAPED BY '\\' LINES TERMINATED BY '\n') escapes.
const TSV_ESC = new Uint8Array(256);
TSV_ESC[0x00] = 0x30;
TSV_ESC[0x5c] = 0x5c;
TSV_ESC[0x09] = 0x74;
TSV_ESC[0x0a] = 0x6e;

/**
 * Copy src[start, end) escaping per `table`. A plain byte loop: Buffer.copy's JS overhead costs more than it saves
 * on the short values rows are made of (measured: ~2x slower on sysbench rows).
 */
function escaped(out: ByteBuf, src: Buffer, start: number, end: number, table: Uint8Array): void {
  out.ensure((end - start) * 2);
  const b = out.buf;
  let o = out.len;
  for (let i = start; i < end; i++) {
    const c = src[i]!;
    const e = table[c]!;
    if (e === 0) b[o++] = c;
    else { b[o++] = 0x5c; b[o++] = e; }
  }
  out.len = o;
}

/** The parser's SliceField exposes (src, start, end): reading them avoids one Buffer view per field. */
interface SliceLike { src: Buffer; start: number; end: number }
export function isSlice(f: Field): f is Field & SliceLike {
  return (f as Partial<SliceLike>).src !== undefined;
}

/** Append a field's bytes unchanged. */
export function appendRaw(out: ByteBuf, f: Field): void {
  let src: Buffer, start: number, end: number;
  if (isSlice(f)) { src = f.src; start = f.start; end = f.end; } else { src = f.value; start = 0; end = src.length; }
  const n = end - start;
  out.ensure(n);
  if (n > 256) { out.len += src.copy(out.buf, out.len, start, end); return; }
  const b = out.buf;
  let o = out.len;
  for (let i = start; i < end; i++) b[o++] = src[i]!;
  out.len = o;
}

/** `'...'` with only `'` doubled: for sql-mode NO_BACKSLASH_ESCAPES (raw \0 and newlines are legal in quotes). */
function quotedNoBackslash(out: ByteBuf, v: Buffer): void {
  out.ensure(v.length * 2 + 2);
  const b = out.buf;
  let o = out.len;
  b[o++] = 0x27;
  for (let i = 0; i < v.length; i++) {
    const c = v[i]!;
    b[o++] = c;
    if (c === 0x27) b[o++] = 0x27;
  }
  b[o++] = 0x27;
  out.len = o;
}

function hexLiteral(out: ByteBuf, v: Buffer): void {
  if (v.length === 0) { out.ascii("X''"); return; }
  out.ensure(2 + v.length * 2);
  const b = out.buf;
  let o = out.len;
  b[o++] = 0x30; b[o++] = 0x78; // 0x
  for (let i = 0; i < v.length; i++) {
    b[o++] = HEX[v[i]! >> 4]!;
    b[o++] = HEX[v[i]! & 15]!;
  }
  out.len = o;
}

function bitLiteral(out: ByteBuf, v: Buffer): void {
  // b'' is not valid SQL: an empty bit literal is the value 0.
  if (v.length === 0) { out.ascii("b'0'"); return; }
  out.ensure(3 + v.length * 8);
  const b = out.buf;
  let o = out.len;
  b[o++] = 0x62; b[o++] = 0x27;
  for (let i = 0; i < v.length; i++) for (let k = 7; k >= 0; k--) b[o++] = (v[i]! >> k) & 1 ? 0x31 : 0x30;
  b[o++] = 0x27;
  out.len = o;
}

/** Append one value as a SQL literal. */
export function appendSqlValue(out: ByteBuf, f: Field, noBackslashEscapes: boolean): void {
  switch (f.kind) {
    case FieldKind.Null: out.ascii('NULL'); return;
    case FieldKind.Num:
    case FieldKind.Word: appendRaw(out, f); return;
    case FieldKind.Bin: hexLiteral(out, f.value); return;
    case FieldKind.Bits: bitLiteral(out, f.value); return;
    default:
      if (noBackslashEscapes) { quotedNoBackslash(out, f.value); return; }
      out.byte(0x27);
      if (isSlice(f)) escaped(out, f.src, f.start, f.end, SQL_ESC);
      else escaped(out, f.value, 0, f.value.length, SQL_ESC);
      out.byte(0x27);
  }
}

/** Append one value in LOAD DATA text form. Only Null/Str/Num/Bin are representable (checked by the caller). */
export function appendTsvValue(out: ByteBuf, f: Field): void {
  if (f.kind === FieldKind.Null) { out.ascii('\\N'); return; }
  if (f.kind === FieldKind.Num) { appendRaw(out, f); return; }
  if (isSlice(f)) escaped(out, f.src, f.start, f.end, TSV_ESC);
  else escaped(out, f.value, 0, f.value.length, TSV_ESC);
}

/** A JS string as the latin1 text whose bytes are its UTF-8 encoding: what a `charset: 'binary'` connection sends. */
export function wire(s: string): string {
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(s) ? s : Buffer.from(s, 'utf8').toString('latin1');
}

/** An identifier in backticks (doubled inside), in wire form: for SQL text only, never for messages. */
export function quoteIdent(name: string): string {
  return '`' + wire(name.replace(/`/g, '``')) + '`';
}

/** `db`.`tbl` as a readable string: the key of checkpoints and progress rows, and the name in messages. */
export function tableKey(schema: string, table: string): string {
  return `\`${schema.replace(/`/g, '``')}\`.\`${table.replace(/`/g, '``')}\``;
}

export function quoteTable(schema: string, table: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(table)}`;
}

/** A string literal for a (small, control) value in a latin1/binary statement. */
export function sqlString(s: string | Buffer): string {
  const out = new ByteBuf(64);
  appendSqlValue(out, { kind: FieldKind.Str, value: typeof s === 'string' ? Buffer.from(s, 'utf8') : s }, false);
  return out.toLatin1();
}
