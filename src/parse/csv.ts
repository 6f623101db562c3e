// Streaming CSV parser with MySQL LOAD DATA / Go Lightning semantics ([mydumper.csv]): multi-byte separator
// and delimiter, empty terminator = \r|\n|\r\n, escapes (`escaped-by`), `\N` and the `null` list, header,
// trim-last-separator, and the LOAD DATA options Go's parser has but hides from the Lightning TOML
// (starting-by, allow-empty-line, quoted-null-is-text, unescaped-quote; we accept them in [mydumper.csv]).
// A UTF-8 BOM at offset 0 is skipped, as Go does. Same restartable-unit design as the SQL parser (see reader.ts).
import { Codes, SourceError, type Code, type ErrorContext } from '../errors.js';
import { FieldKind, type Row, type RowBatch } from './types.js';
import { SliceField } from './field.js';
import { ChunkReader, DEFAULT_BATCH_BYTES, DEFAULT_BATCH_ROWS, DEFAULT_MAX_ROW_SIZE } from './reader.js';

/** The `[mydumper.csv]` section (Go key names in comments). */
export interface CsvOptions {
  /** `separator`, default ',' */
  separator: string;
  /** `delimiter`, default '"'; '' = no quoting */
  delimiter: string;
  /** `terminator`, default '' = \r, \n or \r\n */
  terminator: string;
  /** `null`, default ['\\N'] */
  null: string[];
  /** `header`, default true */
  header: boolean;
  /** `header-schema-match`, default true: header names become the column list; false: header skipped */
  headerSchemaMatch: boolean;
  /** `not-null`, default false */
  notNull: boolean;
  /** `backslash-escape` (deprecated), default true; used when escapedBy is undefined */
  backslashEscape: boolean;
  /** `escaped-by`, default '\\'; '' = no escapes */
  escapedBy?: string;
  /** `trim-last-separator`, default false: drop an empty last field */
  trimLastSeparator: boolean;
  /** `starting-by` (LOAD DATA LINES STARTING BY), default '': lines without it are skipped, text before it dropped */
  startingBy?: string;
  /** `allow-empty-line`, default false: an empty line is a row of one empty field (LOAD DATA) instead of skipped */
  allowEmptyLine?: boolean;
  /** `quoted-null-is-text`, default true: a quoted field is never NULL (except `\N` with escapes), as MySQL */
  quotedNullIsText?: boolean;
  /** `unescaped-quote`, default false: a delimiter inside a field that does not end it is kept as text */
  unescapedQuote?: boolean;
}

export const DEFAULT_CSV: CsvOptions = {
  separator: ',', delimiter: '"', terminator: '', null: ['\\N'], header: true, headerSchemaMatch: true,
  notNull: false, backslashEscape: true, trimLastSeparator: false, startingBy: '', allowEmptyLine: false,
  quotedNullIsText: true, unescapedQuote: false,
};

export interface CsvParseOptions {
  file: string;
  csv?: Partial<CsvOptions>;
  /** absolute offset of the first input byte (a row boundary); the header is read only at offset 0 */
  startOffset?: number;
  /** columns from the header when resuming past it */
  columns?: string[] | null;
  firstRowNo?: number;
  maxRowSize?: number;
  batchBytes?: number;
  batchRows?: number;
  /** charset conversion of each non-null field (data-character-set); see charset.ts */
  decode?: (value: Buffer, ctx: ErrorContext & { file: string }) => Buffer;
}

const NEED = -1;
const enum Cls { Plain = 0, Sep = 1, Delim = 2, Esc = 3, Nl = 4 }
const WS = new Uint8Array(256);
for (const c of [0x20, 0x09, 0x0b, 0x0c, 0x0d, 0x0a]) WS[c] = 1;
const ESC = new Int16Array(256);
for (let c = 0; c < 256; c++) ESC[c] = c;
ESC[0x30] = 0; ESC[0x62] = 8; ESC[0x6e] = 10; ESC[0x72] = 13; ESC[0x74] = 9; ESC[0x5a] = 26;

