// User-table rows for SELECT: each physical table's record range is read region by region from the region
// leader's store at a fresh TSO snapshot (what TiDB's coprocessor would see), and a row is decoded by
// src/encode's decodeRecord only when one of its columns is asked for (COUNT(*) and `SELECT 1 … LIMIT 1` never
// decode). Values: integers as bigint, floats as numbers (printed with TiDB's float format), everything else as
// the MySQL text bytes datumText gives.
import { decodeRecord, datumText, DatumKind, type TableInfo, type ColumnInfo, type FieldType } from '../../../../src/encode/index.js';
import { Flag, Tp } from '../../../../src/encode/types.js';
import { composeTS, decodeRegionKey } from '../../../../src/cluster/index.js';
import type { Datum } from '../../../../src/encode/datum.js';
import type { SimState } from '../state.js';
import type { SimStore } from '../store.js';
import { physicalIds, prefixNext, recordPrefix } from './checksum.js';
import { SqlError } from './lexer.js';
import type { Val } from './expr.js';
import { MysqlType, type ColumnMeta, type Row, type Source } from './select.js';

/** the type code a MySQL client sees for a TiDB column type */
function wireType(ft: FieldType): number {
  switch (ft.Tp) {
    case Tp.Varchar: return MysqlType.VarString;
    case Tp.Enum: case Tp.Set: return 254;
    case Tp.TinyBlob: case Tp.MediumBlob: case Tp.LongBlob: return MysqlType.Blob;
    default: return ft.Tp;
  }
}

const TEXT_TPS = new Set<number>([Tp.Varchar, Tp.VarString, Tp.String, Tp.TinyBlob, Tp.Blob, Tp.MediumBlob, Tp.LongBlob, Tp.Enum, Tp.Set, Tp.JSON]);

export function columnMeta(c: ColumnInfo, table: string, db: string): ColumnMeta {
  const ft = c.type;
  const text = TEXT_TPS.has(ft.Tp) && ft.Charset !== 'binary';
  return {
    name: c.name.O, orgName: c.name.O, table, db, type: wireType(ft), charset: text ? (ft.Collate === 'utf8mb4_general_ci' ? 45 : 46) : 63,
    flags: ft.Flag & 0xffff, length: ft.Flen > 0 ? ft.Flen * (text ? 4 : 1) : 0,
    decimals: ft.Decimal >= 0 ? ft.Decimal : ft.Tp === Tp.Float || ft.Tp === Tp.Double ? 31 : 0,
  };
}

function toVal(d: Datum, ft: FieldType, timeZone: string): Val {
  if (d.k === DatumKind.Null) return null;
  if ((d.k === DatumKind.Int || d.k === DatumKind.Uint) && ft.Tp !== Tp.Year && !(ft.Flag & Flag.Zerofill)) return BigInt(d.v);
  if (d.k === DatumKind.Float) return d.v;
  return datumText(d, ft, { timeZone });
}

export interface KvAccess { state: SimState; stores: Map<number, SimStore> }

/** raw (key, value) of one physical table's records at `ts`, each from its region leader's copy */
function* records(kv: KvAccess, physicalId: number, ts: bigint): Generator<{ key: Buffer; value: Buffer }> {
  const start = recordPrefix(physicalId), end = prefixNext(start);
  for (const r of [...kv.state.regions]) {
    const rs = decodeRegionKey(r.startKey), re = decodeRegionKey(r.endKey);
    const s = Buffer.compare(rs, start) > 0 ? rs : start;
    const e = re.length > 0 && Buffer.compare(re, end) < 0 ? re : end;
    if (Buffer.compare(s, e) >= 0) continue;
    const store = kv.stores.get(r.leaderStoreId);
    if (!store?.up) throw new SqlError(9005, 'Region is unavailable');
    yield* store.scan(s, e, ts);
  }
}

export function tableSource(kv: KvAccess, info: TableInfo, db: string, timeZone = 'UTC'): Source {
  const cols = info.cols.filter((c) => !c.hidden && (c.state ?? 5) === 5).sort((a, b) => a.offset - b.offset);
  return {
    columns: cols.map((c) => columnMeta(c, info.name.O, db)),
    *rows(): Generator<Row> {
      const t = kv.state.tso(1);
      const ts = composeTS(t.physical, t.logical);
      for (const pid of physicalIds(info)) {
        for (const { key, value } of records(kv, pid, ts)) {
          let vals: Val[] | undefined;
          yield (i: number) => {
            vals ??= decodeRecord(info, key, value).values.map((d, off) => toVal(d, info.cols[off]!.type, timeZone));
            return vals[cols[i]!.offset] ?? null;
          };
        }
      }
    },
  };
}
