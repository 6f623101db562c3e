// Shared test helpers: client pools for a simulator and a "write to every peer, ingest at the leader" job.
import { randomUUID } from 'node:crypto';
import { ImportSstClient, PdClient, TikvClient, encodeBytes, type RegionInfo, type KvPair, type pb } from '../../src/cluster/index.js';
import type { SimCluster } from './sim/index.js';

export interface Clients {
  pd: PdClient;
  sst(storeId: number): ImportSstClient;
  tikv(storeId: number): TikvClient;
  close(): void;
}

export async function clientsFor(sim: SimCluster): Promise<Clients> {
  return clientsAt(sim.pdAddr);
}

/** clients for a cluster known only by its PD address (e.g. one started by cluster:sim) */
export async function clientsAt(pdAddr: string): Promise<Clients> {
  const pd = await PdClient.connect(pdAddr, { timeoutMs: 5000 });
  const stores = new Map((await pd.getAllStores()).map((s) => [s.id, s.address]));
  const ssts = new Map<number, ImportSstClient>();
  const tikvs = new Map<number, TikvClient>();
  const addr = (id: number) => stores.get(id)!;
  return {
    pd,
    sst: (id) => { let c = ssts.get(id); if (!c) ssts.set(id, (c = new ImportSstClient(addr(id), { timeoutMs: 60_000 }))); return c; },
    tikv: (id) => { let c = tikvs.get(id); if (!c) tikvs.set(id, (c = new TikvClient(addr(id), { timeoutMs: 5000 }))); return c; },
    close: () => { pd.close(); for (const c of [...ssts.values(), ...tikvs.values()]) c.close(); },
  };
}

export const kv = (k: string, v: string | Buffer): KvPair => ({ key: Buffer.from(k), value: Buffer.isBuffer(v) ? v : Buffer.from(v) });

export function sstMeta(info: RegionInfo, pairs: KvPair[]): pb.SSTMetaPb {
  return {
    uuid: Buffer.from(randomUUID().replace(/-/g, ''), 'hex'),
    range: { start: encodeBytes(pairs[0]!.key), end: encodeBytes(pairs[pairs.length - 1]!.key) },
    region_id: info.region.id, region_epoch: { conf_ver: info.region.epoch.confVer, version: info.region.epoch.version },
  };
}

/** Lightning's doWrite: the same meta and batches to every peer; the leader's metas are returned. */
export async function writeAllPeers(c: Clients, info: RegionInfo, pairs: KvPair[], ts: bigint,
  opts: { skipStore?: number; rangeEnd?: Buffer } = {}): Promise<pb.SSTMetaPb[]> {
  const meta = sstMeta(info, pairs);
  if (opts.rangeEnd) meta.range = { ...meta.range, end: encodeBytes(opts.rangeEnd) };
  let leaderMetas: pb.SSTMetaPb[] = [];
  for (const p of info.region.peers) {
    if (p.storeId === opts.skipStore) continue;
    const w = await c.sst(p.storeId).write(meta, { request_source: 'test' });
    await w.writeBatch(ts, pairs);
    const metas = await w.close();
    if (p.storeId === info.leader!.storeId) leaderMetas = metas;
  }
  return leaderMetas;
}
