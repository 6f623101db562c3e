// Table metadata in the shape of TiDB's status API JSON (`/schema/{db}/{table}`, model.TableInfo), only
// the fields encoding reads. Builders: fromTiDBJSON (status API), fromVectorTableInfo (golden vectors),
// and ./create-table.ts (offline, from CREATE TABLE text).
import { Flag, fieldTypeFromLoose, type FieldType, type LooseType } from '../types.js';

export interface CIStr { O: string; L: string }
export const ci = (s: string): CIStr => ({ O: s, L: s.toLowerCase() });

export interface ColumnInfo {
  id: number;
  name: CIStr;
  offset: number;
  type: FieldType;
  /** DEFAULT value as text; null/undefined = no default (or DEFAULT NULL) */
  default?: string | null;
  origin_default?: string | null;
  /** DEFAULT is an expression such as CURRENT_TIMESTAMP */
  default_is_expr?: boolean;
  generated_expr_string?: string;
  generated_stored?: boolean;
  hidden?: boolean;
  /** 5 = public (TiDB StatePublic) */
  state?: number;
}

export interface IndexColumn { name: CIStr; offset: number; /** prefix length, -1 = whole column */ length: number }

export interface IndexInfo {
  id: number;
  idx_name: CIStr;
  idx_cols: IndexColumn[];
  is_unique: boolean;
  is_primary: boolean;
  state?: number;
  is_global?: boolean;
}

export const PartitionType = { Range: 1, Hash: 2, List: 3, Key: 4 } as const;

export interface PartitionDefinition {
  id: number;
  name: CIStr;
  /** RANGE: one bound per column ('MAXVALUE' allowed) */
  less_than?: string[];
  /** LIST: value tuples */
  in_values?: string[][];
}

export interface PartitionInfo {
  type: number;
  expr: string;
  columns?: CIStr[];
  num: number;
  definitions: PartitionDefinition[];
}

export interface TableInfo {
  id: number;
  name: CIStr;
  cols: ColumnInfo[];
  index_info: IndexInfo[];
  pk_is_handle: boolean;
  is_common_handle: boolean;
  common_handle_version?: number;
  partition?: PartitionInfo | null;
  auto_random_bits?: number;
  charset?: string;
  collate?: string;
}

export const hasFlag = (c: ColumnInfo, f: number): boolean => (c.type.Flag & f) !== 0;

/** the PRIMARY index object, if any */
export function primaryIndex(t: TableInfo): IndexInfo | undefined {
  return t.index_info.find((i) => i.is_primary);
}

/** the int PK handle column when pk_is_handle */
export function pkHandleColumn(t: TableInfo): ColumnInfo | undefined {
  if (!t.pk_is_handle) return undefined;
  return t.cols.find((c) => hasFlag(c, Flag.PriKey));
}

// ---- builders ----

interface VectorColumn {
  id: number; name: string; offset: number; type: LooseType; not_null?: boolean; primary_key_flag?: boolean;
  default?: string | null; auto_increment?: boolean;
}
interface VectorIndex { id: number; name: string; unique: boolean; primary: boolean; columns: { name: string; offset: number; length: number }[] }
interface VectorTableInfo {
  id: number | string; name: string; columns: VectorColumn[]; indexes: VectorIndex[]; pk_is_handle: boolean;
  is_common_handle: boolean; common_handle_version?: number;
  partition?: { type: string; expr: string; num: number; definitions: { id: number; name: string; less_than?: string }[] } | null;
}

