// Streaming parser for mydumper/dumpling SQL dumps: byte-level, restartable per unit (statement header or
// row), values kept as their exact unescaped bytes. Everything except INSERT/REPLACE is skipped to its `;`.
// sql-mode (see sqlModeFlags): NO_BACKSLASH_ESCAPES makes `\` ordinary in strings; ANSI_QUOTES makes `"..."`
// an identifier (doubled `""`, no escapes), so a double-quoted value is an error, as it is for MySQL.
// Without ANSI_QUOTES, `"..."` is a string in values and accepted as a name in table/column lists (Go does too).
// `decode` converts string values from data-character-set (Go converts only CSV; for SQL this is ours).
import { Codes, SourceError, type Code, type ErrorContext } from '../errors.js';
import { FieldKind, type Row, type RowBatch, type RowDigester } from './types.js';
import { SliceField } from './field.js';
import { ChunkReader, DEFAULT_BATCH_BYTES, DEFAULT_BATCH_ROWS, DEFAULT_MAX_ROW_SIZE } from './reader.js';

export interface SqlParseOptions {
  /** file name for errors */
  file: string;
  /** absolute offset of the first input byte; > 0 means the input starts right after a row's `)` */
  startOffset?: number;
  /** resume: columns of the INSERT being continued (null = table order) */
  columns?: string[] | null;
  /** resume: verb of the INSERT being continued */
  verb?: 'INSERT' | 'REPLACE';
  /** resume: input starts inside a VALUES list (default: startOffset > 0) */
  inValues?: boolean;
  /** rowNo of the first row produced (default 1) */
  firstRowNo?: number;
  /** a row (or skipped statement) larger than this is a RowTooLarge error; Go has no limit (tidb#40400) */
  maxRowSize?: number;
  /** sql-mode NO_BACKSLASH_ESCAPES: `\` is an ordinary character in strings */
  noBackslashEscapes?: boolean;
  /** sql-mode ANSI_QUOTES: `"` quotes identifiers, not strings */
  ansiQuotes?: boolean;
  /** charset conversion of each string value (data-character-set; see charset.ts); hex and _binary values are kept */
  decode?: (value: Buffer, ctx: ErrorContext & { file: string }) => Buffer;
  batchBytes?: number;
  batchRows?: number;
  /** rows go to this digester instead of Row objects; batches then carry its digests (types.ts RowDigester) */
  digester?: RowDigester;
}

const NEED = -1; // ran out of buffered bytes: refill and restart the unit
const enum St { Top, ExpectRow, AfterRow, Done }
const enum Step { Row, Need, Header, Skip, Done }

const BS = 0x5c;
const IS_WS = new Uint8Array(256);
for (const c of [0x20, 0x09, 0x0a, 0x0d, 0x0b, 0x0c]) IS_WS[c] = 1;
const IS_WORD = new Uint8Array(256); // identifier / keyword bytes (non-ASCII allowed in bare identifiers)
for (let c = 0; c < 256; c++) {
  IS_WORD[c] = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c === 0x24 || c >= 0x80 ? 1 : 0;
}
const IS_NUM = new Uint8Array(256);
for (const c of '0123456789.eE+-') IS_NUM[c.charCodeAt(0)] = 1;
const IS_NUM_START = new Uint8Array(256);
for (const c of '0123456789.+-') IS_NUM_START[c.charCodeAt(0)] = 1;
const HEX = new Int8Array(256).fill(-1);
for (let c = 0; c < 16; c++) { HEX['0123456789abcdef'.charCodeAt(c)] = c; HEX['0123456789ABCDEF'.charCodeAt(c)] = c; }
// MySQL string escapes; -1 = keep backslash and char (\% and \_ are LIKE escapes and keep their backslash)
const ESC = new Int16Array(256);
for (let c = 0; c < 256; c++) ESC[c] = c;
ESC[0x30] = 0; ESC[0x62] = 8; ESC[0x6e] = 10; ESC[0x72] = 13; ESC[0x74] = 9; ESC[0x5a] = 26; ESC[0x25] = -1; ESC[0x5f] = -1;

const EMPTY = Buffer.alloc(0);

function upperAscii(buf: Buffer, s: number, e: number): string {
  return buf.toString('latin1', s, e).toUpperCase();
}

