// Keys and values back to typed columns, given the table's TableInfo (see ./index.ts for the API contract).
// Record: 't' id "_r" handle + row value. Index: 't' id "_i" indexID datums [handle] + index value, whose
// layout (tablecodec.SplitIndexValue) is: old (≤ 9 bytes: u64be handle or '0'), version 0 (tailLen ‖
// [7f handle] ‖ [restored row] ‖ tail) or clustered version 1 (tailLen ‖ 7d 01 ‖ [7f handle] ‖ [restored row]).
import { LightningError, Codes } from '../../errors.js';
import { decodeInt, readU64BE, normInt } from '../codec/number.js';
import { K, NULL, type Datum } from '../datum.js';
import { Flag, Tp, isIntTp, isStringTp, type FieldType } from '../types.js';
import { hasFlag, primaryIndex, type ColumnInfo, type IndexInfo, type TableInfo } from '../schema/model.js';
import { isBinCollation } from '../collation/index.js';
import { convertField } from '../convert.js';
import { makeSession } from '../session.js';
import { FieldKind } from '../../parse/types.js';
import { needRestoredData, truncateIndexValue } from '../table.js';
import { decodeAll, decodeOne, toColumnDatum, type RawDatum } from './datum.js';
import { decodeRowV2, decodeRowValue } from './row.js';

export type DecodedHandle =
  | { int: bigint }
  /** clustered PK: the handle bytes and the PK column datums they hold (strings as collation sort keys) */
  | { common: Buffer; datums: Datum[] };

export type ParsedHandle = { int: bigint } | { common: Buffer; datums: RawDatum[] };

/** A key parsed without table info: enough to route it and to print it. */
export type ParsedKey =
  /** an 8-byte handle is taken for an int handle (only the table info can tell a clustered one) */
  | { type: 'record'; tableID: bigint; handle: ParsedHandle }
  | { type: 'index'; tableID: bigint; indexID: bigint; datums: RawDatum[] }
  | { type: 'table'; tableID: bigint; rest: Buffer }
  | { type: 'other'; raw: Buffer };

export interface DecodedRecord {
  type: 'record';
  /** the id in the key: the table id, or the partition id for partitioned tables */
  physicalID: bigint;
  partition?: string;
  handle: DecodedHandle;
  /** one datum per column of `table.cols`, by column offset */
  values: Datum[];
  format: 1 | 2;
}

export interface DecodedIndex {
  type: 'index';
  physicalID: bigint;
  partition?: string;
  indexID: bigint;
  index: IndexInfo;
  /** key without handle suffix: a unique index whose values are all non-NULL (the handle is in the value) */
  distinct: boolean;
  /** one datum per index column */
  values: Datum[];
  /** false where values[i] is not the full column value: a prefix, or only the collation sort key */
  exact: boolean[];
  handle: DecodedHandle;
}

const TABLE_PREFIX = 0x74;

function codecError(msg: string, key: Uint8Array, table?: TableInfo, cause?: unknown): LightningError {
  return new LightningError(Codes.KVCodec, msg, { cause, context: { table: table?.name.O, key: Buffer.from(key).toString('hex').slice(0, 200) } });
}

/** Route a key: record, index, other table key, or not a table key at all. Never throws. */
export function parseKey(key: Uint8Array): ParsedKey {
  const raw = Buffer.from(key);
  if (key.length < 9 || key[0] !== TABLE_PREFIX) return { type: 'other', raw };
  const tableID = decodeInt(key, 1);
  try {
    if (key.length >= 11 && key[9] === 0x5f && key[10] === 0x72) {
      const rest = key.subarray(11);
      if (rest.length === 8) return { type: 'record', tableID, handle: { int: decodeInt(rest, 0) } };
      return { type: 'record', tableID, handle: { common: Buffer.from(rest), datums: decodeAll(rest) } };
    }
    if (key.length >= 19 && key[9] === 0x5f && key[10] === 0x69) {
      return { type: 'index', tableID, indexID: decodeInt(key, 11), datums: decodeAll(key, 19) };
    }
  } catch {
    // fall through: a table key we cannot split further
  }
  return { type: 'table', tableID, rest: raw.subarray(9) };
}

/** the partition name when `id` is one of the table's partitions; throws when it is not this table at all */
function physical(table: TableInfo, id: bigint, key: Uint8Array): string | undefined {
  if (id === BigInt(table.id)) return undefined;
  const def = table.partition?.definitions.find((d) => BigInt(d.id) === id);
  if (!def) throw codecError(`key belongs to table id ${id}, not to ${table.name.O} (id ${table.id})`, key, table);
  return def.name.O;
}

interface TableMeta {
  byId: Map<number, ColumnInfo>;
  handleCol?: ColumnInfo;
  pk?: IndexInfo;
  defaults: Datum[];
}
const metaCache = new WeakMap<TableInfo, TableMeta>();

