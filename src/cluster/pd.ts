// PD client: the calls an importer makes (protocol.md §3). Keys are the encoded keys PD stores (§3.6).
import * as grpc from '@grpc/grpc-js';
import { Codes, LightningError } from '../errors.js';
import type * as pb from './pb.js';
import { RpcClient, hostPort, type ClientOptions } from './rpc.js';
import { composeTS } from './tso.js';
import { big, buf, num, peerFromPb, regionFromPb, regionToPb, storeFromPb, type Peer, type Region, type RegionInfo, type Store } from './types.js';

export interface Member { name: string; memberId: bigint; clientUrls: string[]; peerUrls: string[] }
export interface Operator { regionId: number; desc: string; status: string; kind: string }
export interface ScatterResult { finishedPercentage: number; failedRegionIds: number[] }

interface TsoWaiter { count: number; resolve: (ts: bigint) => void; reject: (e: unknown) => void }

export class PdClient extends RpcClient {
  private tso?: grpc.ClientDuplexStream<pb.TsoRequestPb, pb.TsoResponsePb>;
  private tsoWaiters: TsoWaiter[] = [];

  private constructor(addr: string, readonly clusterId: bigint, private readonly opts: ClientOptions) {
    super(addr, 'pdpb.PD', Codes.PDRequest, opts);
  }

  /** GetMembers at `addr` (any PD), then a client bound to the leader's first client URL. */
  static async connect(addr: string, opts: ClientOptions = {}): Promise<PdClient> {
    const probe = new PdClient(addr, 0n, opts);
    let res: pb.GetMembersResponsePb;
    try {
      res = await probe.unary<pb.GetMembersRequestPb, pb.GetMembersResponsePb>('GetMembers', { header: { cluster_id: 0 } });
    } catch (e) {
      probe.close();
      throw e;
    }
    const clusterId = big(res.header?.cluster_id);
    const leaderUrl = res.leader?.client_urls?.[0];
    probe.close();
    if (clusterId === 0n || !leaderUrl) {
      throw new LightningError(Codes.PDRequest, `PD at ${addr} returned no cluster id or leader`, { context: { addr } });
    }
    return new PdClient(hostPort(leaderUrl), clusterId, probe.opts);
  }

  private header(): pb.RequestHeaderPb {
    return { cluster_id: this.clusterId.toString() };
  }

  /** Unary call with header; a header error other than `allow` becomes a PDRequest error. */
  private async call<Res extends { header?: pb.ResponseHeaderPb | null }>(
    method: string, req: object, allow: string[] = [],
  ): Promise<Res> {
    const res = await this.unary<object, Res>(method, { header: this.header(), ...req });
    const err = res.header?.error;
    if (err && err.type !== 'OK' && err.type !== 0 && !allow.includes(String(err.type))) {
      throw new LightningError(Codes.PDRequest, `PD ${method}: ${err.type}: ${err.message ?? ''}`, {
        context: { method, pdErrorType: String(err.type) },
      });
    }
    return res;
  }

  async getMembers(): Promise<{ clusterId: bigint; leader?: Member; members: Member[] }> {
    const res = await this.call<pb.GetMembersResponsePb>('GetMembers', {});
    const conv = (m: pb.MemberPb): Member => ({ name: m.name ?? '', memberId: big(m.member_id), clientUrls: m.client_urls ?? [], peerUrls: m.peer_urls ?? [] });
    return { clusterId: big(res.header?.cluster_id), leader: res.leader ? conv(res.leader) : undefined, members: (res.members ?? []).map(conv) };
  }

  /** `count` timestamps over the shared Tso stream; returns the first (the batch is first … first+count−1). */
  getTS(count = 1): Promise<bigint> {
    return new Promise<bigint>((resolve, reject) => {
      const stream = this.tsoStream();
      this.tsoWaiters.push({ count, resolve, reject });
      stream.write({ header: this.header(), count, dc_location: '' });
    });
  }