class SqlParser {
  buf: Buffer = Buffer.alloc(0);
  end = 0;
  eof = false;
  base = 0;
  st: St;
  columns: string[] | null;
  verb: 'INSERT' | 'REPLACE';
  rowNo: number;
  row: Row | null = null;
  /** cached index of the next backslash at or after the last search start (-1 none, -3 unknown) */
  nbs = -3;
  /** what the failing unit expected, for errors at EOF */
  want = '';
  wantCode: Code = Codes.Syntax;
  wantAt = 0;
  private val: SliceField = SliceField.of(FieldKind.Null);
  /** LOAD DATA compatibility of the last value: 0 no, 1 bare (number, NULL), else its quote byte (see Row.plain) */
  private valPlain = 0;
  /** the last value means what its text says on a binary connection (no N'..' or converting introducer) */
  private valVerbatim = true;
  /** the last unescaped string had an escape LOAD DATA reads differently (\% \_ \N) */
  private oddEscape = false;
  private readonly noBs: boolean;
  private readonly ansi: boolean;
  private readonly digester: RowDigester | undefined;
  /** with a digester: the one object plain numbers, unescaped strings and NULL are handed out in */
  private readonly reuse = SliceField.of(FieldKind.Null);
  /** offsets of the last row parsed */
  rowOffset = 0;
  rowEnd = 0;

  constructor(readonly o: SqlParseOptions) {
    const start = o.startOffset ?? 0;
    this.st = (o.inValues ?? start > 0) ? St.AfterRow : St.Top;
    this.columns = o.columns ?? null;
    this.verb = o.verb ?? 'INSERT';
    this.rowNo = (o.firstRowNo ?? 1) - 1;
    this.noBs = o.noBackslashEscapes ?? false;
    this.ansi = o.ansiQuotes ?? false;
    this.digester = o.digester;
  }

  /** a slice value: a new field, or with a digester the reused one (the digester keeps positions, not objects) */
  private slice(kind: FieldKind, src: Buffer, start: number, end: number): SliceField {
    if (!this.digester) return new SliceField(kind, src, start, end);
    const v = this.reuse;
    v.kind = kind; v.src = src; v.start = start; v.end = end;
    return v;
  }

  setBuf(buf: Buffer, base: number, eof: boolean): void {
    this.buf = buf; this.end = buf.length; this.base = base; this.eof = eof; this.nbs = this.noBs ? -1 : -3;
  }

  err(code: Code, msg: string, at: number, expected?: string): SourceError {
    return new SourceError(code, msg, { file: this.o.file, offset: this.base + at, row: this.rowNo + 1, ...(expected ? { expected } : {}) });
  }

  private need(at: number, what: string, code: Code = Codes.Syntax): number {
    this.want = what; this.wantCode = code; this.wantAt = at;
    return NEED;
  }

  /** skip whitespace and comments; NEED if a comment (or its start) runs past the buffer */
  skipWs(p: number): number {
    const b = this.buf, end = this.end;
    for (;;) {
      while (p < end && IS_WS[b[p]!]) p++;
      if (p >= end) return this.eof ? p : this.need(p, 'more input');
      const c = b[p]!;
      if (c === 0x23 /* # */) {
        const nl = b.indexOf(0x0a, p);
        if (nl < 0) { if (this.eof) return end; return this.need(p, 'end of comment'); }
        p = nl + 1;
      } else if (c === 0x2d /* - */) {
        if (p + 1 >= end) { if (this.eof) return p; return this.need(p, 'more input'); }
        if (b[p + 1] !== 0x2d) return p;
        if (p + 2 < end && !IS_WS[b[p + 2]!]) return p; // `--x` is not a comment in MySQL
        if (p + 2 >= end && !this.eof) return this.need(p, 'more input');
        const nl = b.indexOf(0x0a, p);
        if (nl < 0) { if (this.eof) return end; return this.need(p, 'end of comment'); }
        p = nl + 1;
      } else if (c === 0x2f /* / */) {
        if (p + 1 >= end) { if (this.eof) return p; return this.need(p, 'more input'); }
        if (b[p + 1] !== 0x2a) return p;
        // `/* */` and `/*!40101 ... */` (conditional comments carry only session settings in dumps)
        const close = b.indexOf('*/', p + 2, 'latin1');
        if (close < 0) return this.need(p, "'*/' closing the comment");
        p = close + 2;
      } else return p;
    }
  }

