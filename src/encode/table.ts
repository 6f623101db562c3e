// One parsed row → TiDB KV pairs: the record (row v2 value) and one entry per public index, exactly as
// TiDB's AddRecord + index.Create produce them (encoding.md §6.3, §7). Conversion errors become
// LightningError(Codes.EncodeKV) naming the table, column and value.
import { LightningError, Codes } from '../errors.js';
import { FieldKind, type Field } from '../parse/types.js';
import { Writer } from './codec/writer.js';
import type { Int64 } from './codec/number.js';
import { K, NULL, encodeKeyDatum, type Datum } from './datum.js';
import { Flag, Tp, isIntTp, isBlobTp, type FieldType } from './types.js';
import { makeSession, type Session } from './session.js';
import { convertField, ConvertError } from './convert.js';
import { RowV2Encoder, encodeRowV1 } from './rowv2.js';
import { writeRecordKey, writeIndexPrefix, writeHandleSuffix, writeIntHandleValue, type Handle } from './tablecodec.js';
import { isBinCollation } from './collation/index.js';
import { runeCount, runePrefixLen } from './collation/utf8.js';
import { hasFlag, primaryIndex, type ColumnInfo, type IndexInfo, type TableInfo } from './schema/model.js';
import { choosePartition } from './partition.js';
import { FastConverter } from './fast-convert.js';

export interface KVPair { key: Buffer; val: Buffer }

/**
 * Where encoded pairs go. For each pair the encoder takes `writer(isIndex)`, leaves `headerBytes` for the
 * sink's own framing, appends the key and then the value, and calls `pair(isIndex, start, keyEnd)`: the key
 * is buf[start + headerBytes, keyEnd), the value buf[keyEnd, writer.pos). Writing straight into the sink's
 * buffer saves a copy of every pair (KV batches), see CollectSink for the simple form.
 */
export interface KVSink {
  readonly headerBytes: number;
  writer(isIndex: boolean): Writer;
  pair(isIndex: boolean, start: number, keyEnd: number): void;
}

/** KVSink that collects copied pairs (tests, vectors, one-off rows) */
export class CollectSink implements KVSink {
  readonly headerBytes = 0;
  readonly pairs: (KVPair & { isIndex: boolean })[] = [];
  private readonly w = new Writer(1024);
  writer(): Writer {
    return this.w.reset();
  }
  pair(isIndex: boolean, start: number, keyEnd: number): void {
    const b = this.w.buf;
    this.pairs.push({ isIndex, key: Buffer.from(b.subarray(start, keyEnd)), val: Buffer.from(b.subarray(keyEnd, this.w.pos)) });
  }
}

export interface TableEncoderOptions {
  sqlMode?: string;
  timeZone?: string;
  rowFormatVersion?: 1 | 2;
  /**
   * What CURRENT_TIMESTAMP/NOW() defaults evaluate to, ms since the epoch (Go sets the encoder session's
   * `timestamp` the same way, so a re-encoded chunk gives the same KVs). Default: when the encoder is made.
   */
  timestamp?: number;
}

/** DEFAULT CURRENT_TIMESTAMP and its synonyms, with an optional fractional-second precision */
const NOW_EXPR = /^(?:CURRENT_TIMESTAMP|NOW|LOCALTIME|LOCALTIMESTAMP)\s*(?:\(\s*(\d?)\s*\))?$/i;

/** `ms` as 'YYYY-MM-DD HH:MM:SS[.ffffff]' in a session time zone ('UTC', 'SYSTEM', '+08:00', or an IANA name). */
export function timestampText(ms: number, timeZone: string, fsp: number): string {
  let shifted = ms;
  const off = /^([+-])(\d{1,2}):(\d{2})$/.exec(timeZone);
  if (off) shifted += (off[1] === '-' ? -1 : 1) * (Number(off[2]) * 60 + Number(off[3])) * 60_000;
  else if (timeZone.toUpperCase() === 'SYSTEM') shifted -= new Date(ms).getTimezoneOffset() * 60_000;
  else if (timeZone.toUpperCase() !== 'UTC') {
    const p = Object.fromEntries(new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
    shifted = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second), ms % 1000);
  }
  const s = new Date(shifted).toISOString().replace('T', ' ').slice(0, 19);
  return fsp > 0 ? `${s}.${String(((shifted % 1000) + 1000) % 1000).padStart(3, '0').padEnd(6, '0').slice(0, fsp)}` : s;
}

