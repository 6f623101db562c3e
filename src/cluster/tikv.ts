// tikvpb.Tikv client: batch SplitRegion and the checksum Coprocessor request (protocol.md §5.3, §6).
import { Codes, LightningError } from '../errors.js';
import type * as pb from './pb.js';
import { RegionError } from './errors.js';
import { messageCodec } from './proto.js';
import { RpcClient, type ClientOptions } from './rpc.js';
import { big, regionContext, regionFromPb, type Peer, type Region } from './types.js';

export const COP_TP_CHECKSUM = 105;

export interface ChecksumResult { checksum: bigint; totalKvs: bigint; totalBytes: bigint }
export interface RawRange { start: Buffer; end: Buffer }

export class TikvClient extends RpcClient {
  constructor(addr: string, opts: ClientOptions = {}) {
    super(addr, 'tikvpb.Tikv', Codes.KVRpc, opts);
  }

  /** Splits `region` at raw `keys` via `peer` (the leader); returns all resulting regions in key order. */
  async splitRegion(region: Region, peer: Peer, rawKeys: Buffer[]): Promise<Region[]> {
    const context = regionContext(region, peer);
    const res = await this.unary<pb.SplitRegionRequestPb, pb.SplitRegionResponsePb>('SplitRegion', {
      context, split_keys: rawKeys, is_raw_kv: false,
    });
    if (res.region_error) throw new RegionError(res.region_error, 'split region', { region: region.id });
    return (res.regions ?? []).map(regionFromPb);
  }

  async coprocessor(req: pb.CopRequestPb): Promise<pb.CopResponsePb> {
    return this.unary<pb.CopRequestPb, pb.CopResponsePb>('Coprocessor', req);
  }

  /** ADMIN CHECKSUM's per-region request: crc64-xor, kvs and bytes over raw `ranges` at `startTs`. */
  async checksum(region: Region, peer: Peer, ranges: RawRange[], startTs: bigint, scanOn: 'Table' | 'Index' = 'Table'):
  Promise<ChecksumResult> {
    const data = messageCodec<pb.ChecksumRequestPb>('tipb.ChecksumRequest').encode({ scan_on: scanOn, algorithm: 'Crc64_Xor' });
    const res = await this.coprocessor({
      context: regionContext(region, peer, { priority: 'Low', isolation_level: 'SI', not_fill_cache: true }),
      tp: COP_TP_CHECKSUM, data, ranges: ranges.map((r) => ({ start: r.start, end: r.end })), start_ts: startTs.toString(),
    });
    if (res.region_error) throw new RegionError(res.region_error, 'checksum', { region: region.id });
    if (res.locked) throw new LightningError(Codes.KVRpc, 'checksum: key is locked', { retryable: true, context: { region: region.id } });
    if (res.other_error) throw new LightningError(Codes.KVRpc, `checksum: ${res.other_error}`, { context: { region: region.id } });
    const out = messageCodec<pb.ChecksumResponsePb>('tipb.ChecksumResponse').decode(res.data ?? Buffer.alloc(0));
    return { checksum: big(out.checksum), totalKvs: big(out.total_kvs), totalBytes: big(out.total_bytes) };
  }
}
