// Streams a large, deterministic table into a simulated cluster the way the local backend does (pre-split, one
// Write stream per peer, MultiIngest at the leader) without holding the data in memory: for the spill test and
// the 1 GiB bench. Rows are t{table}_r{i} with pseudo-random values of 100–700 bytes (some go to the default CF).
import { recordKey } from '../../src/encode/tablecodec.js';
import { KVChecksum } from '../../src/encode/checksum.js';
import { encodeBytes, regionContext, type KvPair, type RegionInfo, type pb } from '../../src/cluster/index.js';
import { prng } from '../harness/prng.js';
import type { Clients } from './helpers.js';

export interface LoadPlan { table: number; rows: number; seed: number }

/** rows needed for about `bytes` of key + value */
export const rowsFor = (bytes: number): number => Math.ceil(bytes / (19 + 400));

function* rows(plan: LoadPlan, from: number, to: number): Generator<KvPair> {
  for (let i = from; i < to; i++) {
    const rnd = prng(plan.seed * 1_000_003 + i);
    const len = 100 + Math.floor(rnd() * 600);
    const value = Buffer.allocUnsafe(len);
    // xorshift32 from the row's seed: cheap bytes that still differ per row
    let x = (rnd() * 0xffffffff) >>> 0 || 1;
    for (let j = 0; j < len; j++) { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; value[j] = x & 0xff; }
    yield { key: recordKey(plan.table, { int: i + 1 }), value };
  }
}

/** Imports the plan in regions of `rowsPerRegion`; returns the checksum of what was sent and the bytes. */
export async function bulkLoad(c: Clients, plan: LoadPlan, rowsPerRegion: number, batchBytes = 64 * 1024): Promise<KVChecksum> {
  const sum = new KVChecksum();
  const splits: Buffer[] = [];
  for (let i = rowsPerRegion; i < plan.rows; i += rowsPerRegion) splits.push(recordKey(plan.table, { int: i + 1 }));
  let info = (await c.pd.getRegion(encodeBytes(recordKey(plan.table, { int: 1 }))))!;
  if (splits.length) await c.tikv(info.leader!.storeId).splitRegion(info.region, info.leader!, splits);
  const ts = await c.pd.getTS();
  for (let from = 0; from < plan.rows; from += rowsPerRegion) {
    const to = Math.min(plan.rows, from + rowsPerRegion);
    info = (await c.pd.getRegion(encodeBytes(recordKey(plan.table, { int: from + 1 }))))!;
    await loadRegion(c, info, plan, from, to, ts, batchBytes, sum);
  }
  return sum;
}

async function loadRegion(c: Clients, info: RegionInfo, plan: LoadPlan, from: number, to: number, ts: bigint, batchBytes: number, sum: KVChecksum): Promise<void> {
  const meta: pb.SSTMetaPb = {
    uuid: Buffer.from(`${plan.seed}-${from}`.padEnd(16, '.').slice(0, 16)),
    range: { start: encodeBytes(recordKey(plan.table, { int: from + 1 })), end: encodeBytes(recordKey(plan.table, { int: to })) },
    region_id: info.region.id, region_epoch: { conf_ver: info.region.epoch.confVer, version: info.region.epoch.version },
  };
  const streams = await Promise.all(info.region.peers.map((p) => c.sst(p.storeId).write(meta)));
  let batch: KvPair[] = [];
  let size = 0;
  const flush = async () => { await Promise.all(streams.map((s) => s.writeBatch(ts, batch))); batch = []; size = 0; };
  for (const kv of rows(plan, from, to)) {
    sum.update(kv.key, kv.value);
    batch.push(kv);
    size += kv.key.length + kv.value.length;
    if (size >= batchBytes) await flush();
  }
  if (batch.length) await flush();
  const metas = await Promise.all(streams.map((s) => s.close()));
  const leaderMetas = metas[info.region.peers.findIndex((p) => p.storeId === info.leader!.storeId)]!;
  await c.sst(info.leader!.storeId).multiIngest(regionContext(info.region, info.leader!), leaderMetas);
}