const STATE_PUBLIC = 5;

/** types.NeedRestoredData with new collations on */
export function needRestoredData(ft: FieldType): boolean {
  const isStr = ft.Tp === Tp.String || ft.Tp === Tp.Varchar || ft.Tp === Tp.VarString || isBlobTp(ft.Tp);
  if (!isStr || ft.Collate === 'binary') return false;
  const isVarchar = ft.Tp === Tp.Varchar || ft.Tp === Tp.VarString;
  return !(isBinCollation(ft.Collate) && !isVarchar);
}

/** tablecodec.TruncateIndexValue: prefix length in bytes for binary/ascii, runes otherwise */
export function truncateIndexValue(d: Datum, length: number, col: ColumnInfo): Datum {
  if (length < 0 || (d.k !== K.String && d.k !== K.Bytes)) return d;
  const cs = col.type.Charset;
  if (cs === 'binary' || cs === 'ascii') {
    return d.v.length > length ? { ...d, v: d.v.subarray(0, length) } : d;
  }
  if (runeCount(d.v) > length) return { ...d, v: d.v.subarray(0, runePrefixLen(d.v, length)) };
  return d;
}

function tailSpaceCount(b: Buffer): number {
  let n = 0;
  for (let i = b.length - 1; i >= 0 && b[i] === 0x20; i--) n++;
  return n;
}

interface PreparedIndex {
  info: IndexInfo;
  cols: ColumnInfo[];
  colIds: number[];
  lengths: number[];
  needRestore: boolean;
  /** scratch: the row's (truncated) datums for this index */
  vals: Datum[];
}

export class TableEncoder {
  readonly table: TableInfo;
  readonly session: Session;
  private readonly rowFormat: 1 | 2;
  private readonly cols: ColumnInfo[];
  private readonly indexes: PreparedIndex[];
  private readonly pkIdx: IndexInfo | undefined;
  private readonly handleCol: ColumnInfo | undefined;
  private readonly autoIncCol: ColumnInfo | undefined;
  /** per column offset: may the record value skip it (int handle / clustered non-restored PK column) */
  private readonly skipInRow: boolean[];
  private readonly defaults: Datum[] = [];
  private readonly timestamp: number;
  private readonly kw = new Writer(256);
  private readonly rowEnc = new RowV2Encoder();
  private readonly datums: Datum[] = [];
  private readonly ids: number[] = [];
  private readonly vals: Datum[] = [];
  /** per public column (this.cols order): left out of the row value when NULL (no default, no origin default) */
  private readonly omitNull: boolean[];
  /** per public column: virtual generated, never stored */
  private readonly virtual: boolean[];
  /** columns the current row gave a value for (colMap rows): generation marks, no per-row allocation */
  private readonly givenMark: Uint32Array;
  private givenGen = 0;
  private readonly intHandle: { int: Int64 } = { int: 0 };
  /** per column offset: fast conversion of plain values (null when the column has none) */
  private readonly fast: (FastConverter | null)[];
  /** where errors happen: set by the caller (file, row) and copied into every error's context */
  readonly where: { file?: string; row?: number; offset?: number } = {};

