// ADMIN CHECKSUM TABLE as TiDB runs it (protocol.md §6.3): a TSO snapshot, one request over each physical table's
// record range and one per public index range, split by region and sent to each region's leader as a
// checksum coprocessor request (tp 105) over gRPC; region errors re-split the remaining range and retry.
import { PdClient, TikvClient, RegionError, decodeRegionKey, encodeBytes, grpcCodeOf, type ClientOptions } from '../../../../src/cluster/index.js';
import { recordKey } from '../../../../src/encode/tablecodec.js';
import type { TableInfo } from '../../../../src/encode/schema/model.js';
import * as grpc from '@grpc/grpc-js';

export interface Checksum { checksum: bigint; totalKvs: bigint; totalBytes: bigint }

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function prefixNext(k: Buffer): Buffer {
  const out = Buffer.from(k);
  for (let i = out.length - 1; i >= 0; i--) {
    if (out[i] !== 0xff) { out[i]!++; return out.subarray(0, i + 1); }
  }
  return Buffer.concat([k, Buffer.from([0])]);
}

/** t{id}_r */
export const recordPrefix = (id: number): Buffer => recordKey(id, { int: 0 }).subarray(0, 11);
/** t{id}_i{indexID} */
export function indexPrefix(id: number, indexId: number): Buffer {
  const k = recordKey(id, { int: indexId });
  k[10] = 0x69; // '_r' → '_i'; the index id is encoded like an int handle
  return k;
}

export function physicalIds(t: TableInfo): number[] {
  return t.partition ? t.partition.definitions.map((d) => d.id) : [t.id];
}

/** the raw ranges ADMIN CHECKSUM scans: each physical table's records, then each public index (not the int PK handle) */
export function checksumRanges(t: TableInfo): { start: Buffer; end: Buffer; scanOn: 'Table' | 'Index' }[] {
  const out: { start: Buffer; end: Buffer; scanOn: 'Table' | 'Index' }[] = [];
  for (const id of physicalIds(t)) {
    const r = recordPrefix(id);
    out.push({ start: r, end: prefixNext(r), scanOn: 'Table' });
    for (const ix of t.index_info) {
      if ((ix.state ?? 5) !== 5 || (ix.is_primary && t.is_common_handle)) continue;
      const p = indexPrefix(id, ix.id);
      out.push({ start: p, end: prefixNext(p), scanOn: 'Index' });
    }
  }
  return out;
}

export class ChecksumClient {
  private pd?: Promise<PdClient>;
  private readonly tikvs = new Map<number, TikvClient>();

  constructor(private readonly pdAddr: string, private readonly opts: ClientOptions = {}) {}

  private async pdClient(): Promise<PdClient> {
    this.pd ??= PdClient.connect(this.pdAddr, { timeoutMs: 10_000, ...this.opts });
    return this.pd;
  }

  private async tikv(storeId: number): Promise<TikvClient> {
    let c = this.tikvs.get(storeId);
    if (!c) {
      const s = await (await this.pdClient()).getStore(storeId);
      c = new TikvClient(s.address, { timeoutMs: 120_000, ...this.opts });
      this.tikvs.set(storeId, c);
    }
    return c;
  }

  /** one raw range, region by region, with TiDB's copr-client retry on region errors */
  private async range(start: Buffer, end: Buffer, ts: bigint, scanOn: 'Table' | 'Index'): Promise<Checksum> {
    const pd = await this.pdClient();
    const sum: Checksum = { checksum: 0n, totalKvs: 0n, totalBytes: 0n };
    let from = start;
    for (let attempt = 0; Buffer.compare(from, end) < 0;) {
      const regions = await pd.scanRegionsAll(encodeBytes(from), encodeBytes(end));
      try {
        for (const r of regions) {
          const rs = decodeRegionKey(r.region.startKey), re = decodeRegionKey(r.region.endKey);
          const s = Buffer.compare(rs, from) > 0 ? rs : from;
          const e = re.length > 0 && Buffer.compare(re, end) < 0 ? re : end;
          if (Buffer.compare(s, e) >= 0) continue;
          const leader = r.leader ?? r.region.peers[0]!;
          const x = await (await this.tikv(leader.storeId)).checksum(r.region, leader, [{ start: s, end: e }], ts, scanOn);
          sum.checksum ^= x.checksum; sum.totalKvs += x.totalKvs; sum.totalBytes += x.totalBytes;
          from = e;
        }
        if (regions.length === 0) throw new Error(`no region covers ${from.toString('hex')}`);
      } catch (err) {
        const retryable = err instanceof RegionError || grpcCodeOf(err) === grpc.status.UNAVAILABLE;
        if (!retryable || ++attempt > 40) throw err;
        await sleep(Math.min(10 * attempt, 200));
      }
    }
    return sum;
  }

  async table(t: TableInfo): Promise<Checksum> {
    const ts = await (await this.pdClient()).getTS();
    const total: Checksum = { checksum: 0n, totalKvs: 0n, totalBytes: 0n };
    for (const r of checksumRanges(t)) {
      const x = await this.range(r.start, r.end, ts, r.scanOn);
      total.checksum ^= x.checksum; total.totalKvs += x.totalKvs; total.totalBytes += x.totalBytes;
    }
    return total;
  }

  async close(): Promise<void> {
    for (const c of this.tikvs.values()) c.close();
    if (this.pd) (await this.pd.catch(() => undefined))?.close();
  }
}
