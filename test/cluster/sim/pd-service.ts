// Simulated PD gRPC service (protocol.md §3 and §10 items 1–8).
import * as grpc from '@grpc/grpc-js';
import type * as pb from '../../../src/cluster/pb.js';
import { buf, num, big, regionToPb, peerToPb } from '../../../src/cluster/types.js';
import { applyFaults, serviceError, toStatus, unary, type SimContext } from './serve.js';
import type { SimRegion, SimStoreMeta } from './state.js';

const SVC = 'PD';

export interface PdInfo { grpcAddr: string; name: string; memberId: number; scheme: string }

function storePb(s: SimStoreMeta): pb.StorePb {
  return { id: s.id, address: s.address, state: s.state, version: s.version, status_address: s.statusAddress, peer_address: '', node_state: 'Serving' };
}

export function pdService(ctx: SimContext, info: PdInfo): grpc.UntypedServiceImplementation {
  const st = ctx.state;
  const ok = (extra: object = {}) => ({ header: { cluster_id: st.clusterId.toString() }, ...extra });
  const err = (type: string, message: string, extra: object = {}) => ({ header: { cluster_id: st.clusterId.toString(), error: { type, message } }, ...extra });
  const member = (): pb.MemberPb => ({
    name: info.name, member_id: info.memberId, client_urls: [`${info.scheme}://${info.grpcAddr}`], peer_urls: [`${info.scheme}://${info.grpcAddr}`],
  });
  const regionResp = (r: SimRegion | undefined) => r
    ? ok({ region: regionToPb(r), leader: peerToPb(st.leaderOf(r)!), pending_peers: [], down_peers: [] })
    : err('REGION_NOT_FOUND', 'region not found');

  // Every request except GetMembers must carry this cluster's id (PD's validateRequest).
  const checked = <Req extends { header?: pb.RequestHeaderPb | null }, Res>(method: string, fn: (req: Req) => Res | Promise<Res>) =>
    unary<Req, Res | object>(ctx, SVC, method, (req, fault) => {
      const got = big(req.header?.cluster_id);
      if (got !== st.clusterId) throw serviceError(grpc.status.FAILED_PRECONDITION, `mismatch cluster id, need ${st.clusterId} but got ${got}`);
      if (fault?.kind === 'pdError') return err(fault.type, fault.message);
      return fn(req);
    });

  return {
    GetMembers: unary(ctx, SVC, 'GetMembers', () => ok({ members: [member()], leader: member(), etcd_leader: member() })),

    Tso: (call: grpc.ServerDuplexStream<pb.TsoRequestPb, pb.TsoResponsePb>) => {
      // answers strictly in order, one response per request; emitting 'error' ends the stream with that status
      let chain = Promise.resolve();
      let closed = false;
      const fail = (e: unknown) => { if (!closed) { closed = true; call.emit('error', toStatus(e)); } };
      call.on('data', (req: pb.TsoRequestPb) => {
        chain = chain.then(async () => {
          if (closed) return;
          const got = big(req.header?.cluster_id);
          if (got !== st.clusterId) throw serviceError(grpc.status.FAILED_PRECONDITION, `mismatch cluster id, need ${st.clusterId} but got ${got}`);
          const fault = await applyFaults(ctx, SVC, 'Tso');
          if (closed) return;
          if (fault?.kind === 'pdError') { call.write(err(fault.type, fault.message, { count: req.count })); return; }
          const count = Math.max(1, req.count ?? 1);
          const ts = st.tso(count);
          call.write(ok({ count: req.count, timestamp: { physical: ts.physical, logical: ts.logical, suffix_bits: 0 } }));
        }).catch(fail);
      });
      call.on('end', () => { void chain.then(() => { if (!closed) { closed = true; call.end(); } }); });
      call.on('cancelled', () => { closed = true; });
    },

    GetStore: checked<{ header?: pb.RequestHeaderPb; store_id?: string }, object>('GetStore', (req) => {
      const s = st.stores.get(num(req.store_id));
      if (!s) return err('UNKNOWN', `invalid store ID ${num(req.store_id)}, not found`);
      const regionCount = st.regions.filter((r) => r.peers.some((p) => p.storeId === s.id)).length;
      return ok({ store: storePb(s), stats: { store_id: s.id, capacity: 1 << 40, available: 1 << 39, region_count: regionCount, used_size: 0 } });
    }),

    GetAllStores: checked<{ header?: pb.RequestHeaderPb; exclude_tombstone_stores?: boolean }, object>('GetAllStores', (req) =>
      ok({ stores: [...st.stores.values()].filter((s) => !(req.exclude_tombstone_stores && s.state === 'Tombstone')).map(storePb) })),

    GetRegion: checked<{ header?: pb.RequestHeaderPb; region_key?: Buffer }, object>('GetRegion', (req) => regionResp(st.regionByKey(buf(req.region_key)))),

    GetRegionByID: checked<{ header?: pb.RequestHeaderPb; region_id?: string }, object>('GetRegionByID', (req) => regionResp(st.regionById(num(req.region_id)))),

    ScanRegions: checked<{ header?: pb.RequestHeaderPb; start_key?: Buffer; end_key?: Buffer; limit?: number }, object>('ScanRegions', (req) => {
      const start = buf(req.start_key), end = buf(req.end_key);
      const limit = req.limit && req.limit > 0 ? req.limit : Infinity;
      const picked: SimRegion[] = [];
      for (const r of st.regions) {
        if (picked.length >= limit) break;
        if (r.endKey.length > 0 && Buffer.compare(r.endKey, start) <= 0) continue; // entirely before start_key
        if (end.length > 0 && Buffer.compare(r.startKey, end) >= 0) break;
        picked.push(r);
      }
      const leaders = picked.map((r) => peerToPb(st.leaderOf(r)!));
      return ok({
        regions: picked.map((r, i) => ({ region: regionToPb(r), leader: leaders[i], pending_peers: [], down_peers: [] })),
        region_metas: picked.map(regionToPb), leaders,
      });
    }),

    SplitRegions: checked<{ header?: pb.RequestHeaderPb; split_keys?: Buffer[] }, object>('SplitRegions', (req) => {
      const created = st.splitAtEncoded((req.split_keys ?? []).map(buf));
      return ok({ finished_percentage: 100, regions_id: created.map((r) => r.id) });
    }),

    SplitAndScatterRegions: checked<{ header?: pb.RequestHeaderPb; split_keys?: Buffer[] }, object>('SplitAndScatterRegions', (req) => {
      const created = st.splitAtEncoded((req.split_keys ?? []).map(buf));
      for (const r of created) st.scatter(r.id);
      return ok({ split_finished_percentage: 100, scatter_finished_percentage: 100, regions_id: created.map((r) => r.id) });
    }),

    ScatterRegion: checked<{ header?: pb.RequestHeaderPb; region_id?: string; regions_id?: string[] }, object>('ScatterRegion', (req) => {
      const ids = (req.regions_id ?? []).map(num);
      if (ids.length === 0) {
        const id = num(req.region_id);
        if (!st.scatter(id)) return err('UNKNOWN', `region ${id} not found`);
        return ok({ finished_percentage: 100 });
      }
      const failed = ids.filter((id) => !st.scatter(id));
      return ok({ finished_percentage: Math.floor(((ids.length - failed.length) * 100) / ids.length), failed_regions_id: failed });
    }),

    GetOperator: checked<{ header?: pb.RequestHeaderPb; region_id?: string }, object>('GetOperator', (req) => {
      const id = num(req.region_id);
      const op = st.operators.get(id);
      if (!op) return err('REGION_NOT_FOUND', 'Not Found');
      // RUNNING on the first poll, SUCCESS afterwards
      const status = op.polls++ === 0 ? 'RUNNING' : 'SUCCESS';
      op.status = status;
      return ok({ region_id: id, desc: Buffer.from(op.desc), status, kind: Buffer.from('admin,region') });
    }),

    UpdateServiceGCSafePoint: checked<{ header?: pb.RequestHeaderPb; service_id?: Buffer; TTL?: string; safe_point?: string }, object>(
      'UpdateServiceGCSafePoint', (req) => {
        const id = buf(req.service_id).toString();
        const min = st.updateServiceSafePoint(id, num(req.TTL), big(req.safe_point));
        return ok({ service_id: buf(req.service_id), TTL: req.TTL ?? '0', min_safe_point: min.toString() });
      }),

    GetClusterConfig: checked('GetClusterConfig', () => ok({ cluster: { id: st.clusterId.toString(), max_peer_count: 3 } })),
  };
}