  private tsoStream(): grpc.ClientDuplexStream<pb.TsoRequestPb, pb.TsoResponsePb> {
    if (this.tso) return this.tso;
    const s = this.bidi<pb.TsoRequestPb, pb.TsoResponsePb>('Tso');
    s.on('data', (res: pb.TsoResponsePb) => {
      const w = this.tsoWaiters.shift();
      if (!w) return;
      const err = res.header?.error;
      if (err && err.type !== 'OK') return w.reject(new LightningError(Codes.PDRequest, `PD Tso: ${err.type}: ${err.message}`));
      if (res.count !== w.count) return w.reject(new LightningError(Codes.PDRequest, `PD Tso answered ${res.count} timestamps, asked ${w.count}`));
      // logical in the response is the last of the batch
      const last = composeTS(big(res.timestamp?.physical), big(res.timestamp?.logical));
      w.resolve(last - BigInt(w.count) + 1n);
    });
    const fail = (e: unknown) => {
      this.tso = undefined;
      const ws = this.tsoWaiters.splice(0);
      const err = new LightningError(Codes.PDRequest, `PD Tso stream failed: ${(e as Error)?.message ?? e}`, { cause: e, retryable: true });
      for (const w of ws) w.reject(err);
    };
    s.on('error', fail);
    s.on('end', () => fail(new Error('stream ended')));
    this.tso = s;
    return s;
  }

  async getStore(storeId: number): Promise<Store> {
    const res = await this.call<pb.GetStoreResponsePb>('GetStore', { store_id: storeId });
    if (!res.store) throw new LightningError(Codes.PDRequest, `PD GetStore: store ${storeId} not returned`);
    return storeFromPb(res.store);
  }

  async getAllStores(excludeTombstone = true): Promise<Store[]> {
    const res = await this.call<pb.GetAllStoresResponsePb>('GetAllStores', { exclude_tombstone_stores: excludeTombstone });
    return (res.stores ?? []).map(storeFromPb);
  }

  /** Region containing the encoded key; undefined when PD has none (REGION_NOT_FOUND header or empty region). */
  async getRegion(encodedKey: Buffer): Promise<RegionInfo | undefined> {
    return regionInfo(await this.call<pb.GetRegionResponsePb>('GetRegion', { region_key: encodedKey }, ['REGION_NOT_FOUND']));
  }

  async getRegionByID(regionId: number): Promise<RegionInfo | undefined> {
    return regionInfo(await this.call<pb.GetRegionResponsePb>('GetRegionByID', { region_id: regionId }, ['REGION_NOT_FOUND']));
  }

  /** One ScanRegions call (encoded keys; limit ≤ 0 = no limit). Paginate with scanRegionsAll. */
  async scanRegions(startKey: Buffer, endKey: Buffer, limit: number): Promise<RegionInfo[]> {
    const res = await this.call<pb.ScanRegionsResponsePb>('ScanRegions', { start_key: startKey, end_key: endKey, limit });
    if (res.regions && res.regions.length > 0) {
      return res.regions.filter((r) => r.region).map((r) => toInfo(r.region!, r.leader, r.pending_peers, r.down_peers?.map((d) => d.peer!).filter(Boolean)));
    }
    // old PDs only fill the parallel arrays
    return (res.region_metas ?? []).map((m, i) => toInfo(m, res.leaders?.[i]));
  }

  /** Pages through ScanRegions with Lightning's limit of 128 until `endKey` (empty = +∞) is covered. */
  async scanRegionsAll(startKey: Buffer, endKey: Buffer, limit = 128): Promise<RegionInfo[]> {
    const out: RegionInfo[] = [];
    let key = startKey;
    for (;;) {
      const batch = await this.scanRegions(key, endKey, limit);
      out.push(...batch);
      const last = batch[batch.length - 1];
      if (!last || batch.length < limit || last.region.endKey.length === 0 ||
        (endKey.length > 0 && Buffer.compare(last.region.endKey, endKey) >= 0)) return out;
      key = last.region.endKey;
    }
  }