/** Fill defaults and validate (Go `CSVConfig.adjust` rules that matter to the parser). */
export function resolveCsvOptions(o: Partial<CsvOptions> = {}): CsvOptions & { escapedBy: string } {
  const r = { ...DEFAULT_CSV, ...o };
  const escapedBy = o.escapedBy ?? (r.backslashEscape ? '\\' : '');
  const bad = (m: string) => new SourceError(Codes.InvalidArgument, `invalid [mydumper.csv] setting: ${m}`, { file: '' });
  if (!r.separator) throw bad('separator must not be empty');
  if (r.delimiter && (r.separator.startsWith(r.delimiter) || r.delimiter.startsWith(r.separator))) {
    throw bad('separator and delimiter must not be prefixes of each other');
  }
  if (Buffer.byteLength(escapedBy) > 1) throw bad('escaped-by must be empty or one character');
  if (escapedBy && (escapedBy === r.separator[0] || escapedBy === r.delimiter[0] || escapedBy === r.terminator[0])) {
    throw bad('escaped-by must differ from separator, delimiter and terminator');
  }
  const sb = r.startingBy ?? '';
  if (sb && (r.terminator ? sb.includes(r.terminator) : /[\r\n]/.test(sb))) throw bad('starting-by must not contain the terminator');
  return { ...r, escapedBy };
}

class CsvParser {
  buf: Buffer = Buffer.alloc(0);
  end = 0;
  eof = false;
  base = 0;
  rowNo: number;
  row: Row | null = null;
  consumed = 0;
  want = ''; wantCode: Code = Codes.Syntax; wantAt = 0;
  private readonly sep: Buffer; private readonly delim: Buffer; private readonly term: Buffer;
  private readonly esc: number; // -1 none
  private readonly cls = new Uint8Array(256);
  private readonly nulls: Buffer[];
  private readonly escNull: boolean; // `\N` (raw) is NULL even when quoted: Go's escapeFlavorMySQLWithNull
  private readonly notNull: boolean;
  private readonly trimLast: boolean;
  private readonly maxRow: number;
  private readonly startBy: Buffer;
  private readonly allowEmpty: boolean;
  private readonly quotedNullText: boolean;
  private readonly unescQuote: boolean;
  private nesc = -3; // cached next escape index (-1 none, -3 unknown)

  constructor(readonly o: CsvParseOptions, c: CsvOptions & { escapedBy: string }) {
    this.rowNo = (o.firstRowNo ?? 1) - 1;
    this.sep = Buffer.from(c.separator); this.delim = Buffer.from(c.delimiter); this.term = Buffer.from(c.terminator);
    this.esc = c.escapedBy ? Buffer.from(c.escapedBy)[0]! : -1;
    this.nulls = c.null.map((s) => Buffer.from(s));
    this.notNull = c.notNull;
    this.escNull = !c.notNull && c.escapedBy !== '' && c.null.includes(c.escapedBy + 'N');
    this.trimLast = c.trimLastSeparator;
    this.maxRow = o.maxRowSize ?? DEFAULT_MAX_ROW_SIZE;
    this.startBy = Buffer.from(c.startingBy ?? '');
    this.allowEmpty = c.allowEmptyLine ?? false;
    this.quotedNullText = c.quotedNullIsText ?? true;
    this.unescQuote = c.unescapedQuote ?? false;
    if (this.term.length) this.cls[this.term[0]!] = Cls.Nl; else { this.cls[0x0a] = Cls.Nl; this.cls[0x0d] = Cls.Nl; }
    if (this.esc >= 0) this.cls[this.esc] = Cls.Esc;
    if (this.delim.length) this.cls[this.delim[0]!] = Cls.Delim;
    this.cls[this.sep[0]!] = Cls.Sep;
    // terminator wins over separator when they share a first byte: checked in order below
    if (this.term.length) this.cls[this.term[0]!] = Cls.Nl;
  }

  setBuf(buf: Buffer, base: number, eof: boolean): void {
    this.buf = buf; this.end = buf.length; this.base = base; this.eof = eof; this.nesc = this.esc < 0 ? -1 : -3;
  }

  err(code: Code, msg: string, at: number, expected?: string): SourceError {
    return new SourceError(code, msg, { file: this.o.file, offset: this.base + at, row: this.rowNo + 1, ...(expected ? { expected } : {}) });
  }

  private need(at: number, what: string, code: Code = Codes.Syntax): number {
    this.want = what; this.wantCode = code; this.wantAt = at;
    return NEED;
  }

  /** 1 = seq at i, 0 = not, NEED = can't tell yet */
  private match(i: number, seq: Buffer): number {
    const b = this.buf, n = seq.length;
    for (let k = 0; k < n; k++) {
      if (i + k >= this.end) return this.eof ? 0 : NEED;
      if (b[i + k] !== seq[k]) return 0;
    }
    return 1;
  }

