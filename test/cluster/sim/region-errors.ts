// errorpb.Error values with the texts real TiKV puts in `message` (protocol.md §2.2, §4.4).
import type * as pb from '../../../src/cluster/pb.js';
import { regionToPb, peerToPb, type RegionEpoch } from '../../../src/cluster/types.js';
import type { SimRegion, SimState } from './state.js';
import type { FaultError } from './faults.js';

const peerDebug = (p?: { id: number; storeId: number }) => (p ? `Some(id: ${p.id} store_id: ${p.storeId})` : 'None');
export const epochDebug = (e: RegionEpoch) => `conf_ver: ${e.confVer} version: ${e.version}`;

export function notLeader(st: SimState, r: SimRegion, withHint = true): pb.RegionErrorPb {
  const leader = withHint ? st.leaderOf(r) : undefined;
  return {
    message: `peer is not leader for region ${r.id}, leader may ${peerDebug(leader)}`,
    not_leader: { region_id: r.id, leader: leader ? peerToPb(leader) : null },
  };
}

export function regionNotFound(id: number): pb.RegionErrorPb {
  return { message: `region ${id} not found`, region_not_found: { region_id: id } };
}

export function epochNotMatch(message: string, current: SimRegion[]): pb.RegionErrorPb {
  return { message: `EpochNotMatch ${message}`, epoch_not_match: { current_regions: current.map(regionToPb) } };
}

export function keyNotInRegion(key: Buffer, r: SimRegion): pb.RegionErrorPb {
  return {
    message: `key ${key.toString('hex').toUpperCase()} is not in region key range [${r.startKey.toString('hex').toUpperCase()}, ${r.endKey.toString('hex').toUpperCase()}) for region ${r.id}`,
    key_not_in_region: { key, region_id: r.id, start_key: r.startKey, end_key: r.endKey },
  };
}

export function serverIsBusy(reason: string, backoffMs = 0): pb.RegionErrorPb {
  return { message: reason, server_is_busy: { reason, backoff_ms: backoffMs } };
}

export function staleCommand(message = 'stale command'): pb.RegionErrorPb {
  return { message, stale_command: {} };
}

export function diskFull(storeId: number, reason = 'disk is full'): pb.RegionErrorPb {
  return { message: `store ids [${storeId}], errmsg ${reason}`, disk_full: { store_id: [storeId], reason } };
}

export function readIndexNotReady(regionId: number, reason = 'can not read index due to no leader'): pb.RegionErrorPb {
  return { message: `read index not ready, reason ${reason}, region ${regionId}`, read_index_not_ready: { reason, region_id: regionId } };
}

/** A scripted fault as the region error TiKV would send. NotLeader with a hint moves the leader first. */
export function faultRegionError(f: FaultError, st: SimState, r: SimRegion | undefined, storeId: number, regionId: number): pb.RegionErrorPb {
  switch (f.kind) {
    case 'notLeader': {
      if (!r) return regionNotFound(regionId);
      // with a hint the leader really moved (so the hint is true); without one an election is "in progress"
      const withHint = f.hint ?? true;
      const other = r.peers.find((p) => p.storeId !== storeId);
      if (withHint && other && r.leaderStoreId === storeId) st.transferLeader(r.id, other.storeId);
      return notLeader(st, r, withHint);
    }
    case 'epochNotMatch':
      return epochNotMatch(`current epoch of region ${regionId} is ${r ? epochDebug(r.epoch) : '?'}`, f.currentRegions === false || !r ? [] : [r]);
    case 'serverIsBusy': return serverIsBusy(f.reason ?? 'too many sst files are ingesting', f.backoffMs ?? 0);
    case 'regionNotFound': return regionNotFound(regionId);
    case 'keyNotInRegion': return r ? keyNotInRegion(r.startKey, r) : regionNotFound(regionId);
    case 'staleCommand': return staleCommand();
    case 'readIndexNotReady': return readIndexNotReady(regionId);
    case 'proposalDropped': return { message: `[region ${regionId}] ingest failed: Other("[components/raftstore/src/store/fsm/apply.rs]: raft: proposal dropped")` };
    case 'diskFull': return diskFull(storeId);
    default: return { message: `simulated fault ${f.kind}` };
  }
}
