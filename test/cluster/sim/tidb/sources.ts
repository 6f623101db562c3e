// In-memory row sources of the TiDB front: information_schema tables a precheck reads (SCHEMATA, TABLES,
// COLUMNS, PARTITIONS, TIFLASH_REPLICA, CLUSTER_INFO), mysql.tidb, and helpers to build result sets.
import { Flag, Tp, type FieldType } from '../../../../src/encode/types.js';
import type { Val } from './expr.js';
import { MysqlType, type ColumnMeta, type Source } from './select.js';
import { SYSTEM_DBS, type Catalog, type SimTable } from './catalog.js';
import { MYSQL_VERSION, GIT_HASH, TIDB_RELEASE } from './variables.js';

export type ColSpec = [name: string, kind: 'str' | 'int'];

export function metaOf([name, kind]: ColSpec, table?: string, db?: string): ColumnMeta {
  return kind === 'int'
    ? { name, type: MysqlType.Longlong, charset: 63, flags: 128, length: 21, decimals: 0, table, db }
    : { name, type: MysqlType.VarString, charset: 46, flags: 0, length: 256, decimals: 0, table, db };
}

export function memSource(cols: ColSpec[], rows: Val[][], table?: string, db?: string): Source {
  return { columns: cols.map((c) => metaOf(c, table, db)), rows: () => rows.map((r) => (i: number) => r[i] ?? null) };
}

const INT_NAMES: Record<number, string> = { [Tp.Tiny]: 'tinyint', [Tp.Short]: 'smallint', [Tp.Int24]: 'mediumint', [Tp.Long]: 'int', [Tp.Longlong]: 'bigint' };
const BLOB_NAMES: Record<number, [string, string]> = {
  [Tp.TinyBlob]: ['tinyblob', 'tinytext'], [Tp.Blob]: ['blob', 'text'], [Tp.MediumBlob]: ['mediumblob', 'mediumtext'], [Tp.LongBlob]: ['longblob', 'longtext'],
};

/** information_schema DATA_TYPE and COLUMN_TYPE of a column type */
export function columnType(ft: FieldType): { dataType: string; columnType: string } {
  const bin = ft.Charset === 'binary';
  const sign = `${ft.Flag & Flag.Unsigned ? ' unsigned' : ''}${ft.Flag & Flag.Zerofill ? ' zerofill' : ''}`;
  const fsp = ft.Decimal > 0 ? `(${ft.Decimal})` : '';
  const quoted = (ft.Elems ?? []).map((e) => `'${e.replace(/'/g, "''")}'`).join(',');
  let d: string, c: string;
  if (INT_NAMES[ft.Tp]) { d = INT_NAMES[ft.Tp]!; c = `${d}(${ft.Flen})${sign}`; }
  else if (ft.Tp === Tp.Float || ft.Tp === Tp.Double) { d = ft.Tp === Tp.Float ? 'float' : 'double'; c = `${d}${ft.Decimal >= 0 ? `(${ft.Flen},${ft.Decimal})` : ''}${sign}`; }
  else if (ft.Tp === Tp.NewDecimal) { d = 'decimal'; c = `decimal(${ft.Flen},${ft.Decimal})${sign}`; }
  else if (ft.Tp === Tp.Date) { d = 'date'; c = d; }
  else if (ft.Tp === Tp.Datetime || ft.Tp === Tp.Timestamp || ft.Tp === Tp.Duration) { d = ft.Tp === Tp.Datetime ? 'datetime' : ft.Tp === Tp.Timestamp ? 'timestamp' : 'time'; c = d + fsp; }
  else if (ft.Tp === Tp.Year) { d = 'year'; c = 'year(4)'; }
  else if (ft.Tp === Tp.Bit) { d = 'bit'; c = `bit(${ft.Flen})`; }
  else if (ft.Tp === Tp.JSON) { d = 'json'; c = d; }
  else if (ft.Tp === Tp.Varchar || ft.Tp === Tp.VarString) { d = bin ? 'varbinary' : 'varchar'; c = `${d}(${ft.Flen})`; }
  else if (ft.Tp === Tp.String) { d = bin ? 'binary' : 'char'; c = `${d}(${ft.Flen})`; }
  else if (BLOB_NAMES[ft.Tp]) { d = BLOB_NAMES[ft.Tp]![bin ? 0 : 1]; c = d; }
  else if (ft.Tp === Tp.Enum || ft.Tp === Tp.Set) { d = ft.Tp === Tp.Enum ? 'enum' : 'set'; c = `${d}(${quoted})`; }
  else { d = `type${ft.Tp}`; c = d; }
  return { dataType: d, columnType: c };
}