function meta(t: TableInfo): TableMeta {
  let m = metaCache.get(t);
  if (m) return m;
  const byId = new Map(t.cols.map((c) => [c.id, c] as const));
  const handleCol = t.pk_is_handle ? t.cols.find((c) => hasFlag(c, Flag.PriKey) && isIntTp(c.type.Tp)) : undefined;
  const sess = makeSession('', 'UTC');
  const defaults = t.cols.map((c): Datum => {
    const text = c.origin_default ?? (c.origin_default === undefined ? c.default : null);
    if (text === null || text === undefined || c.default_is_expr) return NULL;
    try {
      return convertField({ kind: FieldKind.Str, value: Buffer.from(text) }, c.type, sess);
    } catch {
      return NULL;
    }
  });
  m = { byId, handleCol, pk: t.is_common_handle ? primaryIndex(t) : undefined, defaults };
  metaCache.set(t, m);
  return m;
}

function intHandleDatum(c: ColumnInfo, h: bigint): Datum {
  return hasFlag(c, Flag.Unsigned) ? { k: K.Uint, v: normInt(BigInt.asUintN(64, h)) } : { k: K.Int, v: normInt(h) };
}

function commonHandle(t: TableInfo, bytes: Buffer): DecodedHandle {
  const m = meta(t);
  const raw = decodeAll(bytes);
  const cols = m.pk?.idx_cols ?? [];
  const datums = raw.map((d, i) => (cols[i] ? toColumnDatum(d, t.cols[cols[i]!.offset]!.type) : d));
  return { common: bytes, datums };
}

/**
 * Decode a record value given its handle: one datum per column (by offset). Columns absent from the value
 * take the handle (int PK / clustered PK columns), else their origin default, else NULL. Virtual generated
 * columns are not stored and come back NULL.
 */
export function decodeRecordValue(table: TableInfo, value: Uint8Array, handle: DecodedHandle): { values: Datum[]; format: 1 | 2 } {
  const m = meta(table);
  const row = decodeRowValue(value, (id) => m.byId.get(id)?.type);
  const values: Datum[] = table.cols.map((c) => row.cells.get(c.id) ?? m.defaults[c.offset] ?? NULL);
  if ('int' in handle) {
    if (m.handleCol) values[m.handleCol.offset] = intHandleDatum(m.handleCol, handle.int);
  } else if (m.pk) {
    m.pk.idx_cols.forEach((ic, i) => {
      const c = table.cols[ic.offset]!;
      if (!row.cells.has(c.id) && handle.datums[i]) values[ic.offset] = handle.datums[i]!;
    });
  }
  return { values, format: row.format };
}

function intHandle(h: ParsedHandle): { int: bigint } {
  if ('int' in h) return h;
  throw new RangeError(`record key handle is ${h.common.length} bytes; an int handle has 8`);
}

export function decodeRecord(table: TableInfo, key: Uint8Array, value: Uint8Array): DecodedRecord {
  const pk = parseKey(key);
  if (pk.type !== 'record') throw codecError('not a record key', key, table);
  const partition = physical(table, pk.tableID, key);
  try {
    // the table decides: an 8-byte common handle (e.g. one DECIMAL(10,2)) looks like an int handle
    const handle: DecodedHandle = table.is_common_handle ? commonHandle(table, Buffer.from(key.subarray(11)))
      : intHandle(pk.handle);
    const { values, format } = decodeRecordValue(table, value, handle);
    return { type: 'record', physicalID: pk.tableID, partition, handle, values, format };
  } catch (e) {
    if (e instanceof LightningError) throw e;
    throw codecError(`cannot decode record value: ${(e as Error).message}`, key, table, e);
  }
}

interface IndexValueSegments {
  version: 0 | 1;
  intHandle?: bigint;
  commonHandle?: Buffer;
  partitionID?: bigint;
  restored?: Uint8Array;
}

/** tablecodec.SplitIndexValue plus the old (≤ 9 byte) and clustered-version-1 layouts */
export function splitIndexValue(v: Uint8Array): IndexValueSegments {
  // short values first, like TiDB: an 8-byte handle may itself start 00 7d
  if (v.length <= 9) {
    if (v.length >= 8) return { version: 0, intHandle: BigInt.asIntN(64, readU64BE(v, 0)) };
    return { version: v.length >= 3 && v[1] === 0x7d && v[2] === 1 ? 1 : 0 };
  }
  if (v[0]! <= 1 && v[1] === 0x7d) return { version: v[2] === 1 ? 1 : 0, ...segments(v.subarray(3, v.length - v[0]!)) };
  const tailLen = v[0]!;
  if (tailLen + 1 > v.length) throw new RangeError('index value: tail longer than the value');
  const out: IndexValueSegments = { version: 0, ...segments(v.subarray(1, v.length - tailLen)) };
  if (tailLen >= 8) out.intHandle = BigInt.asIntN(64, readU64BE(v, v.length - tailLen));
  return out;
}

