// Maps TiKV region errors (errorpb.Error inside responses) and gRPC statuses to LightningError codes, the way
// Lightning classifies them (protocol.md §5.5): the region error stays attached for callers that need the
// leader hint or the current regions.
import * as grpc from '@grpc/grpc-js';
import { Codes, LightningError, type Code } from '../errors.js';
import type { RegionErrorPb } from './pb.js';
import { peerFromPb, regionFromPb, num, type Peer, type Region } from './types.js';

export class RegionError extends LightningError {
  readonly regionError: RegionErrorPb;
  /** not_leader's hint, when TiKV knew the leader */
  readonly leaderHint?: Peer;
  /** epoch_not_match's current regions (may be empty) */
  readonly currentRegions: Region[];

  constructor(err: RegionErrorPb, what: string, context: Record<string, string | number> = {}) {
    const [code, retryable] = classify(err);
    super(code, `${what}: ${err.message || kindOf(err)}`, { context, retryable });
    this.regionError = err;
    if (err.not_leader?.leader && num(err.not_leader.leader.id) !== 0) this.leaderHint = peerFromPb(err.not_leader.leader);
    this.currentRegions = (err.epoch_not_match?.current_regions ?? []).map(regionFromPb);
  }
}

export function kindOf(err: RegionErrorPb): string {
  for (const k of ['not_leader', 'region_not_found', 'key_not_in_region', 'epoch_not_match', 'server_is_busy',
    'stale_command', 'store_not_match', 'raft_entry_too_large', 'read_index_not_ready', 'proposal_in_merging_mode',
    'disk_full'] as const) {
    if (err[k]) return k;
  }
  return 'unknown';
}

function classify(err: RegionErrorPb): [Code, boolean] {
  if (err.not_leader) return [Codes.KVNotLeader, true];
  if (err.epoch_not_match) return [Codes.KVEpochNotMatch, true];
  if (err.server_is_busy) return [Codes.KVServerIsBusy, true];
  if (err.region_not_found) return [Codes.KVRegionNotFound, true];
  if (err.read_index_not_ready) return [Codes.KVReadIndexNotReady, true];
  if (err.disk_full) return [Codes.KVDiskFull, false];
  if (err.key_not_in_region) return [Codes.KVKeyNotInRegion, true];
  if (err.message?.includes('raft: proposal dropped')) return [Codes.KVRaftProposalDropped, true];
  return [Codes.KVIngestFailed, true];
}

const RETRYABLE_STATUS = new Set([grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED, grpc.status.RESOURCE_EXHAUSTED,
  grpc.status.ABORTED, grpc.status.CANCELLED, grpc.status.UNKNOWN]);

/** A failed gRPC call as a LightningError; `Unknown` is retryable except the two TiKV texts Lightning excludes. */
export function fromGrpcError(e: unknown, code: Code, method: string, addr: string): LightningError {
  if (e instanceof LightningError) return e;
  const se = e as Partial<grpc.ServiceError>;
  const status = typeof se.code === 'number' ? se.code : grpc.status.UNKNOWN;
  const details = se.details ?? (e instanceof Error ? e.message : String(e));
  const retryable = RETRYABLE_STATUS.has(status) &&
    !(status === grpc.status.UNKNOWN && /DiskSpaceNotEnough|Keys must be added in strict ascending order/.test(details));
  return new LightningError(code, `${method} at ${addr} failed: ${grpc.status[status] ?? status}: ${details}`, {
    cause: e, retryable, context: { grpcCode: status, method, addr },
  });
}

/** The gRPC status code of a LightningError made by fromGrpcError, if any. */
export function grpcCodeOf(e: unknown): number | undefined {
  return e instanceof LightningError && typeof e.context.grpcCode === 'number' ? e.context.grpcCode : undefined;
}
