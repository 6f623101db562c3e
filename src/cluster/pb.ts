// TypeScript shapes of the proto messages as @grpc/proto-loader decodes them (LOADER_OPTIONS in proto.ts):
// 64-bit integers arrive as decimal strings, enums by name, bytes as Buffer, unset messages as null.
// Outgoing messages may use numbers, and may omit fields (hence the optional markers).

export type U64 = string | number;
export type Bytes = Buffer | Uint8Array;

export interface RegionEpochPb { conf_ver?: U64; version?: U64 }
export interface PeerPb { id?: U64; store_id?: U64; role?: string | number; is_witness?: boolean }
export interface RegionPb {
  id?: U64; start_key?: Bytes; end_key?: Bytes; region_epoch?: RegionEpochPb | null; peers?: PeerPb[];
}
export interface StoreLabelPb { key: string; value: string }
export interface StorePb {
  id?: U64; address?: string; state?: string | number; labels?: StoreLabelPb[]; version?: string;
  peer_address?: string; status_address?: string; git_hash?: string; start_timestamp?: U64; deploy_path?: string;
  last_heartbeat?: U64; physically_destroyed?: boolean; node_state?: string | number;
}

export interface RegionErrorPb {
  message?: string;
  not_leader?: { region_id?: U64; leader?: PeerPb | null } | null;
  region_not_found?: { region_id?: U64 } | null;
  key_not_in_region?: { key?: Bytes; region_id?: U64; start_key?: Bytes; end_key?: Bytes } | null;
  epoch_not_match?: { current_regions?: RegionPb[] } | null;
  server_is_busy?: { reason?: string; backoff_ms?: U64; estimated_wait_ms?: number; applied_index?: U64 } | null;
  stale_command?: Record<string, never> | null;
  store_not_match?: { request_store_id?: U64; actual_store_id?: U64 } | null;
  raft_entry_too_large?: { region_id?: U64; entry_size?: U64 } | null;
  read_index_not_ready?: { reason?: string; region_id?: U64 } | null;
  proposal_in_merging_mode?: { region_id?: U64 } | null;
  disk_full?: { store_id?: U64[]; reason?: string } | null;
}

export interface ContextPb {
  region_id?: U64; region_epoch?: RegionEpochPb | null; peer?: PeerPb | null; priority?: string | number;
  isolation_level?: string | number; not_fill_cache?: boolean; api_version?: string | number;
  request_source?: string; txn_source?: U64; resource_control_context?: { resource_group_name?: string } | null;
}

// pdpb
export interface PdErrorPb { type?: string | number; message?: string }
export interface RequestHeaderPb { cluster_id?: U64; sender_id?: U64; caller_id?: string; caller_component?: string }
export interface ResponseHeaderPb { cluster_id?: U64; error?: PdErrorPb | null }
export interface MemberPb {
  name?: string; member_id?: U64; peer_urls?: string[]; client_urls?: string[]; leader_priority?: number;
  binary_version?: string; git_hash?: string; dc_location?: string;
}
export interface GetMembersRequestPb { header?: RequestHeaderPb }
export interface GetMembersResponsePb {
  header?: ResponseHeaderPb | null; members?: MemberPb[]; leader?: MemberPb | null; etcd_leader?: MemberPb | null;
}
export interface TimestampPb { physical?: U64; logical?: U64; suffix_bits?: number }
export interface TsoRequestPb { header?: RequestHeaderPb; count?: number; dc_location?: string }
export interface TsoResponsePb { header?: ResponseHeaderPb | null; count?: number; timestamp?: TimestampPb | null }
export interface StoreStatsPb { store_id?: U64; capacity?: U64; available?: U64; region_count?: number; used_size?: U64 }
export interface GetStoreResponsePb { header?: ResponseHeaderPb | null; store?: StorePb | null; stats?: StoreStatsPb | null }
export interface GetAllStoresResponsePb { header?: ResponseHeaderPb | null; stores?: StorePb[] }
export interface PeerStatsPb { peer?: PeerPb | null; down_seconds?: U64 }
export interface GetRegionResponsePb {
  header?: ResponseHeaderPb | null; region?: RegionPb | null; leader?: PeerPb | null; down_peers?: PeerStatsPb[];
  pending_peers?: PeerPb[];
}
export interface PdRegionPb { region?: RegionPb | null; leader?: PeerPb | null; down_peers?: PeerStatsPb[]; pending_peers?: PeerPb[] }
export interface ScanRegionsResponsePb {
  header?: ResponseHeaderPb | null; region_metas?: RegionPb[]; leaders?: PeerPb[]; regions?: PdRegionPb[];
}
export interface SplitRegionsResponsePb { header?: ResponseHeaderPb | null; finished_percentage?: U64; regions_id?: U64[] }
export interface SplitAndScatterRegionsResponsePb {
  header?: ResponseHeaderPb | null; split_finished_percentage?: U64; scatter_finished_percentage?: U64; regions_id?: U64[];
}
export interface ScatterRegionResponsePb { header?: ResponseHeaderPb | null; finished_percentage?: U64; failed_regions_id?: U64[] }
export interface GetOperatorResponsePb {
  header?: ResponseHeaderPb | null; region_id?: U64; desc?: Bytes; status?: string | number; kind?: Bytes;
}
export interface UpdateServiceGCSafePointResponsePb {
  header?: ResponseHeaderPb | null; service_id?: Bytes; TTL?: U64; min_safe_point?: U64;
}

