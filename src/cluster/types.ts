// Plain TypeScript views of the cluster metadata (ids as numbers: PD allocates them sequentially, far below
// 2^53; timestamps stay bigint) and the conversions to and from the wire shapes in pb.ts.
import type { PeerPb, RegionEpochPb, RegionPb, StorePb, ContextPb, U64 } from './pb.js';

export interface RegionEpoch { confVer: number; version: number }
export interface Peer { id: number; storeId: number; role: string }
export interface Region {
  id: number;
  /** memcomparable-encoded, empty = −∞ */
  startKey: Buffer;
  /** memcomparable-encoded, empty = +∞ */
  endKey: Buffer;
  epoch: RegionEpoch;
  peers: Peer[];
}
export interface RegionInfo { region: Region; leader?: Peer; pendingPeers: Peer[]; downPeers: Peer[] }
export interface Store {
  id: number; address: string; state: string; statusAddress: string; version: string;
  labels: { key: string; value: string }[];
}

export const num = (v: U64 | undefined | null): number => (v === undefined || v === null || v === '' ? 0 : Number(v));
export const big = (v: U64 | undefined | null): bigint => (v === undefined || v === null || v === '' ? 0n : BigInt(v));
export const buf = (v: Uint8Array | undefined | null): Buffer => (v ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : Buffer.alloc(0));

export function peerFromPb(p: PeerPb): Peer {
  return { id: num(p.id), storeId: num(p.store_id), role: typeof p.role === 'string' ? p.role : 'Voter' };
}
export function peerToPb(p: Peer): PeerPb {
  return { id: p.id, store_id: p.storeId, role: p.role };
}
export function epochFromPb(e: RegionEpochPb | null | undefined): RegionEpoch {
  return { confVer: num(e?.conf_ver), version: num(e?.version) };
}
export function epochToPb(e: RegionEpoch): RegionEpochPb {
  return { conf_ver: e.confVer, version: e.version };
}
export function regionFromPb(r: RegionPb): Region {
  return {
    id: num(r.id), startKey: buf(r.start_key), endKey: buf(r.end_key), epoch: epochFromPb(r.region_epoch),
    peers: (r.peers ?? []).map(peerFromPb),
  };
}
export function regionToPb(r: Region): RegionPb {
  return { id: r.id, start_key: r.startKey, end_key: r.endKey, region_epoch: epochToPb(r.epoch), peers: r.peers.map(peerToPb) };
}
export function storeFromPb(s: StorePb): Store {
  return {
    id: num(s.id), address: s.address ?? '', state: String(s.state ?? 'Up'), statusAddress: s.status_address ?? '',
    version: s.version ?? '', labels: (s.labels ?? []).map((l) => ({ key: l.key, value: l.value })),
  };
}

/** The kvrpcpb.Context an importer sends for a region-addressed call (Ingest, SplitRegion, Coprocessor). */
export function regionContext(region: Region, peer: Peer, extra: Partial<ContextPb> = {}): ContextPb {
  return { region_id: region.id, region_epoch: epochToPb(region.epoch), peer: peerToPb(peer), ...extra };
}