  /** one unit of work */
  step(from: number): Step {
    switch (this.st) {
      case St.Top: return this.top(from);
      case St.ExpectRow: return this.parseRow(from);
      case St.AfterRow: return this.afterRow(from);
      default: return Step.Done;
    }
  }

  private afterRow(from: number): Step {
    const p = this.skipWs(from);
    if (p === NEED) return Step.Need;
    if (p >= this.end) { this.need(p, "',' or ';' after the row"); return Step.Need; }
    const c = this.buf[p]!;
    if (c === 0x2c) { this.st = St.ExpectRow; this.consumed = p + 1; return Step.Skip; }
    if (c === 0x3b) { this.st = St.Top; this.consumed = p + 1; return Step.Skip; }
    throw this.err(Codes.Syntax, `unexpected ${this.show(p)} between rows`, p, "',' or ';' after the row");
  }

  /** bytes of buf consumed by the last successful step */
  consumed = 0;

  private show(p: number): string {
    const s = this.buf.toString('latin1', p, Math.min(this.end, p + 16)).replace(/[^\x20-\x7e]/g, '.');
    return `'${s}'`;
  }

  private top(from: number): Step {
    let p = this.skipWs(from);
    if (p === NEED) return Step.Need;
    if (p >= this.end) { this.st = St.Done; this.consumed = p; return Step.Done; }
    const b = this.buf;
    if (b[p] === 0x3b) { this.consumed = p + 1; return Step.Skip; }
    const ws = p;
    while (p < this.end && IS_WORD[b[p]!]) p++;
    if (p >= this.end && !this.eof) { this.need(ws, 'a statement'); return Step.Need; }
    if (p === ws) throw this.err(Codes.Syntax, `unexpected ${this.show(ws)}`, ws, 'a statement (INSERT, REPLACE, SET, ...)');
    const word = upperAscii(b, ws, p);
    if (word === 'INSERT' || word === 'REPLACE') {
      const r = this.insertHeader(p, word);
      if (r === NEED) return Step.Need;
      this.consumed = r;
      return Step.Header;
    }
    const r = this.skipStatement(p);
    if (r === NEED) return Step.Need;
    this.consumed = r;
    return Step.Skip;
  }

  /** skip a non-INSERT statement up to and including its `;` (quotes and comments respected) */
  private skipStatement(p: number): number {
    const b = this.buf, end = this.end;
    while (p < end) {
      const c = b[p]!;
      if (c === 0x3b) return p + 1;
      if (c === 0x27 || c === 0x22 || c === 0x60) {
        const r = c === 0x60 || (c === 0x22 && this.ansi) ? this.quotedIdent(p, c) : this.string(p, c);
        if (r === NEED) return NEED;
        p = r;
      } else if (c === 0x23 || c === 0x2d || c === 0x2f) {
        const r = this.skipWs(p);
        if (r === NEED) return NEED;
        p = r === p ? p + 1 : r;
      } else p++;
    }
    if (this.eof) return end; // last statement without `;`
    return this.need(p, "';' ending the statement");
  }

  private keyword(p: number, ...words: string[]): [number, string] | number {
    const b = this.buf;
    const s = p;
    while (p < this.end && IS_WORD[b[p]!]) p++;
    if (p >= this.end && !this.eof) return this.need(s, words.join(' or '));
    const w = upperAscii(b, s, p);
    return words.includes(w) ? [p, w] : [s, ''];
  }