// import_sstpb
export interface RangePb { start?: Bytes; end?: Bytes }
export interface SSTMetaPb {
  uuid?: Bytes; range?: RangePb | null; crc32?: number; length?: U64; cf_name?: string; region_id?: U64;
  region_epoch?: RegionEpochPb | null; end_key_exclusive?: boolean; total_kvs?: U64; total_bytes?: U64;
  api_version?: string | number; cipher_iv?: Bytes;
}
export interface ImportErrorPb { message?: string; store_error?: RegionErrorPb | null }
export interface PairPb { key?: Bytes; value?: Bytes; op?: string | number }
export interface WriteBatchPb { commit_ts?: U64; pairs?: PairPb[] }
export interface WriteRequestPb { meta?: SSTMetaPb | null; batch?: WriteBatchPb | null; context?: ContextPb | null; chunk?: string }
export interface WriteResponsePb { error?: ImportErrorPb | null; metas?: SSTMetaPb[] }
export interface IngestRequestPb { context?: ContextPb | null; sst?: SSTMetaPb | null }
export interface MultiIngestRequestPb { context?: ContextPb | null; ssts?: SSTMetaPb[] }
export interface IngestResponsePb { error?: RegionErrorPb | null }
export interface SwitchModeRequestPb { mode?: string | number; ranges?: RangePb[] }
export interface GetModeResponsePb { mode?: string | number }
export interface CompactRequestPb { range?: RangePb | null; output_level?: number; context?: ContextPb | null }
export interface RewriteRulePb {
  old_key_prefix?: Bytes; new_key_prefix?: Bytes; new_timestamp?: U64; ignore_after_timestamp?: U64;
  ignore_before_timestamp?: U64;
}
export interface StorageBackendPb { noop?: Record<string, never> | null; local?: { path?: string } | null; backend?: string }
export interface DownloadRequestPb {
  sst?: SSTMetaPb | null; name?: string; rewrite_rule?: RewriteRulePb | null; context?: ContextPb | null;
  sorted_rewrite_rules?: RewriteRulePb[]; is_raw_kv?: boolean; storage_backend?: StorageBackendPb | null;
}
export interface DownloadResponsePb {
  range?: RangePb | null; is_empty?: boolean; error?: ImportErrorPb | null; crc32?: number; length?: U64; ssts?: SSTMetaPb[];
}

// kvrpcpb split / coprocessor
export interface SplitRegionRequestPb { context?: ContextPb | null; split_keys?: Bytes[]; is_raw_kv?: boolean }
export interface SplitRegionResponsePb { region_error?: RegionErrorPb | null; regions?: RegionPb[] }
export interface KeyRangePb { start?: Bytes; end?: Bytes }
export interface CopRequestPb { context?: ContextPb | null; tp?: U64; data?: Bytes; ranges?: KeyRangePb[]; start_ts?: U64 }
export interface CopResponsePb {
  data?: Bytes; region_error?: RegionErrorPb | null; locked?: { primary_lock?: Bytes; lock_version?: U64; key?: Bytes } | null;
  other_error?: string;
}
export interface ChecksumRequestPb { start_ts_fallback?: U64; scan_on?: string | number; algorithm?: string | number }
export interface ChecksumResponsePb { checksum?: U64; total_kvs?: U64; total_bytes?: U64 }

// import_kvpb
export interface ImportKvErrorPb { engine_not_found?: { uuid?: Bytes } | null }
export interface WriteEngineRequestPb {
  head?: { uuid?: Bytes } | null;
  batch?: { commit_ts?: U64; mutations?: { op?: string | number; key?: Bytes; value?: Bytes }[] } | null;
  chunk?: string;
}
export interface WriteEngineResponsePb { error?: ImportKvErrorPb | null }