  constructor(table: TableInfo, opts: TableEncoderOptions = {}) {
    this.table = table;
    this.session = makeSession(opts.sqlMode, opts.timeZone ?? 'UTC');
    this.timestamp = opts.timestamp ?? Date.now();
    this.rowFormat = opts.rowFormatVersion ?? 2;
    this.cols = table.cols.filter((c) => (c.state ?? STATE_PUBLIC) === STATE_PUBLIC).sort((a, b) => a.offset - b.offset);
    this.pkIdx = primaryIndex(table);
    this.handleCol = table.pk_is_handle ? this.cols.find((c) => hasFlag(c, Flag.PriKey) && isIntTp(c.type.Tp)) : undefined;
    this.autoIncCol = this.cols.find((c) => hasFlag(c, Flag.AutoIncrement));
    this.skipInRow = table.cols.map(() => false);
    if (this.handleCol) this.skipInRow[this.handleCol.offset] = true;
    if (table.is_common_handle && this.pkIdx) {
      for (const ic of this.pkIdx.idx_cols) {
        const col = table.cols[ic.offset]!;
        this.skipInRow[ic.offset] = ic.length < 0 && !needRestoredData(col.type);
      }
    }
    this.indexes = table.index_info
      .filter((i) => (i.state ?? STATE_PUBLIC) === STATE_PUBLIC)
      .filter((i) => !(i.is_primary && (table.is_common_handle || table.pk_is_handle)))
      .map((info) => {
        const cols = info.idx_cols.map((c) => table.cols[c.offset]!);
        return {
          info, cols, colIds: cols.map((c) => c.id), lengths: info.idx_cols.map((c) => c.length ?? -1),
          needRestore: cols.some((c) => needRestoredData(c.type)), vals: new Array<Datum>(cols.length).fill(NULL),
        };
      });
    this.omitNull = this.cols.map((c) => (c.default === null || c.default === undefined) && (c.origin_default === null || c.origin_default === undefined));
    this.virtual = this.cols.map((c) => Boolean(c.generated_expr_string) && !c.generated_stored);
    this.givenMark = new Uint32Array(table.cols.length);
    this.fast = table.cols.map((c) => { const f = new FastConverter(c.type); return f.enabled ? f : null; });
    for (const c of table.cols) {
      if (c.generated_expr_string && c.generated_stored) {
        throw new LightningError(Codes.NotImplemented, `generated stored column ${c.name.O} is not supported by the encoder`, { context: { table: table.name.O } });
      }
    }
  }

  /** value of column c when the row does not give one (or gives DEFAULT) */
  private defaultDatum(c: ColumnInfo, rowID: Int64): Datum {
    if (c === this.autoIncCol) return { k: isUnsignedCol(c) ? K.Uint : K.Int, v: rowID };
    const cached = this.defaults[c.offset];
    if (cached) return cached;
    let d: Datum;
    if (c.default !== null && c.default !== undefined) {
      const now = c.default_is_expr ? NOW_EXPR.exec(c.default.trim()) : null;
      if (now) {
        const fsp = Number(now[1] || 0);
        d = this.convert(c, { kind: FieldKind.Str, value: Buffer.from(timestampText(this.timestamp, this.session.timeZone, fsp)) });
        this.defaults[c.offset] = d;
        return d;
      }
      if (c.default_is_expr) throw this.err(c, c.default, 'default value expressions other than CURRENT_TIMESTAMP are not supported');
      d = this.convert(c, { kind: c.type.Tp === Tp.Bit ? FieldKind.Bin : FieldKind.Str, value: c.type.Tp === Tp.Bit ? bitDefault(c.default) : Buffer.from(c.default) });
    } else if (hasFlag(c, Flag.NotNull)) {
      if (this.session.strict) throw this.err(c, undefined, `Field '${c.name.O}' doesn't have a default value`);
      d = zeroDatum(c.type);
    } else d = NULL;
    this.defaults[c.offset] = d;
    return d;
  }

