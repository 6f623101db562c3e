// System variables of the simulated TiDB: the defaults of TiDB v8.5 for the variables an importer reads or sets
// (encoder settings, checksum/analyze concurrency, GC life time), global values shared by all connections and
// session values per connection. Unknown names are accepted on SET (TiDB would refuse most of them; a test
// that sets a variable wants it kept) and read back as they were set.
export const TIDB_RELEASE = 'v8.5.0';
export const MYSQL_VERSION = `8.0.11-TiDB-${TIDB_RELEASE}`;
export const GIT_HASH = 'd13e52ed6e22cc3789bed7b64c0ff9cb8ea5b3a0';

export const TIDB_VERSION_TEXT = [
  `Release Version: ${TIDB_RELEASE}`, 'Edition: Community', `Git Commit Hash: ${GIT_HASH}`, 'Git Branch: HEAD',
  'UTC Build Time: 2024-12-18 02:26:46', 'GoVersion: go1.23.4', 'Race Enabled: false', 'Check Table Before Drop: false',
  'Store: tikv',
].join('\n');

const DEFAULTS: Record<string, string> = {
  version: MYSQL_VERSION, version_comment: `TiDB Server (Apache License 2.0) Community Edition, MySQL 8.0 compatible`,
  sql_mode: 'ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_AUTO_CREATE_USER,NO_ENGINE_SUBSTITUTION',
  time_zone: 'SYSTEM', system_time_zone: 'UTC', max_allowed_packet: '67108864', autocommit: 'ON',
  character_set_server: 'utf8mb4', collation_server: 'utf8mb4_bin', character_set_client: 'utf8mb4',
  character_set_connection: 'utf8mb4', character_set_results: 'utf8mb4', collation_connection: 'utf8mb4_bin',
  character_set_database: 'utf8mb4', collation_database: 'utf8mb4_bin', lower_case_table_names: '2',
  auto_increment_increment: '1', auto_increment_offset: '1', default_week_format: '0', div_precision_increment: '4',
  group_concat_max_len: '1024', block_encryption_mode: 'aes-128-ecb', transaction_isolation: 'REPEATABLE-READ',
  tx_isolation: 'REPEATABLE-READ', wait_timeout: '28800', interactive_timeout: '28800', net_write_timeout: '60',
  tidb_row_format_version: '2', tidb_enable_clustered_index: 'ON', tidb_backoff_weight: '2',
  tidb_build_stats_concurrency: '2', tidb_distsql_scan_concurrency: '15', tidb_index_serial_scan_concurrency: '1',
  tidb_checksum_table_concurrency: '4', tidb_gc_life_time: '10m0s', tidb_gc_enable: 'ON', tidb_txn_mode: 'pessimistic',
  tidb_scatter_region: 'OFF', tidb_opt_write_row_id: 'OFF', tidb_request_source_type: '', tidb_explicit_request_source_type: '',
  tidb_enable_paging: 'ON', tidb_skip_utf8_check: 'OFF', tidb_skip_ascii_check: 'OFF', tidb_enable_dist_task: 'OFF',
  tidb_server_memory_limit: '80%', tidb_mem_quota_query: '1073741824', tidb_enable_global_index: 'ON',
  tidb_resource_control_strict_mode: 'ON', tidb_enable_resource_control: 'ON', tidb_ddl_reorg_worker_cnt: '4',
  new_collation_enabled: 'ON', tidb_snapshot: '', tidb_isolation_read_engines: 'tikv,tiflash,tidb',
};

/** names a Lightning-like importer reads; SHOW VARIABLES lists these */
export function defaultVariables(): Map<string, string> {
  return new Map(Object.entries(DEFAULTS));
}

export class Variables {
  readonly session = new Map<string, string>();
  readonly user = new Map<string, string>();
  constructor(readonly global: Map<string, string>) {}

  get(scopedName: string): string | undefined {
    const [scope, name] = scopedName.includes('.') ? scopedName.split('.', 2) as [string, string] : ['session', scopedName];
    if (scope === 'global') return this.global.get(name);
    return this.session.get(name) ?? this.global.get(name);
  }

  set(scope: 'global' | 'session', name: string, value: string): void {
    const n = name.toLowerCase();
    if (scope === 'global') this.global.set(n, value); else this.session.set(n, value);
  }

  /** every variable as the scope sees it, sorted */
  all(scope: 'global' | 'session'): [string, string][] {
    const m = new Map(this.global);
    if (scope === 'session') for (const [k, v] of this.session) m.set(k, v);
    return [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }
}