const allTables = (cat: Catalog): SimTable[] => [...cat.dbs.values()].flatMap((d) => [...d.tables.values()]);

function tablesSource(cat: Catalog): Source {
  const cols: ColSpec[] = [
    ['TABLE_CATALOG', 'str'], ['TABLE_SCHEMA', 'str'], ['TABLE_NAME', 'str'], ['TABLE_TYPE', 'str'], ['ENGINE', 'str'], ['VERSION', 'int'],
    ['ROW_FORMAT', 'str'], ['TABLE_ROWS', 'int'], ['AVG_ROW_LENGTH', 'int'], ['DATA_LENGTH', 'int'], ['MAX_DATA_LENGTH', 'int'],
    ['INDEX_LENGTH', 'int'], ['DATA_FREE', 'int'], ['AUTO_INCREMENT', 'int'], ['CREATE_TIME', 'str'], ['UPDATE_TIME', 'str'],
    ['CHECK_TIME', 'str'], ['TABLE_COLLATION', 'str'], ['CHECKSUM', 'int'], ['CREATE_OPTIONS', 'str'], ['TABLE_COMMENT', 'str'],
    ['TIDB_TABLE_ID', 'int'], ['TIDB_ROW_ID_SHARDING_INFO', 'str'], ['TIDB_PK_TYPE', 'str'], ['TIDB_PLACEMENT_POLICY_NAME', 'str'],
  ];
  return memSource(cols, allTables(cat).map((t) => [
    'def', t.db.name, t.info.name.O, 'BASE TABLE', 'InnoDB', 10n, 'Compact', 0n, 0n, 0n, 0n, 0n, 0n,
    cat.autoIncColumn(t) ? t.autoIdNext : null, t.createTime.toISOString().slice(0, 19).replace('T', ' '), null, null,
    t.info.collate ?? 'utf8mb4_bin', null, t.info.partition ? 'partitioned' : '', '', BigInt(t.info.id),
    t.info.pk_is_handle || t.info.is_common_handle ? 'NOT_SHARDED(PK_IS_HANDLE)' : 'NOT_SHARDED',
    t.info.pk_is_handle || t.info.is_common_handle ? 'CLUSTERED' : 'NONCLUSTERED', null,
  ]), 'TABLES', 'information_schema');
}

function columnsSource(cat: Catalog): Source {
  const cols: ColSpec[] = [
    ['TABLE_CATALOG', 'str'], ['TABLE_SCHEMA', 'str'], ['TABLE_NAME', 'str'], ['COLUMN_NAME', 'str'], ['ORDINAL_POSITION', 'int'],
    ['COLUMN_DEFAULT', 'str'], ['IS_NULLABLE', 'str'], ['DATA_TYPE', 'str'], ['CHARACTER_MAXIMUM_LENGTH', 'int'],
    ['CHARACTER_OCTET_LENGTH', 'int'], ['NUMERIC_PRECISION', 'int'], ['NUMERIC_SCALE', 'int'], ['DATETIME_PRECISION', 'int'],
    ['CHARACTER_SET_NAME', 'str'], ['COLLATION_NAME', 'str'], ['COLUMN_TYPE', 'str'], ['COLUMN_KEY', 'str'], ['EXTRA', 'str'],
    ['PRIVILEGES', 'str'], ['COLUMN_COMMENT', 'str'], ['GENERATION_EXPRESSION', 'str'],
  ];
  const rows: Val[][] = [];
  for (const t of allTables(cat)) {
    for (const c of t.info.cols.filter((x) => !x.hidden)) {
      const ty = columnType(c.type);
      const text = c.type.Charset !== 'binary' || /char|text|binary|blob/.test(ty.dataType);
      const key = c.type.Flag & Flag.PriKey ? 'PRI' : c.type.Flag & Flag.UniqueKey ? 'UNI' : c.type.Flag & Flag.MultipleKey ? 'MUL' : '';
      rows.push([
        'def', t.db.name, t.info.name.O, c.name.O, BigInt(c.offset + 1), c.default ?? null, c.type.Flag & Flag.NotNull ? 'NO' : 'YES',
        ty.dataType, text ? BigInt(c.type.Flen) : null, text ? BigInt(c.type.Flen * 4) : null,
        text ? null : BigInt(c.type.Flen), text ? null : BigInt(Math.max(c.type.Decimal, 0)), null,
        c.type.Charset === 'binary' ? null : c.type.Charset, c.type.Charset === 'binary' ? null : c.type.Collate, ty.columnType, key,
        c.type.Flag & Flag.AutoIncrement ? 'auto_increment' : c.generated_expr_string ? `${c.generated_stored ? 'STORED' : 'VIRTUAL'} GENERATED` : '',
        'select,insert,update,references', '', c.generated_expr_string ?? '',
      ]);
    }
  }
  return memSource(cols, rows, 'COLUMNS', 'information_schema');
}