  private insertHeader(p: number, verb: string): number {
    const b = this.buf;
    // modifiers
    for (;;) {
      p = this.skipWs(p); if (p === NEED) return NEED;
      const k = this.keyword(p, 'LOW_PRIORITY', 'DELAYED', 'HIGH_PRIORITY', 'IGNORE', 'INTO');
      if (typeof k === 'number') return NEED;
      if (!k[1]) break;
      p = k[0];
      if (k[1] === 'INTO') { p = this.skipWs(p); if (p === NEED) return NEED; break; }
    }
    // table name: ident [. ident]
    for (;;) {
      const r = this.ident(p);
      if (r === NEED) return NEED;
      p = this.skipWs(r); if (p === NEED) return NEED;
      if (p < this.end && b[p] === 0x2e) { p = this.skipWs(p + 1); if (p === NEED) return NEED; continue; }
      break;
    }
    let columns: string[] | null = null;
    if (p < this.end && b[p] === 0x28) {
      columns = [];
      p = this.skipWs(p + 1); if (p === NEED) return NEED;
      for (;;) {
        const s = p;
        const r = this.ident(p);
        if (r === NEED) return NEED;
        columns.push(this.identText(s, r));
        p = this.skipWs(r); if (p === NEED) return NEED;
        if (p >= this.end) return this.need(p, "',' or ')' in the column list");
        if (b[p] === 0x2c) { p = this.skipWs(p + 1); if (p === NEED) return NEED; continue; }
        if (b[p] === 0x29) { p++; break; }
        throw this.err(Codes.Syntax, `unexpected ${this.show(p)} in the column list`, p, "',' or ')'");
      }
      p = this.skipWs(p); if (p === NEED) return NEED;
    }
    const k = this.keyword(p, 'VALUES', 'VALUE');
    if (typeof k === 'number') return NEED;
    if (!k[1]) throw this.err(Codes.Syntax, `unexpected ${this.show(p)} in ${verb} statement`, p, 'VALUES');
    this.columns = columns;
    this.verb = verb as 'INSERT' | 'REPLACE';
    this.st = St.ExpectRow;
    return k[0];
  }

  /** identifier: `quoted` or bare; returns index past it */
  private ident(p: number): number {
    const b = this.buf;
    if (p >= this.end) return this.need(p, 'an identifier');
    if (b[p] === 0x60) return this.quotedIdent(p, 0x60);
    if (b[p] === 0x22) return this.ansi ? this.quotedIdent(p, 0x22) : this.string(p, 0x22);
    const s = p;
    while (p < this.end && IS_WORD[b[p]!]) p++;
    if (p >= this.end && !this.eof) return this.need(s, 'an identifier');
    if (p === s) throw this.err(Codes.Syntax, `unexpected ${this.show(p)}`, p, 'an identifier');
    return p;
  }

  /** `ident` or (ANSI_QUOTES) "ident": doubled quote escapes it, backslash is ordinary */
  private quotedIdent(p: number, qc: number): number {
    const b = this.buf;
    let i = p + 1;
    for (;;) {
      const q = b.indexOf(qc, i);
      if (q < 0 || q + 1 >= this.end && !this.eof) return this.need(p, 'closing quote of the identifier', Codes.UnclosedQuote);
      if (q + 1 < this.end && b[q + 1] === qc) { i = q + 2; continue; }
      return q + 1;
    }
  }

  private identText(s: number, e: number): string {
    const b = this.buf;
    const q = b[s];
    if (q === 0x60) return b.toString('utf8', s + 1, e - 1).replaceAll('``', '`');
    if (q === 0x22 && this.ansi) return b.toString('utf8', s + 1, e - 1).replaceAll('""', '"');
    if (q === 0x22) return this.val.value.toString('utf8');
    return b.toString('utf8', s, e);
  }

