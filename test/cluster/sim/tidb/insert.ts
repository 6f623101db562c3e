// INSERT [IGNORE] INTO t [(cols)] VALUES (…), … for the simulated TiDB: rows are encoded by src/encode's
// TableEncoder exactly as an import would, and committed at a fresh TSO on every peer of each region (what a
// TiDB transaction ends up writing). Only literal values; a row whose record key already exists is a duplicate
// (error 1062, or skipped with IGNORE); unique secondary indexes are not checked. Lets tests prepare
// pre-existing data (target-not-empty prechecks, incremental imports).
import { TableEncoder, type KVPair } from '../../../../src/encode/index.js';
import { decodeRecordKey } from '../../../../src/encode/tablecodec.js';
import { FieldKind, type Field } from '../../../../src/parse/types.js';
import { encodeBytes } from '../../../../src/cluster/index.js';
import { LightningError } from '../../../../src/errors.js';
import { dataKey, encodeWrite, SHORT_VALUE_MAX } from '../mvcc.js';
import type { Entry } from '../kv/run.js';
import { Cursor, SqlError } from './lexer.js';
import type { SimTable } from './catalog.js';
import type { KvAccess } from './table-rows.js';

const word = (s: string): Field => ({ kind: FieldKind.Word, value: Buffer.from(s) });

/** one VALUES literal as the parsers hand it to the encoder */
function literal(c: Cursor): Field {
  const neg = c.eat('-');
  const t = c.next();
  if (t.t === 'num') return { kind: FieldKind.Num, value: Buffer.from(neg ? `-${t.v}` : t.v) };
  if (neg) throw c.error();
  if (t.t === 'str') return { kind: FieldKind.Str, value: Buffer.from(t.v) };
  if (t.t === 'hex') return { kind: FieldKind.Bin, value: Buffer.from(t.v.length % 2 ? `0${t.v}` : t.v, 'hex') };
  const w = t.v.toUpperCase();
  if (t.t === 'id' && w === 'NULL') return { kind: FieldKind.Null, value: Buffer.alloc(0) };
  if (t.t === 'id' && (w === 'TRUE' || w === 'FALSE')) return { kind: FieldKind.Num, value: Buffer.from(w === 'TRUE' ? '1' : '0') };
  if (t.t === 'id' && /^(DEFAULT|CURRENT_TIMESTAMP|NOW)$/.test(w)) { if (c.eat('(')) c.want(')'); return word(w === 'DEFAULT' ? 'DEFAULT' : 'CURRENT_TIMESTAMP'); }
  c.i--;
  throw new SqlError(8200, `the TiDB simulator's INSERT takes literal values only, not '${t.v}'`);
}

/** `replace`: REPLACE INTO — a row with an existing primary key overwrites it (secondary index entries of the old row are not removed: enough for bookkeeping tables) */
export interface ParsedInsert { ignore: boolean; replace?: boolean; db?: string; table: string; columns?: string[]; rows: Field[][] }

export function parseInsert(c: Cursor): ParsedInsert {
  const replace = c.eat('REPLACE');
  if (!replace) c.want('INSERT');
  const ignore = !replace && c.eat('IGNORE');
  c.eat('INTO');
  const q = c.qualified();
  let columns: string[] | undefined;
  if (c.eat('(')) { columns = []; do columns.push(c.ident()); while (c.eat(',')); c.want(')'); }
  if (!c.eat('VALUES')) c.want('VALUE');
  const rows: Field[][] = [];
  do {
    c.want('(');
    const row: Field[] = [];
    if (!c.is(')')) do row.push(literal(c)); while (c.eat(','));
    c.want(')');
    rows.push(row);
  } while (c.eat(','));
  c.end();
  return { ignore, replace, db: q.db, table: q.name, columns, rows };
}

/** Writes committed MVCC records for `pairs` at `ts` into every peer of each region they fall in. */
export function commitPairs(kv: KvAccess, pairs: KVPair[], ts: bigint): void {
  const byRegion = new Map<number, KVPair[]>();
  for (const p of pairs) {
    const r = kv.state.regionByKey(encodeBytes(p.key))!;
    byRegion.set(r.id, [...(byRegion.get(r.id) ?? []), p]);
  }
  for (const [id, ps] of byRegion) {
    const r = kv.state.regionById(id)!;
    ps.sort((a, b) => Buffer.compare(a.key, b.key));
    for (const peer of r.peers) {
      const store = kv.stores.get(peer.storeId)!;
      const write: Entry[] = [], dflt: Entry[] = [];
      for (const p of ps) {
        const k = dataKey(p.key, ts);
        const short = p.val.length <= SHORT_VALUE_MAX;
        if (!short) dflt.push({ key: k, value: p.val });
        write.push({ key: k, value: encodeWrite('P', ts, short ? p.val : undefined) });
      }
      for (const [cf, entries] of [['default', dflt], ['write', write]] as const) {
        if (entries.length) store.apply({ cf, run: store.newRun(entries) });
      }
    }
  }
}

/** encodes and commits the rows; returns how many were written and the first generated auto id */
export function insertRows(kv: KvAccess, t: SimTable, ins: ParsedInsert, ts: bigint): { written: number; firstId: bigint } {
  const info = t.info;
  const cols = info.cols.filter((c) => !c.hidden);
  const colMap = ins.columns?.map((n) => {
    const col = cols.find((x) => x.name.L === n.toLowerCase());
    if (!col) throw new SqlError(1054, `Unknown column '${n}' in 'field list'`, '42S22');
    return col.offset;
  });
  const enc = new TableEncoder(info);
  const out: KVPair[] = [];
  const seen = new Set<string>();
  let firstId = 0n;
  let written = 0;
  for (const fields of ins.rows) {
    if (fields.length !== (colMap?.length ?? cols.length)) throw new SqlError(1136, `Column count doesn't match value count at row ${written + 1}`, '21S01');
    const rowId = t.autoIdNext;
    let pairs: KVPair[];
    try {
      pairs = enc.encodeRow(fields, rowId, colMap);
    } catch (e) {
      throw new SqlError(1366, e instanceof LightningError ? e.message : String(e), 'HY000');
    }
    const record = pairs[0]!;
    const handle = decodeRecordKey(record.key).handle;
    const hex = record.key.toString('hex');
    const exists = seen.has(hex) || [...kv.stores.get(kv.state.regionByKey(encodeBytes(record.key))!.leaderStoreId)!
      .scan(record.key, Buffer.concat([record.key, Buffer.from([0])]), ts)].length > 0;
    if (exists && !ins.replace) {
      if (ins.ignore) continue;
      throw new SqlError(1062, `Duplicate entry '${'int' in handle ? handle.int : record.key.subarray(11).toString('hex')}' for key '${info.name.O}.PRIMARY'`, '23000');
    }
    seen.add(hex);
    // the allocator moves past generated ids and past explicit integer handles
    const used = 'int' in handle && info.pk_is_handle ? BigInt(handle.int) : rowId;
    if (used === rowId && firstId === 0n) firstId = rowId;
    if (used >= t.autoIdNext) t.autoIdNext = used + 1n;
    out.push(...pairs);
    written++;
  }
  commitPairs(kv, out, ts);
  return { written, firstId };
}