  private err(c: ColumnInfo, value: string | undefined, msg: string, cause?: unknown): LightningError {
    const shown = value === undefined ? '' : ` value ${JSON.stringify(value.length > 64 ? value.slice(0, 64) + '…' : value)}`;
    return new LightningError(Codes.EncodeKV, `column ${c.name.O}${shown}: ${msg}`, {
      cause, context: { table: this.table.name.O, ...this.where, column_name: c.name.O },
    });
  }

  private convert(c: ColumnInfo, f: Field): Datum {
    try {
      return convertField(f, c.type, this.session);
    } catch (e) {
      if (e instanceof ConvertError) throw this.err(c, f.value.toString(f.kind === FieldKind.Bin ? 'hex' : 'utf8'), e.message, e);
      throw e;
    }
  }

  /**
   * Encode one row. `fields` are in table column order unless `colMap` maps field i → column offset.
   * `rowID` is the chunk-allocated row id: the _tidb_rowid, or the AUTO_INCREMENT value for a NULL/missing
   * auto-increment column.
   */
  encodeRowTo(sink: KVSink, fields: Field[], rowID: Int64, colMap?: readonly number[] | null): void {
    const t = this.table;
    const datums = this.datums;
    const cols = this.cols;
    const ncols = cols.length;
    if (!colMap && fields.length > ncols) {
      throw new LightningError(Codes.ColumnCount, `row has ${fields.length} fields but table ${t.name.O} has ${ncols} columns`, { context: { table: t.name.O, ...this.where } });
    }
    const gen = colMap ? this.nextGen() : 0;
    const mark = this.givenMark;
    for (let i = 0; i < fields.length; i++) {
      const off = colMap ? colMap[i]! : cols[i]!.offset;
      if (off < 0) continue; // ignored column
      if (colMap) mark[off] = gen;
      const c = t.cols[off]!;
      const f = fields[i]!;
      let d: Datum;
      if (f.kind === FieldKind.Null) {
        if (c === this.autoIncCol) d = this.defaultDatum(c, rowID);
        else if (hasFlag(c, Flag.NotNull)) {
          if (this.session.strict) throw this.err(c, undefined, `Column '${c.name.O}' cannot be null`);
          d = zeroDatum(c.type);
        } else d = NULL;
      } else if (f.kind === FieldKind.Word && f.value.toString().toUpperCase() === 'DEFAULT') d = this.defaultDatum(c, rowID);
      else {
        const fast = this.fast[off];
        d = (fast && fast.convert(f)) || this.convert(c, f);
      }
      datums[off] = d;
    }
    if (colMap) {
      for (let i = 0; i < ncols; i++) { const c = cols[i]!; if (mark[c.offset] !== gen) datums[c.offset] = this.defaultDatum(c, rowID); }
    } else {
      for (let i = fields.length; i < ncols; i++) datums[cols[i]!.offset] = this.defaultDatum(cols[i]!, rowID);
    }

    // handle
    let handle: Handle;
    if (this.handleCol) {
      const d = datums[this.handleCol.offset]!;
      if (d.k !== K.Int && d.k !== K.Uint) throw this.err(this.handleCol, undefined, 'integer primary key is NULL');
      this.intHandle.int = d.k === K.Uint && typeof d.v === 'bigint' ? BigInt.asIntN(64, d.v) : d.v;
      handle = this.intHandle;
    } else if (t.is_common_handle && this.pkIdx) {
      const kw = this.kw.reset();
      for (const ic of this.pkIdx.idx_cols) encodeKeyDatum(kw, truncateIndexValue(datums[ic.offset]!, ic.length, t.cols[ic.offset]!));
      handle = { common: kw.take() };
    } else {
      this.intHandle.int = rowID;
      handle = this.intHandle;
    }

    const physID = t.partition ? choosePartition(t, datums) : t.id;

    // record
    // scratch arrays keep their length (setting .length is a runtime call): nvals counts the used part
    const ids = this.ids;
    const vals = this.vals;
    let nvals = 0;
    const skip = this.skipInRow, omitNull = this.omitNull, virtual = this.virtual;
    for (let i = 0; i < ncols; i++) {
      const c = cols[i]!;
      if (skip[c.offset]) continue;
      const d = datums[c.offset]!;
      if ((d.k === K.Null && omitNull[i]) || virtual[i]) continue;
      ids[nvals] = c.id;
      vals[nvals++] = d;
    }
    const w = sink.writer(false);
    const start = w.pos;
    w.skip(sink.headerBytes);
    writeRecordKey(w, physID, handle);
    const keyEnd = w.pos;
    if (this.rowFormat === 2) this.rowEnc.encode(w, ids, vals, nvals);
    else w.bytes(encodeRowV1(ids.slice(0, nvals), vals.slice(0, nvals)));
    sink.pair(false, start, keyEnd);

    const indexes = this.indexes;
    for (let i = 0; i < indexes.length; i++) this.encodeIndex(sink, indexes[i]!, datums, handle, physID);
  }