  /** length of the terminator at i (0 = none, NEED = can't tell) */
  private newline(i: number): number {
    if (this.term.length === 0) { const c = this.buf[i]; return c === 0x0a || c === 0x0d ? 1 : 0; }
    const m = this.match(i, this.term);
    return m === 1 ? this.term.length : m;
  }

  /** Parse one record starting at `from`; returns false at clean EOF. Throws NEED_MORE via return value. */
  record(from: number): number {
    const b = this.buf, end = this.end, cls = this.cls;
    let rec = from;
    const fields: SliceField[] = [];
    let lastRaw = 0;
    let p = rec;
    if (this.startBy.length) {
      const s = this.lineStart(rec);
      if (s < 0) return s === NEED ? NEED : 0;
      rec = this.consumed; p = s;
    }
    for (;;) { // per field
      const fs = p;
      let quoted = false;
      let cs: number, ce: number, hasEsc = false, next: number, last = false;
      const dm = this.delim.length ? (p < end && b[p] === this.delim[0] ? this.match(p, this.delim) : 0) : 0;
      if (dm === NEED) return this.need(rec, 'more input');
      if (dm === 1) {
        quoted = true;
        const dl = this.delim.length, d0 = this.delim[0]!;
        let i = p + dl;
        cs = i;
        for (;;) {
          const qi = b.indexOf(d0, i);
          if (qi < 0) return this.need(fs, 'closing delimiter', Codes.UnclosedQuote);
          let ne = this.nesc;
          if (ne !== -1 && ne < i) ne = this.nesc = b.indexOf(this.esc, i);
          if (ne !== -1 && ne < qi) {
            hasEsc = true;
            if (ne + 1 >= end) return this.need(fs, 'closing delimiter', Codes.UnclosedQuote);
            i = ne + 2;
            continue;
          }
          const m = this.match(qi, this.delim);
          if (m === NEED) return this.need(fs, 'closing delimiter', Codes.UnclosedQuote);
          if (m === 0) { i = qi + 1; continue; }
          const m2 = this.match(qi + dl, this.delim);
          if (m2 === NEED) return this.need(fs, 'closing delimiter', Codes.UnclosedQuote);
          if (m2 === 1) { hasEsc = true; i = qi + 2 * dl; continue; }
          if (this.unescQuote) { // only a delimiter followed by separator, terminator or EOF closes the field
            const ends = this.endsField(qi + dl);
            if (ends === NEED) return this.need(fs, 'closing delimiter', Codes.UnclosedQuote);
            if (ends === 0) { hasEsc = true; i = qi + dl; continue; }
          }
          ce = qi;
          p = qi + dl;
          break;
        }
        // after the closing delimiter: separator, terminator or EOF
        if (p >= end) {
          if (!this.eof) return this.need(rec, 'more input');
          next = p; last = true;
        } else {
          const nl = this.newline(p);
          if (nl === NEED) return this.need(rec, 'more input');
          if (nl > 0) { next = p + nl; last = true; } else {
            const sm = this.match(p, this.sep);
            if (sm === NEED) return this.need(rec, 'more input');
            if (sm === 0) throw this.err(Codes.Syntax, 'content after a closing delimiter: cannot have consecutive fields without separator', p, 'separator or terminator');
            next = p + this.sep.length;
          }
        }
      } else {
        let i = p;
        cs = p;
        for (;;) {
          while (i < end && cls[b[i]!] === Cls.Plain) i++;
          if (i >= end) {
            if (!this.eof) return this.need(rec, 'more input');
            ce = i; next = i; last = true; break;
          }
          const k = cls[b[i]!];
          if (k === Cls.Nl) {
            const nl = this.newline(i);
            if (nl === NEED) return this.need(rec, 'more input');
            if (nl > 0) { ce = i; next = i + nl; last = true; break; }
          }
          if (k === Cls.Nl || k === Cls.Sep) { // separator may share its first byte with the terminator
            const sm = this.match(i, this.sep);
            if (sm === NEED) return this.need(rec, 'more input');
            if (sm === 1) { ce = i; next = i + this.sep.length; break; }
          } else if (k === Cls.Delim) {
            const m = this.match(i, this.delim);
            if (m === NEED) return this.need(rec, 'more input');
            if (m === 1) {
              if (this.unescQuote) { i += this.delim.length; continue; }
              throw this.err(Codes.Syntax, 'delimiter inside an unquoted field: cannot have consecutive fields without separator', i, 'separator or terminator');
            }
          } else if (k === Cls.Esc) {
            if (i + 1 >= end) {
              if (!this.eof) return this.need(rec, 'more input');
              throw this.err(Codes.Syntax, 'no character after the escape character', i);
            }
            hasEsc = true;
            i += 2;
            continue;
          }
          i++;
        }
        // empty or whitespace-only line (no separator seen): skipped, like Go
        if (last && fields.length === 0 && (this.allowEmpty ? cs === ce && next === ce : this.blank(cs, ce))) {
          if (next === ce && this.eof && next >= end) { this.consumed = next; return 0; }
          rec = p = next;
          if (p >= end) {
            if (this.eof) { this.consumed = p; return 0; }
            return this.need(rec, 'more input');
          }
          if (this.startBy.length) {
            const s = this.lineStart(rec);
            if (s < 0) return s === NEED ? NEED : 0;
            rec = this.consumed; p = s;
          }
          continue;
        }
      }
      fields.push(this.field(cs, ce, quoted, hasEsc));
      lastRaw = ce - cs;
      p = next;
      if (last) break;
    }
    // Go drops the last field when its raw content is empty (a raw `\N` is 2 bytes, so it stays)
    if (this.trimLast && fields.length && lastRaw === 0) fields.pop();
    if (p - rec > this.maxRow) {
      throw this.err(Codes.RowTooLarge, `row is larger than the maximum row size ${this.maxRow} bytes`, rec, `a row of at most ${this.maxRow} bytes`);
    }
    this.rowNo++;
    this.row = { fields, offset: this.base + rec, end: this.base + p, rowNo: this.rowNo };
    this.consumed = p;
    return 1;
  }