function partitionsSource(cat: Catalog): Source {
  const cols: ColSpec[] = [['TABLE_CATALOG', 'str'], ['TABLE_SCHEMA', 'str'], ['TABLE_NAME', 'str'], ['PARTITION_NAME', 'str'],
    ['PARTITION_ORDINAL_POSITION', 'int'], ['PARTITION_METHOD', 'str'], ['PARTITION_EXPRESSION', 'str'], ['PARTITION_DESCRIPTION', 'str'],
    ['TABLE_ROWS', 'int'], ['TIDB_PARTITION_ID', 'int']];
  const method: Record<number, string> = { 1: 'RANGE', 2: 'HASH', 3: 'LIST', 4: 'KEY' };
  const rows: Val[][] = allTables(cat).flatMap((t) => {
    const p = t.info.partition;
    if (!p) return [['def', t.db.name, t.info.name.O, null, null, null, null, null, 0n, null] as Val[]];
    return p.definitions.map((d, i) => ['def', t.db.name, t.info.name.O, d.name.O, BigInt(i + 1), method[p.type] ?? '', p.expr,
      d.less_than?.join(',') ?? d.in_values?.map((v) => v.join(',')).join(',') ?? null, 0n, BigInt(d.id)] as Val[]);
  });
  return memSource(cols, rows, 'PARTITIONS', 'information_schema');
}

export interface ClusterAddrs { tidb: string; status: string; pd: string; stores: { address: string; status: string }[] }

/** information_schema.<name> / mysql.<name>, or undefined */
export function systemSource(cat: Catalog, db: string, name: string, cluster: ClusterAddrs): Source | undefined {
  const key = `${db.toLowerCase()}.${name.toLowerCase()}`;
  switch (key) {
    case 'information_schema.schemata':
      return memSource([['CATALOG_NAME', 'str'], ['SCHEMA_NAME', 'str'], ['DEFAULT_CHARACTER_SET_NAME', 'str'], ['DEFAULT_COLLATION_NAME', 'str'],
        ['SQL_PATH', 'str'], ['TIDB_PLACEMENT_POLICY_NAME', 'str']],
      [...SYSTEM_DBS.map((n) => ['def', n, 'utf8mb4', 'utf8mb4_bin', null, null] as Val[]),
        ...[...cat.dbs.values()].map((d) => ['def', d.name, d.charset, d.collate, null, null] as Val[])], 'SCHEMATA', 'information_schema');
    case 'information_schema.tables': return tablesSource(cat);
    case 'information_schema.columns': return columnsSource(cat);
    case 'information_schema.partitions': return partitionsSource(cat);
    case 'information_schema.tiflash_replica':
      return memSource([['TABLE_SCHEMA', 'str'], ['TABLE_NAME', 'str'], ['TABLE_ID', 'int'], ['REPLICA_COUNT', 'int'], ['LOCATION_LABELS', 'str'],
        ['AVAILABLE', 'int'], ['PROGRESS', 'str']], [], 'TIFLASH_REPLICA', 'information_schema');
    case 'information_schema.cluster_info':
      return memSource([['TYPE', 'str'], ['INSTANCE', 'str'], ['STATUS_ADDRESS', 'str'], ['VERSION', 'str'], ['GIT_HASH', 'str'], ['START_TIME', 'str'],
        ['UPTIME', 'str'], ['SERVER_ID', 'int']], [
        ['tidb', cluster.tidb, cluster.status, MYSQL_VERSION.replace(/^.*-TiDB-v/, ''), GIT_HASH, null, null, 0n],
        ['pd', cluster.pd, cluster.pd, TIDB_RELEASE.slice(1), GIT_HASH, null, null, 0n],
        ...cluster.stores.map((s) => ['tikv', s.address, s.status, TIDB_RELEASE.slice(1), GIT_HASH, null, null, 0n] as Val[]),
      ], 'CLUSTER_INFO', 'information_schema');
    case 'mysql.tidb':
      return memSource([['VARIABLE_NAME', 'str'], ['VARIABLE_VALUE', 'str'], ['COMMENT', 'str']],
        [...cat.tidbRows.entries()].map(([k, [v, c]]) => [k, v, c]), 'tidb', 'mysql');
    default: return undefined;
  }
}