  private nextGen(): number {
    if (++this.givenGen === 0xffffffff) { this.givenMark.fill(0); this.givenGen = 1; }
    return this.givenGen;
  }

  private encodeIndex(sink: KVSink, ix: PreparedIndex, datums: Datum[], handle: Handle, physID: number): void {
    const t = this.table;
    const n = ix.cols.length;
    const vals = ix.vals;
    let distinct = ix.info.is_unique;
    for (let i = 0; i < n; i++) {
      const d = datums[ix.cols[i]!.offset]!;
      if (d.k === K.Null) distinct = false;
      vals[i] = truncateIndexValue(d, ix.lengths[i]!, ix.cols[i]!);
    }
    const w = sink.writer(true);
    const start = w.pos;
    w.skip(sink.headerBytes);
    writeIndexPrefix(w, physID, ix.info.id);
    for (let i = 0; i < n; i++) encodeKeyDatum(w, vals[i]!);
    if (!distinct) writeHandleSuffix(w, handle);
    const keyEnd = w.pos;

    if (t.is_common_handle && (t.common_handle_version ?? 0) === 1) {
      // GenIndexValueForClusteredIndexVersion1
      w.u8(0);
      w.u8(0x7d);
      w.u8(1);
      if (distinct && 'common' in handle) { w.u8(0x7f); w.u16be(handle.common.length); w.bytes(handle.common); }
      const rids: number[] = [];
      const rvals: Datum[] = [];
      let pkRestore = false;
      if (this.pkIdx) for (const ic of this.pkIdx.idx_cols) if (needRestoredData(t.cols[ic.offset]!.type)) pkRestore = true;
      if (ix.needRestore || pkRestore) {
        for (let i = 0; i < n; i++) {
          const col = ix.cols[i]!;
          if (hasFlag(col, Flag.PriKey)) continue;
          if (!needRestoredData(col.type)) continue;
          rids.push(col.id);
          const d = vals[i]!;
          if (isBinCollation(col.type.Collate)) rvals.push({ k: K.Uint, v: d.k === K.String || d.k === K.Bytes ? tailSpaceCount(d.v) : 0 });
          else rvals.push(d);
        }
        if (this.pkIdx) {
          for (const pic of this.pkIdx.idx_cols) {
            const col = t.cols[pic.offset]!;
            if (!needRestoredData(col.type)) continue;
            // truncate to the longer of the PK prefix and this index's prefix on the same column
            let len = pic.length;
            const same = ix.info.idx_cols.find((c) => c.offset === pic.offset);
            if (same) len = len < 0 || same.length < 0 ? -1 : Math.max(len, same.length);
            let d = truncateIndexValue(datums[pic.offset]!, len, col);
            if (isBinCollation(col.type.Collate)) d = { k: K.Int, v: d.k === K.String || d.k === K.Bytes ? tailSpaceCount(d.v) : 0 };
            rids.push(col.id);
            rvals.push(d);
          }
        }
        this.rowEnc.encode(w, rids, rvals);
      }
    } else {
      // genIndexValueVersion0
      if (ix.needRestore || ('common' in handle && distinct)) {
        w.u8(0);
        if ('common' in handle && distinct) { w.u8(0x7f); w.u16be(handle.common.length); w.bytes(handle.common); }
        if (ix.needRestore) this.rowEnc.encode(w, ix.colIds, vals, n);
        let tail = 0;
        if ('int' in handle && distinct) { tail = 8; writeIntHandleValue(w, handle.int); }
        else if (w.pos - keyEnd < 10) { tail = 10 - (w.pos - keyEnd); for (let i = 0; i < tail; i++) w.u8(0); }
        w.buf[keyEnd] = tail;
      } else if (distinct) {
        if ('int' in handle) writeIntHandleValue(w, handle.int);
      } else w.u8(0x30);
    }
    sink.pair(true, start, keyEnd);
  }