function segments(b: Uint8Array): Omit<IndexValueSegments, 'version'> {
  const out: Omit<IndexValueSegments, 'version'> = {};
  let p = 0;
  if (b[p] === 0x7f) {
    if (p + 3 > b.length) throw new RangeError('index value: truncated common handle');
    const n = (b[p + 1]! << 8) | b[p + 2]!;
    if (p + 3 + n > b.length) throw new RangeError('index value: truncated common handle');
    out.commonHandle = Buffer.from(b.subarray(p + 3, p + 3 + n));
    p += 3 + n;
  }
  if (b[p] === 0x7e) {
    if (p + 9 > b.length) throw new RangeError('index value: truncated partition id');
    out.partitionID = decodeInt(b, p + 1);
    p += 9;
  }
  if (b[p] === 0x80) out.restored = b.subarray(p);
  return out;
}

const UINT_TYPE: FieldType = { Tp: Tp.Longlong, Flag: Flag.Unsigned, Flen: 20, Decimal: 0, Charset: 'binary', Collate: 'binary' };

/** is a string value taken from a key the full value? (binary: yes; bin collations only for CHAR/TEXT) */
function keyStringExact(c: ColumnInfo): boolean {
  if (!isStringTp(c.type.Tp)) return true;
  return c.type.Charset === 'binary' || c.type.Collate === 'binary' || !needRestoredData(c.type);
}

function withTailSpaces(d: Datum, count: Datum | undefined): Datum {
  if (!count || (d.k !== K.String && d.k !== K.Bytes) || (count.k !== K.Int && count.k !== K.Uint)) return d;
  const n = Number(count.v);
  return n > 0 ? { ...d, v: Buffer.concat([d.v, Buffer.alloc(n, 0x20)]) } : d;
}

export function decodeIndex(table: TableInfo, key: Uint8Array, value: Uint8Array): DecodedIndex {
  const pk = parseKey(key);
  if (pk.type !== 'index') throw codecError('not an index key', key, table);
  const partition = physical(table, pk.tableID, key);
  const index = table.index_info.find((i) => BigInt(i.id) === pk.indexID);
  if (!index) throw codecError(`table ${table.name.O} has no index with id ${pk.indexID}`, key, table);
  try {
    return decodeIndexParts(table, index, pk.tableID, partition, key, value);
  } catch (e) {
    if (e instanceof LightningError) throw e;
    throw codecError(`cannot decode index entry: ${(e as Error).message}`, key, table, e);
  }
}

function decodeIndexParts(table: TableInfo, index: IndexInfo, physicalID: bigint, partition: string | undefined, key: Uint8Array, value: Uint8Array): DecodedIndex {
  const m = meta(table);
  const n = index.idx_cols.length;
  const keyDatums: RawDatum[] = [];
  let p = 19;
  for (let i = 0; i < n; i++) {
    const [d, used] = decodeOne(key, p);
    keyDatums.push(d);
    p += used;
  }
  const suffix = key.subarray(p);
  const seg = splitIndexValue(value);
  const distinct = suffix.length === 0;
  const cols = index.idx_cols.map((ic) => table.cols[ic.offset]!);

  let handle: DecodedHandle;
  if (!distinct) {
    if (table.is_common_handle) handle = commonHandle(table, Buffer.from(suffix));
    else {
      const [h] = decodeOne(suffix, 0);
      if (h.k !== K.Int) throw new RangeError('index key: handle suffix is not an int');
      handle = { int: BigInt(h.v) };
    }
  } else if (seg.commonHandle) handle = commonHandle(table, seg.commonHandle);
  else if (seg.intHandle !== undefined) handle = { int: seg.intHandle };
  else throw new RangeError('unique index value holds no handle');

  // restored data; clustered v1 stores bin-collation strings as their tail-space count (uint/int: same bytes)
  const restored = seg.restored ? decodeRowV2(seg.restored, (id) => {
    const c = m.byId.get(id);
    if (!c) return undefined;
    return seg.version === 1 && isBinCollation(c.type.Collate) && isStringTp(c.type.Tp) ? UINT_TYPE : c.type;
  }).cells : undefined;

  const values: Datum[] = [];
  const exact: boolean[] = [];
  cols.forEach((c, i) => {
    const ic = index.idx_cols[i]!;
    const prefix = (ic.length ?? -1) >= 0 && isStringTp(c.type.Tp);
    const fromKey = toColumnDatum(keyDatums[i]!, c.type);
    const r = restored?.get(c.id);
    let d: Datum;
    let full: boolean;
    if (r === undefined) { d = fromKey; full = keyStringExact(c); }
    else if (seg.version === 1 && isBinCollation(c.type.Collate) && isStringTp(c.type.Tp)) { d = withTailSpaces(fromKey, r); full = true; }
    else { d = truncateIndexValue(r, ic.length ?? -1, c); full = true; }
    values.push(d);
    exact.push(d.k === K.Null || (full && !prefix));
  });
  return { type: 'index', physicalID, partition, indexID: BigInt(index.id), index, distinct, values, exact, handle };
}

/** decode either kind of pair */
export function decodeKv(table: TableInfo, key: Uint8Array, value: Uint8Array): DecodedRecord | DecodedIndex {
  const t = parseKey(key);
  if (t.type === 'record') return decodeRecord(table, key, value);
  if (t.type === 'index') return decodeIndex(table, key, value);
  throw codecError('neither a record nor an index key', key, table);
}