  private parseRow(from: number): Step {
    const b = this.buf, end = this.end;
    let p = this.skipWs(from);
    if (p === NEED) return Step.Need;
    if (p >= end) { this.need(p, "'(' starting a row"); return Step.Need; }
    if (b[p] !== 0x28) throw this.err(Codes.Syntax, `unexpected ${this.show(p)}`, p, "'(' starting a row");
    const start = p;
    const d = this.digester;
    const fields: SliceField[] | undefined = d ? undefined : [];
    let n = 0;
    let verbatim = true;
    d?.beginRow(this.columns);
    p++;
    // LOAD DATA compatibility of the whole row: no whitespace/comments inside, one quote byte for all strings
    let plain = 1;
    for (;;) {
      const q = this.skipWs(p);
      if (q === NEED) return Step.Need;
      if (q !== p) { plain = 0; p = q; }
      if (p >= end) { this.need(p, 'a value'); return Step.Need; }
      if (b[p] === 0x29 && n === 0) { p++; plain = 0; break; }
      p = this.value(p);
      if (p === NEED) return Step.Need;
      if (d) d.field(this.val, this.val === this.reuse);
      else fields!.push(this.val);
      n++;
      if (!this.valVerbatim) verbatim = false;
      const vp = this.valPlain;
      if (vp !== 1 && plain !== 0) plain = vp !== 0 && (plain === 1 || plain === vp) ? vp : 0;
      if (p < end && b[p] === 0x2c) { p++; continue; } // fast path: no space after a value
      const r = this.skipWs(p);
      if (r === NEED) return Step.Need;
      if (r !== p) { plain = 0; p = r; }
      if (p >= end) { this.need(p, "',' or ')' after a value"); return Step.Need; }
      const c = b[p];
      if (c === 0x2c) { p++; continue; }
      if (c === 0x29) { p++; break; }
      throw this.err(Codes.Syntax, `unexpected ${this.show(p)} in a row`, p, "',' or ')' after a value");
    }
    const max = this.o.maxRowSize ?? DEFAULT_MAX_ROW_SIZE;
    if (p - start > max) {
      throw this.err(Codes.RowTooLarge, `row is larger than the maximum row size ${max} bytes`, start, `a row of at most ${max} bytes`);
    }
    this.rowNo++;
    this.rowOffset = this.base + start;
    this.rowEnd = this.base + p;
    if (d) d.endRow(b, start, this.rowOffset, this.rowEnd, this.rowNo, plain, verbatim);
    else this.row = { fields: fields!, offset: this.rowOffset, end: this.rowEnd, rowNo: this.rowNo, src: b, srcStart: start, plain };
    this.st = St.AfterRow;
    this.consumed = p;
    return Step.Row;
  }

  /** one value at p (not whitespace); sets this.val and returns the index past it */
  private value(p: number): number {
    const b = this.buf, end = this.end;
    const c = b[p]!;
    this.valVerbatim = true;
    if (c === 0x27 || c === 0x22) {
      if (c === 0x22 && this.ansi) {
        throw this.err(Codes.Syntax, 'double-quoted identifier where a value was expected (sql-mode ANSI_QUOTES)', p, "a value ('string', number, NULL, 0x..)");
      }
      const r = this.string(p, c);
      this.valPlain = this.oddEscape ? 0 : c;
      return r;
    }
    this.valPlain = 0;
    if (c === 0x30 && p + 1 < end && (b[p + 1] === 0x78 || b[p + 1] === 0x58 || b[p + 1] === 0x62 || b[p + 1] === 0x42)) {
      let i = p + 2;
      while (i < end && IS_WORD[b[i]!]) i++;
      if (i >= end && !this.eof) return this.need(p, 'end of the literal');
      const x = b[p + 1] === 0x78 || b[p + 1] === 0x58;
      this.val = SliceField.of(x ? FieldKind.Bin : FieldKind.Bits, x ? this.hex(p + 2, i, p) : this.bits(p + 2, i, p));
      return i;
    }
    if (IS_NUM_START[c]) {
      let i = p + 1;
      while (i < end && IS_NUM[b[i]!]) i++;
      if (i >= end && !this.eof) return this.need(p, 'end of the number');
      this.val = this.slice(FieldKind.Num, b, p, i);
      this.valPlain = 1;
      return i;
    }
    if (IS_WORD[c]) {
      let i = p + 1;
      while (i < end && IS_WORD[b[i]!]) i++;
      if (i >= end && !this.eof) return this.need(p, 'end of the word');
      const len = i - p;
      if (len === 4 && (c | 0x20) === 0x6e && (b[p + 1]! | 0x20) === 0x75 && (b[p + 2]! | 0x20) === 0x6c && (b[p + 3]! | 0x20) === 0x6c) {
        this.val = this.slice(FieldKind.Null, EMPTY, 0, 0);
        // LOAD DATA reads only an upper-case bare NULL as NULL
        this.valPlain = c === 0x4e && b[p + 1] === 0x55 && b[p + 2] === 0x4c && b[p + 3] === 0x4c ? 1 : 0;
        return i;
      }
      const q = i < end ? b[i] : -1;
      if (len === 1 && q === 0x27) {
        const lc = c | 0x20;
        if (lc === 0x78 || lc === 0x62 || lc === 0x6e) { // X'..', b'..', N'..'
          const r = this.string(i, 0x27);
          if (r === NEED) return NEED;
          const v = this.val;
          if (lc === 0x78) this.val = SliceField.of(FieldKind.Bin, this.hex(v.start, v.end, p, v.src, true));
          else if (lc === 0x62) this.val = SliceField.of(FieldKind.Bits, this.bits(v.start, v.end, p, v.src));
          this.valPlain = 0;
          this.valVerbatim = lc !== 0x6e; // N'..' is converted from utf8 by the server; the value is its bytes
          return r;
        }
      }
      if (c === 0x5f) { // charset introducer: _binary '..', _utf8mb4 0x.., ...
        const intro = upperAscii(b, p, i);
        let r = this.skipWs(i);
        if (r === NEED) return NEED;
        if (r >= end) return this.need(p, 'a literal after the introducer');
        r = this.value(r);
        if (r === NEED) return NEED;
        const v = this.val = new SliceField(this.val.kind, this.val.src, this.val.start, this.val.end);
        if (v.kind === FieldKind.Null || v.kind === FieldKind.Num || v.kind === FieldKind.Word) {
          throw this.err(Codes.Syntax, `charset introducer ${intro} before a non-string literal`, p, 'a string or hex literal');
        }
        if (intro === '_BINARY' && v.kind === FieldKind.Str) v.kind = FieldKind.Bin;
        this.valPlain = 0;
        this.valVerbatim = intro === '_BINARY'; // other introducers convert on the server; the value is its bytes
        return r;
      }
      this.val = new SliceField(FieldKind.Word, b, p, i);
      return i;
    }
    throw this.err(Codes.Syntax, `unexpected ${this.show(p)}`, p, 'a value');
  }

