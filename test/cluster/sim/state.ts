// The simulated cluster's shared truth: stores, regions (encoded keys, epochs, peers, leader), id allocation,
// TSO, GC safe points and scatter operators. PD serves it; TiKV stores check requests against it.
import { encodeBytes } from '../../../src/cluster/keys.js';
import type { Region, Peer } from '../../../src/cluster/types.js';

export interface SimStoreMeta {
  id: number; address: string; statusAddress: string; state: 'Up' | 'Offline' | 'Tombstone'; version: string;
}
export interface SimRegion extends Region { leaderStoreId: number }
export interface SimOperator { desc: string; status: 'RUNNING' | 'SUCCESS'; polls: number }

export const MAX_LOGICAL = 1 << 18;

export class SimState {
  readonly clusterId: bigint;
  readonly stores = new Map<number, SimStoreMeta>();
  /** sorted by start key, contiguous, covering the whole key space */
  regions: SimRegion[] = [];
  readonly operators = new Map<number, SimOperator>();
  readonly gcSafePoints = new Map<string, { safePoint: bigint; expireAt: number }>();
  private nextId = 1000;
  private tsPhysical = 0;
  private tsLogical = 0;

  constructor(clusterId: bigint) {
    this.clusterId = clusterId;
  }

  allocId(): number { return this.nextId++; }

  /** One region over everything with a peer on each of the first `replicas` stores; leader on the first. */
  bootstrap(storeIds: number[], replicas: number): void {
    const peers: Peer[] = storeIds.slice(0, replicas).map((s) => ({ id: this.allocId(), storeId: s, role: 'Voter' }));
    this.regions = [{
      id: this.allocId(), startKey: Buffer.alloc(0), endKey: Buffer.alloc(0), epoch: { confVer: 1, version: 1 }, peers,
      leaderStoreId: peers[0]!.storeId,
    }];
  }

  regionById(id: number): SimRegion | undefined { return this.regions.find((r) => r.id === id); }

  /** region containing an encoded key */
  regionByKey(encKey: Buffer): SimRegion | undefined {
    return this.regions.find((r) => Buffer.compare(r.startKey, encKey) <= 0 && (r.endKey.length === 0 || Buffer.compare(encKey, r.endKey) < 0));
  }

  leaderOf(r: SimRegion): Peer | undefined { return r.peers.find((p) => p.storeId === r.leaderStoreId); }

  /**
   * Batch split of one region at encoded keys strictly inside it. Like TiKV with right-derive: the original id keeps
   * the right-most part, the others get new ids; every resulting region's version grows by the number of new
   * regions; peers are copied with new ids onto the same stores and the leader stays on the same store.
   */
  splitRegion(regionId: number, encKeys: Buffer[]): SimRegion[] {
    const r = this.regionById(regionId);
    if (!r) throw new Error(`region ${regionId} not found`);
    const keys = [...new Set(encKeys.map((k) => k.toString('hex')))].map((h) => Buffer.from(h, 'hex'))
      .sort(Buffer.compare)
      .filter((k) => Buffer.compare(k, r.startKey) > 0 && (r.endKey.length === 0 || Buffer.compare(k, r.endKey) < 0));
    if (keys.length === 0) return [r];
    const version = r.epoch.version + keys.length;
    const bounds = [r.startKey, ...keys, r.endKey];
    const out: SimRegion[] = [];
    for (let i = 0; i < bounds.length - 1; i++) {
      const last = i === bounds.length - 2;
      out.push({
        id: last ? r.id : this.allocId(), startKey: bounds[i]!, endKey: bounds[i + 1]!,
        epoch: { confVer: r.epoch.confVer, version },
        peers: last ? r.peers : r.peers.map((p) => ({ id: this.allocId(), storeId: p.storeId, role: p.role })),
        leaderStoreId: r.leaderStoreId,
      });
    }
    const idx = this.regions.indexOf(r);
    this.regions.splice(idx, 1, ...out);
    return out;
  }

  /** Splits wherever the raw keys fall (used for PD-side splits and "split behind the client's back"). */
  splitAtEncoded(encKeys: Buffer[]): SimRegion[] {
    const byRegion = new Map<number, Buffer[]>();
    for (const k of encKeys) {
      const r = this.regionByKey(k);
      if (!r || r.startKey.equals(k)) continue;
      byRegion.set(r.id, [...(byRegion.get(r.id) ?? []), k]);
    }
    const created: SimRegion[] = [];
    for (const [id, keys] of byRegion) created.push(...this.splitRegion(id, keys).filter((x) => x.id !== id));
    return created;
  }

  splitAtRaw(rawKeys: Buffer[]): SimRegion[] {
    return this.splitAtEncoded(rawKeys.map((k) => encodeBytes(k)));
  }

  transferLeader(regionId: number, toStore: number): void {
    const r = this.regionById(regionId);
    if (!r || !r.peers.some((p) => p.storeId === toStore)) throw new Error(`region ${regionId} has no peer on store ${toStore}`);
    r.leaderStoreId = toStore;
  }

  /** Scatter moves the leader to the next peer and leaves a scatter-region operator that runs one poll. */
  scatter(regionId: number): boolean {
    const r = this.regionById(regionId);
    if (!r) return false;
    const i = r.peers.findIndex((p) => p.storeId === r.leaderStoreId);
    r.leaderStoreId = r.peers[(i + 1) % r.peers.length]!.storeId;
    this.operators.set(regionId, { desc: 'scatter-region', status: 'RUNNING', polls: 0 });
    return true;
  }

  /** Strictly increasing timestamps; returns the last of a batch of `count` (physical ms, logical). */
  tso(count: number): { physical: number; logical: number } {
    const now = Date.now();
    if (now > this.tsPhysical) { this.tsPhysical = now; this.tsLogical = 0; }
    if (this.tsLogical + count >= MAX_LOGICAL) { this.tsPhysical++; this.tsLogical = 0; }
    this.tsLogical += count;
    return { physical: this.tsPhysical, logical: this.tsLogical };
  }

  /** Service GC safe points: TTL 0 removes; expired entries drop; returns the minimum left. */
  updateServiceSafePoint(serviceId: string, ttlSec: number, safePoint: bigint): bigint {
    const now = Date.now();
    for (const [k, v] of this.gcSafePoints) if (v.expireAt <= now) this.gcSafePoints.delete(k);
    if (ttlSec <= 0) this.gcSafePoints.delete(serviceId);
    else this.gcSafePoints.set(serviceId, { safePoint, expireAt: now + ttlSec * 1000 });
    let min: bigint | undefined;
    for (const v of this.gcSafePoints.values()) if (min === undefined || v.safePoint < min) min = v.safePoint;
    return min ?? safePoint;
  }
}
