// Simulated tikvpb.Tikv for one store: batch SplitRegion and the checksum coprocessor (protocol.md §5.3, §6, §10 14–15).
import type * as grpc from '@grpc/grpc-js';
import type * as pb from '../../../src/cluster/pb.js';
import { buf, num, big, epochFromPb, regionToPb } from '../../../src/cluster/types.js';
import { encodeBytes, decodeRegionKey } from '../../../src/cluster/keys.js';
import { messageCodec } from '../../../src/cluster/proto.js';
import { unary } from './serve.js';
import type { StoreContext } from './import-sst-service.js';
import type { SimStore } from './store.js';
import type { SimRegion } from './state.js';
import { epochDebug, epochNotMatch, faultRegionError, keyNotInRegion, notLeader, regionNotFound } from './region-errors.js';

const SVC = 'Tikv';
const TP_CHECKSUM = 105;

export function tikvService(ctx: StoreContext, store: SimStore): grpc.UntypedServiceImplementation {
  const st = ctx.state;

  /** leader + version check shared by split and coprocessor; a region error or the region */
  const checkContext = (c: pb.ContextPb | null | undefined): pb.RegionErrorPb | SimRegion => {
    const id = num(c?.region_id);
    const r = st.regionById(id);
    if (!r || !r.peers.some((p) => p.storeId === store.id)) return regionNotFound(id);
    if (r.leaderStoreId !== store.id) return notLeader(st, r);
    const e = epochFromPb(c?.region_epoch);
    if (e.version !== r.epoch.version || e.confVer !== r.epoch.confVer) {
      return epochNotMatch(`current epoch of region ${r.id} is ${epochDebug(r.epoch)}, but you sent ${epochDebug(e)}`, [r]);
    }
    return r;
  };
  const where = (req: { context?: pb.ContextPb | null }) => ({ store: store.id, region: num(req.context?.region_id) || undefined });

  return {
    SplitRegion: unary<pb.SplitRegionRequestPb, pb.SplitRegionResponsePb>(ctx, SVC, 'SplitRegion', (req, fault) => {
      const id = num(req.context?.region_id);
      if (fault) return { region_error: faultRegionError(fault, st, st.regionById(id), store.id, id) };
      const r = checkContext(req.context);
      if (!('id' in r)) return { region_error: r };
      // raw keys are encoded by TiKV unless is_raw_kv
      const keys = (req.split_keys ?? []).map((k) => (req.is_raw_kv ? buf(k) : encodeBytes(buf(k))));
      for (const k of keys) {
        if (Buffer.compare(k, r.startKey) < 0 || (r.endKey.length > 0 && Buffer.compare(k, r.endKey) >= 0)) {
          return { region_error: keyNotInRegion(k, r) };
        }
      }
      return { regions: st.splitRegion(r.id, keys).map(regionToPb) };
    }, where),

    Coprocessor: unary<pb.CopRequestPb, pb.CopResponsePb>(ctx, SVC, 'Coprocessor', (req, fault) => {
      const id = num(req.context?.region_id);
      if (fault) return { region_error: faultRegionError(fault, st, st.regionById(id), store.id, id) };
      const r = checkContext(req.context);
      if (!('id' in r)) return { region_error: r };
      if (num(req.tp) !== TP_CHECKSUM) return { other_error: `unsupported request type ${num(req.tp)}` };
      const creq = messageCodec<pb.ChecksumRequestPb>('tipb.ChecksumRequest').decode(buf(req.data));
      if (creq.algorithm !== 'Crc64_Xor' && creq.algorithm !== 0) return { other_error: `unknown checksum algorithm ${String(creq.algorithm)}` };
      const ts = big(req.start_ts) || big(creq.start_ts_fallback);
      // the ranges are raw keys; clip them to the region's (decoded) bounds
      const rs = decodeRegionKey(r.startKey), re = decodeRegionKey(r.endKey);
      let checksum = 0n, kvs = 0n, bytes = 0n;
      for (const kr of req.ranges ?? []) {
        let s = buf(kr.start), e = buf(kr.end);
        if (Buffer.compare(s, rs) < 0) s = rs;
        if (re.length > 0 && (e.length === 0 || Buffer.compare(e, re) > 0)) e = re;
        if (e.length > 0 && Buffer.compare(s, e) >= 0) continue;
        const c = store.checksum(s, e, ts);
        checksum ^= c.checksum; kvs += c.kvs; bytes += c.bytes;
      }
      const data = messageCodec<pb.ChecksumResponsePb>('tipb.ChecksumResponse')
        .encode({ checksum: checksum.toString(), total_kvs: kvs.toString(), total_bytes: bytes.toString() });
      return { data };
    }, where),
  };
}