  private hex(s: number, e: number, at: number, src: Buffer = this.buf, strict = false): Buffer {
    let n = e - s;
    if (strict && n % 2) throw this.err(Codes.Syntax, 'hex literal X\'..\' must have an even number of digits', at);
    const out = Buffer.allocUnsafe((n + 1) >> 1);
    let o = 0, i = s;
    if (n % 2) { // MySQL pads 0xABC on the left
      const v = HEX[src[i]!]!;
      if (v < 0) throw this.err(Codes.Syntax, 'invalid hex literal', at);
      out[o++] = v; i++; n--;
    }
    for (; i < e; i += 2) {
      const h = HEX[src[i]!]!, l = HEX[src[i + 1]!]!;
      if (h < 0 || l < 0) throw this.err(Codes.Syntax, 'invalid hex literal', at);
      out[o++] = (h << 4) | l;
    }
    return out;
  }

  private bits(s: number, e: number, at: number, src: Buffer = this.buf): Buffer {
    const n = e - s;
    const out = Buffer.alloc((n + 7) >> 3);
    let bit = out.length * 8 - n; // big-endian, left-padded
    for (let i = s; i < e; i++, bit++) {
      const d = src[i]!;
      if (d !== 0x30 && d !== 0x31) throw this.err(Codes.Syntax, 'invalid bit literal', at);
      if (d === 0x31) out[bit >> 3]! |= 0x80 >> (bit & 7);
    }
    return out;
  }

  /** quoted string at p (quote q); sets this.val.value to the unescaped bytes, returns the index past it */
  private string(p: number, q: number): number {
    const b = this.buf, end = this.end;
    let i = p + 1;
    let escaped = false;
    let close: number;
    for (;;) {
      const qi = b.indexOf(q, i);
      if (qi < 0) return this.need(p, 'closing quote', Codes.UnclosedQuote);
      let nbs = this.nbs;
      if (nbs !== -1 && nbs < i) nbs = this.nbs = b.indexOf(BS, i);
      if (nbs !== -1 && nbs < qi) {
        escaped = true;
        if (nbs + 1 >= end) return this.need(p, 'closing quote', Codes.UnclosedQuote);
        i = nbs + 2;
        continue;
      }
      if (qi + 1 >= end) {
        if (!this.eof) return this.need(p, 'closing quote', Codes.UnclosedQuote);
      } else if (b[qi + 1] === q) {
        escaped = true; i = qi + 2; continue;
      }
      close = qi;
      break;
    }
    this.oddEscape = false;
    this.val = escaped ? SliceField.of(FieldKind.Str, this.unescape(p + 1, close, q)) : this.slice(FieldKind.Str, b, p + 1, close);
    return close + 1;
  }