  /**
   * starting-by: from line start `rec`, skip lines without the prefix (Go drops them whole). Returns the index
   * just past the prefix with this.consumed = the start of its line, NEED, or -2 at clean EOF.
   */
  private lineStart(rec: number): number {
    const b = this.buf, end = this.end, sb = this.startBy;
    for (;;) {
      if (rec >= end) {
        if (this.eof) { this.consumed = rec; return -2; }
        return this.need(rec, 'more input');
      }
      let le: number, tl: number;
      if (this.term.length) { le = b.indexOf(this.term, rec); tl = this.term.length; } else {
        const n = b.indexOf(0x0a, rec), r = b.indexOf(0x0d, rec);
        le = n < 0 ? r : r < 0 ? n : Math.min(n, r); tl = 1;
      }
      if (le < 0 || le >= end) {
        if (!this.eof) return this.need(rec, 'more input');
        le = end; tl = 0;
      }
      const at = b.indexOf(sb, rec);
      if (at >= 0 && at + sb.length <= le) { this.consumed = rec; return at + sb.length; }
      if (le - rec > this.maxRow) {
        throw this.err(Codes.RowTooLarge, `line is larger than the maximum row size ${this.maxRow} bytes`, rec, `a row of at most ${this.maxRow} bytes`);
      }
      rec = le + tl;
    }
  }

  /** unescaped-quote: does a separator, terminator or EOF follow at i (1/0/NEED) */
  private endsField(i: number): number {
    if (i >= this.end) return this.eof ? 1 : NEED;
    const nl = this.newline(i);
    if (nl !== 0) return nl === NEED ? NEED : 1;
    return this.match(i, this.sep);
  }

  private blank(s: number, e: number): boolean {
    for (let i = s; i < e; i++) if (!WS[this.buf[i]!]) return false;
    return true;
  }

  private field(cs: number, ce: number, quoted: boolean, hasEsc: boolean): SliceField {
    const b = this.buf;
    if (hasEsc) {
      if (this.escNull && ce - cs === 2 && b[cs] === this.esc && b[cs + 1] === 0x4e) {
        return new SliceField(FieldKind.Null, b, cs, cs);
      }
      const out = this.unescape(cs, ce, quoted);
      const f = new SliceField(FieldKind.Str, out, 0, out.length);
      if ((!quoted || !this.quotedNullText) && !this.notNull && this.isNull(out, 0, out.length) && !(this.escNull && out.length === 2 && out[0] === this.esc && out[1] === 0x4e)) { f.kind = FieldKind.Null; f.end = 0; }
      return f;
    }
    const f = new SliceField(FieldKind.Str, b, cs, ce);
    if ((!quoted || !this.quotedNullText) && !this.notNull && this.isNull(b, cs, ce)) { f.kind = FieldKind.Null; f.end = cs; }
    return f;
  }