/** golden-vector `table_info` → TableInfo */
export function fromVectorTableInfo(v: VectorTableInfo): TableInfo {
  const cols: ColumnInfo[] = v.columns.map((c) => {
    const type = fieldTypeFromLoose(c.type);
    if (c.not_null) type.Flag |= Flag.NotNull;
    if (c.primary_key_flag) type.Flag |= Flag.PriKey;
    if (c.auto_increment) type.Flag |= Flag.AutoIncrement;
    return { id: c.id, name: ci(c.name), offset: c.offset, type, default: c.default ?? null, origin_default: c.default ?? null, state: 5 };
  });
  const index_info: IndexInfo[] = v.indexes.map((i) => ({
    id: i.id, idx_name: ci(i.name), is_unique: i.unique, is_primary: i.primary, state: 5,
    idx_cols: i.columns.map((c) => ({ name: ci(c.name), offset: c.offset, length: c.length ?? -1 })),
  }));
  let partition: PartitionInfo | null = null;
  if (v.partition) {
    const p = v.partition;
    partition = {
      type: p.type === 'range' ? PartitionType.Range : p.type === 'list' ? PartitionType.List : PartitionType.Hash,
      expr: p.expr, num: p.num || p.definitions.length,
      definitions: p.definitions.map((d) => ({ id: d.id, name: ci(d.name), less_than: d.less_than === undefined ? undefined : [d.less_than] })),
    };
  }
  return {
    id: Number(v.id), name: ci(v.name), cols, index_info, pk_is_handle: v.pk_is_handle,
    is_common_handle: v.is_common_handle, common_handle_version: v.common_handle_version ?? 0, partition,
  };
}

/** TiDB status API JSON (model.TableInfo marshalled) → TableInfo; tolerant of missing optional fields */
export function fromTiDBJSON(j: unknown): TableInfo {
  const o = j as Record<string, unknown>;
  const cs = (x: unknown): CIStr => (typeof x === 'string' ? ci(x) : (x as CIStr));
  const cols = ((o.cols ?? []) as Record<string, unknown>[]).map((c) => {
    const t = c.type as Record<string, unknown>;
    const type: FieldType = {
      Tp: Number(t.Tp ?? t.tp), Flag: Number(t.Flag ?? t.flag ?? 0), Flen: Number(t.Flen ?? t.flen ?? -1),
      Decimal: Number(t.Decimal ?? t.decimal ?? -1), Charset: String(t.Charset ?? t.charset ?? 'binary'),
      Collate: String(t.Collate ?? t.collate ?? 'binary'), Elems: (t.Elems ?? t.elems ?? null) as string[] | null,
    };
    const dflt = (x: unknown): string | null => (x === null || x === undefined ? null : String(x));
    return {
      id: Number(c.id), name: cs(c.name), offset: Number(c.offset), type, default: dflt(c.default),
      origin_default: dflt(c.origin_default), default_is_expr: Boolean(c.default_is_expr),
      generated_expr_string: (c.generated_expr_string as string) || undefined, generated_stored: Boolean(c.generated_stored),
      hidden: Boolean(c.hidden), state: c.state === undefined ? 5 : Number(c.state),
    } satisfies ColumnInfo;
  });
  const index_info = ((o.index_info ?? []) as Record<string, unknown>[]).map((i) => ({
    id: Number(i.id), idx_name: cs(i.idx_name), is_unique: Boolean(i.is_unique), is_primary: Boolean(i.is_primary),
    state: i.state === undefined ? 5 : Number(i.state), is_global: Boolean(i.is_global),
    idx_cols: ((i.idx_cols ?? []) as Record<string, unknown>[]).map((c) => ({ name: cs(c.name), offset: Number(c.offset), length: Number(c.length ?? -1) })),
  }));
  const p = o.partition as Record<string, unknown> | null | undefined;
  return {
    id: Number(o.id), name: cs(o.name), cols, index_info, pk_is_handle: Boolean(o.pk_is_handle),
    is_common_handle: Boolean(o.is_common_handle), common_handle_version: Number(o.common_handle_version ?? 0),
    auto_random_bits: Number(o.auto_random_bits ?? 0),
    partition: p ? {
      type: Number(p.type), expr: String(p.expr ?? ''), num: Number(p.num ?? 0),
      columns: (p.columns as CIStr[] | undefined) ?? undefined,
      definitions: ((p.definitions ?? []) as Record<string, unknown>[]).map((d) => ({
        id: Number(d.id), name: cs(d.name), less_than: d.less_than as string[] | undefined, in_values: d.in_values as string[][] | undefined,
      })),
    } : null,
  };
}