  async splitRegions(encodedKeys: Buffer[], retryLimit = 0): Promise<{ finishedPercentage: number; regionIds: number[] }> {
    const res = await this.call<pb.SplitRegionsResponsePb>('SplitRegions', { split_keys: encodedKeys, retry_limit: retryLimit });
    return { finishedPercentage: num(res.finished_percentage), regionIds: (res.regions_id ?? []).map(num) };
  }

  async splitAndScatterRegions(encodedKeys: Buffer[], group = '', retryLimit = 0):
  Promise<{ splitFinishedPercentage: number; scatterFinishedPercentage: number; regionIds: number[] }> {
    const res = await this.call<pb.SplitAndScatterRegionsResponsePb>('SplitAndScatterRegions', { split_keys: encodedKeys, group, retry_limit: retryLimit });
    return {
      splitFinishedPercentage: num(res.split_finished_percentage), scatterFinishedPercentage: num(res.scatter_finished_percentage),
      regionIds: (res.regions_id ?? []).map(num),
    };
  }

  /** Batch scatter (`regions_id`, skip_store_limit), as Lightning does. */
  async scatterRegions(regionIds: number[], group = ''): Promise<ScatterResult> {
    const res = await this.call<pb.ScatterRegionResponsePb>('ScatterRegion', { regions_id: regionIds, skip_store_limit: true, group });
    return { finishedPercentage: num(res.finished_percentage), failedRegionIds: (res.failed_regions_id ?? []).map(num) };
  }

  /** Single-region scatter: Lightning's fallback for PDs that ignore `regions_id`. */
  async scatterRegion(region: Region, leader?: Peer): Promise<ScatterResult> {
    const res = await this.call<pb.ScatterRegionResponsePb>('ScatterRegion', {
      region_id: region.id, region: regionToPb(region), leader: leader ? { id: leader.id, store_id: leader.storeId } : null,
    });
    return { finishedPercentage: num(res.finished_percentage), failedRegionIds: (res.failed_regions_id ?? []).map(num) };
  }

  /** The region's operator; undefined when PD has none (REGION_NOT_FOUND header, message `Not Found`). */
  async getOperator(regionId: number): Promise<Operator | undefined> {
    const res = await this.call<pb.GetOperatorResponsePb>('GetOperator', { region_id: regionId }, ['REGION_NOT_FOUND']);
    if (res.header?.error && res.header.error.type === 'REGION_NOT_FOUND') return undefined;
    return { regionId: num(res.region_id), desc: buf(res.desc).toString(), status: String(res.status), kind: buf(res.kind).toString() };
  }

  /** Keeps `safePoint` for `serviceId` for `ttlSeconds` (0 removes it); returns PD's min service safe point. */
  async updateServiceGCSafePoint(serviceId: string, ttlSeconds: number, safePoint: bigint): Promise<bigint> {
    const res = await this.call<pb.UpdateServiceGCSafePointResponsePb>('UpdateServiceGCSafePoint', {
      service_id: Buffer.from(serviceId), TTL: ttlSeconds, safe_point: safePoint.toString(),
    });
    return big(res.min_safe_point);
  }

  override close(): void {
    this.tso?.cancel();
    this.tso = undefined;
    super.close();
  }
}

function toInfo(r: pb.RegionPb, leader?: pb.PeerPb | null, pending: pb.PeerPb[] = [], down: pb.PeerPb[] = []): RegionInfo {
  // an old PD may answer a leader with id 0: treat as unknown
  const l = leader && num(leader.id) !== 0 ? peerFromPb(leader) : undefined;
  return { region: regionFromPb(r), leader: l, pendingPeers: pending.map(peerFromPb), downPeers: down.map(peerFromPb) };
}

function regionInfo(res: pb.GetRegionResponsePb): RegionInfo | undefined {
  if (!res.region || (res.header?.error && res.header.error.type === 'REGION_NOT_FOUND')) return undefined;
  return toInfo(res.region, res.leader, res.pending_peers, (res.down_peers ?? []).map((d) => d.peer!).filter(Boolean));
}