  private isNull(b: Buffer, s: number, e: number): boolean {
    const n = e - s;
    outer: for (const v of this.nulls) {
      if (v.length !== n) continue;
      for (let k = 0; k < n; k++) if (b[s + k] !== v[k]) continue outer;
      return true;
    }
    return false;
  }

  private unescape(s: number, e: number, quoted: boolean): Buffer {
    const b = this.buf, out = Buffer.allocUnsafe(e - s), esc = this.esc, d = this.delim, dl = d.length;
    let o = 0;
    for (let i = s; i < e; i++) {
      const c = b[i]!;
      if (c === esc) { out[o++] = ESC[b[++i]!]!; continue; }
      if (quoted && dl && c === d[0] && this.match(i, d) === 1) { // a doubled (or, with unescaped-quote, lone) delimiter
        d.copy(out, o); o += dl; i += (i + dl < e && this.match(i + dl, d) === 1 ? 2 * dl : dl) - 1; continue;
      }
      out[o++] = c;
    }
    return out.subarray(0, o);
  }
}


/** Column count check against the target table, for whoever maps rows to columns. */
export function checkColumnCount(row: Row, expected: number, ctx: { file: string; table?: string }): void {
  if (row.fields.length !== expected) {
    throw new SourceError(Codes.ColumnCount, `row has ${row.fields.length} columns but ${expected} were expected`,
      { ...ctx, offset: row.offset, row: row.rowNo, expected: `${expected} columns` });
  }
}

/** Parse a CSV stream into batches of rows (all fields Str or Null). */
export async function* parseCsv(input: AsyncIterable<Buffer>, opts: CsvParseOptions): AsyncGenerator<RowBatch> {
  const c = resolveCsvOptions(opts.csv);
  const start = opts.startOffset ?? 0;
  const rd = new ChunkReader(input, start, opts.file, opts.maxRowSize ?? DEFAULT_MAX_ROW_SIZE);
  const p = new CsvParser(opts, c);
  const batchBytes = opts.batchBytes ?? DEFAULT_BATCH_BYTES;
  const batchRows = opts.batchRows ?? DEFAULT_BATCH_ROWS;
  let columns = opts.columns ?? null;
  let header = c.header && start === 0;
  let rows: Row[] = [];
  let batchStart = 0;
  const decode = opts.decode;
  try {
    await rd.fill(0, 1);
    let pos = start === 0 ? await rd.bomLength() : 0;
    p.setBuf(rd.buf, rd.base, rd.eof);
    for (;;) {
      const r = p.record(pos);
      if (r === 1) {
        pos = p.consumed;
        const row = p.row!;
        if (decode) {
          for (const f of row.fields) {
            if (f.kind !== FieldKind.Null) f.value = decode(f.value, { file: opts.file, offset: row.offset, row: row.rowNo });
          }
        }
        if (header) {
          header = false;
          p.rowNo--;
          if (c.headerSchemaMatch) columns = row.fields.map((f) => f.value.toString('utf8').trim().toLowerCase());
          continue;
        }
        if (rows.length === 0) batchStart = row.offset;
        rows.push(row);
        if (rows.length >= batchRows || row.end - batchStart >= batchBytes) {
          yield { rows, columns };
          rows = [];
        }
      } else if (r === 0) {
        break;
      } else {
        if (p.eof) {
          throw p.err(p.wantCode, p.wantCode === Codes.UnclosedQuote ? 'unterminated quoted field at end of file' : 'input ends too early', p.wantAt, p.want);
        }
        await rd.fill(pos, p.rowNo + 1);
        p.setBuf(rd.buf, rd.base, rd.eof);
        pos = 0;
      }
    }
    if (rows.length) yield { rows, columns };
  } finally {
    await rd.close();
  }
}

/**
 * Offset just past the first terminator at or after `from` in buf (strict-format splitting), or -1.
 * With an empty terminator, \r\n counts as one.
 */
export function nextTerminator(buf: Buffer, from: number, terminator: string): number {
  if (terminator) {
    const i = buf.indexOf(terminator, from, 'latin1');
    return i < 0 ? -1 : i + Buffer.byteLength(terminator);
  }
  for (let i = from; i < buf.length; i++) {
    const c = buf[i];
    if (c === 0x0a) return i + 1;
    if (c === 0x0d) return buf[i + 1] === 0x0a ? i + 2 : i + 1 === buf.length ? -1 : i + 1;
  }
  return -1;
}
