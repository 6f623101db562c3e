// TiDB status API JSON (`/schema/{db}`, `/schema/{db}/{table}`): model.TableInfo / DBInfo with the keys, in the
// order, that TiDB marshals (protocol.md §8.1), filled from the simulator's TableInfo and allocator state.
import type { ColumnInfo, IndexInfo, TableInfo } from '../../../../src/encode/schema/model.js';
import type { SimDatabase, SimTable } from './catalog.js';

const STATE_PUBLIC = 5;
const ci = (s: string) => ({ O: s, L: s.toLowerCase() });

function columnJson(c: ColumnInfo): Record<string, unknown> {
  return {
    id: c.id, name: c.name, offset: c.offset, origin_default: c.origin_default ?? null, origin_default_bit: null,
    default: c.default ?? null, default_bit: null, default_is_expr: c.default_is_expr ?? false,
    generated_expr_string: c.generated_expr_string ?? '', generated_stored: c.generated_stored ?? false, dependences: null,
    type: {
      Tp: c.type.Tp, Flag: c.type.Flag, Flen: c.type.Flen, Decimal: c.type.Decimal, Charset: c.type.Charset,
      Collate: c.type.Collate, Elems: c.type.Elems ?? null, ElemsIsBinaryLit: c.type.Elems ? c.type.Elems.map(() => false) : null, Array: false,
    },
    state: c.state ?? STATE_PUBLIC, comment: '', hidden: c.hidden ?? false, change_state_info: null, version: 2,
  };
}

function indexJson(i: IndexInfo): Record<string, unknown> {
  return {
    id: i.id, idx_name: i.idx_name, tbl_name: ci(''), idx_cols: i.idx_cols.map((c) => ({ name: c.name, offset: c.offset, length: c.length })),
    state: i.state ?? STATE_PUBLIC, backfill_state: 0, comment: '', index_type: 1, is_unique: i.is_unique, is_primary: i.is_primary,
    is_invisible: false, is_global: i.is_global ?? false, mv_index: false,
  };
}

function partitionJson(p: NonNullable<TableInfo['partition']>): Record<string, unknown> {
  return {
    type: p.type, expr: p.expr, columns: p.columns ?? null, enable: true,
    definitions: p.definitions.map((d) => ({ id: d.id, name: d.name, less_than: d.less_than ?? null, in_values: d.in_values ?? null, policy_ref_info: null })),
    adding_definitions: null, dropping_definitions: null, states: null, num: p.num,
  };
}

export function tableInfoJson(t: SimTable): Record<string, unknown> {
  const i = t.info;
  const rand = i.auto_random_bits ?? 0;
  return {
    id: i.id, name: i.name, charset: i.charset ?? 'utf8mb4', collate: i.collate ?? 'utf8mb4_bin',
    cols: i.cols.map(columnJson), index_info: i.index_info.map(indexJson), constraint_info: null, fk_info: null,
    state: STATE_PUBLIC, pk_is_handle: i.pk_is_handle, is_common_handle: i.is_common_handle, common_handle_version: i.common_handle_version ?? 0,
    comment: '', auto_inc_id: Number(t.autoIncId), auto_id_cache: 0, auto_rand_id: 0,
    max_col_id: i.cols.reduce((m, c) => Math.max(m, c.id), 0), max_idx_id: i.index_info.reduce((m, x) => Math.max(m, x.id), 0),
    max_fk_id: 0, max_cst_id: 0, update_timestamp: Number(t.updateTimestamp),
    ShardRowIDBits: 0, max_shard_row_id_bits: 0, auto_random_bits: rand, auto_random_range_bits: rand ? 64 : 0, pre_split_regions: 0,
    partition: i.partition ? partitionJson(i.partition) : null, compression: '', view: null, sequence: null, Lock: null, version: 5,
    tiflash_replica: null, is_columnar: false, temp_table_type: 0, cache_table_status: 0, policy_ref_info: null, stats_options: null,
    exchange_partition_info: null, ttl_info: null, revision: 0,
  };
}

export function dbInfoJson(d: SimDatabase): Record<string, unknown> {
  return { id: d.id, db_name: ci(d.name), charset: d.charset, collate: d.collate, state: STATE_PUBLIC, policy_ref_info: null };
}