  /** convenience: encode and return copied pairs */
  encodeRow(fields: Field[], rowID: Int64, colMap?: readonly number[] | null): KVPair[] {
    const sink = new CollectSink();
    this.encodeRowTo(sink, fields, rowID, colMap);
    return sink.pairs.map(({ key, val }) => ({ key, val }));
  }
}

function isUnsignedCol(c: ColumnInfo): boolean {
  return (c.type.Flag & Flag.Unsigned) !== 0;
}

function bitDefault(s: string): Buffer {
  // TiDB stores BIT defaults as the raw bytes (string of the binary literal); accept b'..'/0x.. text too
  const m = /^b'([01]*)'$/i.exec(s);
  if (m) {
    let v = BigInt('0b' + (m[1] || '0'));
    const out: number[] = [];
    while (v > 0n) { out.unshift(Number(v & 0xffn)); v >>= 8n; }
    return Buffer.from(out.length ? out : [0]);
  }
  if (/^0x[0-9a-f]*$/i.test(s)) return Buffer.from(s.slice(2).padStart(2, '0'), 'hex');
  return Buffer.from(s, 'latin1');
}

/** the value a NOT NULL column takes for NULL/missing in non-strict mode */
function zeroDatum(ft: FieldType): Datum {
  switch (ft.Tp) {
    case Tp.Tiny: case Tp.Short: case Tp.Int24: case Tp.Long: case Tp.Longlong: case Tp.Year:
      return (ft.Flag & Flag.Unsigned) !== 0 ? { k: K.Uint, v: 0 } : { k: K.Int, v: 0 };
    case Tp.Float: case Tp.Double: return { k: K.Float, v: 0 };
    case Tp.NewDecimal: case Tp.Decimal: {
      const frac = Math.max(ft.Decimal, 0);
      return { k: K.Decimal, v: { neg: false, int: '', frac: '0'.repeat(frac) }, prec: ft.Flen > 0 ? ft.Flen : 10, frac };
    }
    case Tp.Date: case Tp.Datetime: case Tp.Timestamp: return { k: K.Time, v: 0n, tp: ft.Tp, fsp: Math.max(ft.Decimal, 0) };
    case Tp.Duration: return { k: K.Duration, v: 0, fsp: Math.max(ft.Decimal, 0) };
    case Tp.Enum: return { k: K.Enum, v: 0, name: '' };
    case Tp.Set: return { k: K.Set, v: 0, name: '' };
    case Tp.Bit: return { k: K.Bit, v: 0, len: Math.ceil(Math.max(ft.Flen, 1) / 8) };
    case Tp.JSON: return { k: K.Json, typeCode: 0x04, v: Buffer.from([0]) };
    default:
      if (ft.Tp === Tp.String && ft.Charset === 'binary' && ft.Flen > 0) return { k: K.Bytes, v: Buffer.alloc(ft.Flen) };
      return ft.Charset === 'binary' ? { k: K.Bytes, v: Buffer.alloc(0) } : { k: K.String, v: Buffer.alloc(0), coll: ft.Collate };
  }
}