  private unescape(s: number, e: number, q: number): Buffer {
    const b = this.buf;
    const out = Buffer.allocUnsafe(e - s);
    let o = 0;
    const bs = !this.noBs;
    for (let i = s; i < e; i++) {
      const c = b[i]!;
      if (c === BS && bs) {
        const n = b[++i]!;
        const x = ESC[n]!;
        if (x < 0 || n === 0x4e) this.oddEscape = true;
        if (x < 0) { out[o++] = BS; out[o++] = n; } else out[o++] = x;
      } else if (c === q) { out[o++] = q; i++; } else out[o++] = c;
    }
    return out.subarray(0, o);
  }
}

/** Parse a SQL dump stream into batches of rows. */
export async function* parseSql(input: AsyncIterable<Buffer>, opts: SqlParseOptions): AsyncGenerator<RowBatch> {
  const maxRow = opts.maxRowSize ?? DEFAULT_MAX_ROW_SIZE;
  const rd = new ChunkReader(input, opts.startOffset ?? 0, opts.file, maxRow);
  const p = new SqlParser(opts);
  const batchBytes = opts.batchBytes ?? opts.digester?.batchBytes ?? DEFAULT_BATCH_BYTES;
  const batchRows = opts.batchRows ?? opts.digester?.batchRows ?? DEFAULT_BATCH_ROWS;
  let rows: Row[] = [];
  let batchStart = 0;
  let cols = p.columns, verb = p.verb;
  const decode = opts.decode;
  try {
    await rd.fill(0, 1);
    let pos = (opts.startOffset ?? 0) === 0 ? await rd.bomLength() : 0; // consumed prefix of p.buf; the next unit starts here
    p.setBuf(rd.buf, rd.base, rd.eof);
    const dg = opts.digester;
    let digested = 0;
    const flush = (): RowBatch => {
      digested = 0;
      return { rows: [], digest: dg!.take(), columns: cols, verb };
    };
    for (;;) {
      const s = p.step(pos);
      if (s === Step.Row && dg) {
        if (digested++ === 0) batchStart = p.rowOffset;
        pos = p.consumed;
        if (digested >= batchRows || p.rowEnd - batchStart >= batchBytes) yield flush();
      } else if (s === Step.Row) {
        const row = p.row!;
        if (decode) {
          for (const f of row.fields) {
            if (f.kind !== FieldKind.Str) continue;
            const v = f.value;
            const d = decode(v, { file: opts.file, offset: row.offset, row: row.rowNo });
            if (d !== v) { f.value = d; row.plain = 0; } // converted: the row text no longer holds the values
          }
        }
        if (rows.length === 0) batchStart = row.offset;
        rows.push(row);
        pos = p.consumed;
        if (rows.length >= batchRows || row.end - batchStart >= batchBytes) {
          yield { rows, columns: cols, verb };
          rows = [];
        }
      } else if (s === Step.Header) {
        pos = p.consumed;
        if (rows.length && (p.verb !== verb || !sameCols(p.columns, cols))) {
          yield { rows, columns: cols, verb };
          rows = [];
        }
        if (digested && (p.verb !== verb || !sameCols(p.columns, cols))) yield flush();
        cols = p.columns; verb = p.verb;
      } else if (s === Step.Skip) {
        pos = p.consumed;
      } else if (s === Step.Done) {
        break;
      } else {
        if (p.eof) {
          throw p.err(p.wantCode, p.wantCode === Codes.UnclosedQuote ? 'unclosed quote at end of file' : 'input ends too early',
            p.wantAt, p.want);
        }
        await rd.fill(pos, p.rowNo + 1);
        p.setBuf(rd.buf, rd.base, rd.eof);
        pos = 0;
      }
    }
    if (rows.length) yield { rows, columns: cols, verb };
    if (digested) yield flush();
  } finally {
    await rd.close();
  }
}

function sameCols(a: string[] | null, b: string[] | null): boolean {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  return a.every((x, i) => x === b[i]);
}
