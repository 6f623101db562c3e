// A small Lightning-style region job loop (protocol.md §5.2, §5.5) for simulator tests: scan regions, write to
// every peer, MultiIngest at the leader, and react to each error the way Lightning does. It exists to prove the
// simulator's faults are survivable by a client that follows the protocol, with nothing lost or doubled; the
// real local backend lives in src/backend/local.
import { randomBytes } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { RegionError, decodeRegionKey, encodeBytes, grpcCodeOf, regionContext, type KvPair, type Region, type RegionInfo, type pb } from '../../src/cluster/index.js';
import { Codes, LightningError } from '../../src/errors.js';
import type { Clients } from './helpers.js';

type Stage = 'regionScanned' | 'wrote' | 'needRescan';
interface Job { info: RegionInfo; pairs: KvPair[]; stage: Stage; metas: pb.SSTMetaPb[]; retries: number }

export interface RunStats { jobs: number; attempts: number; errors: string[] }

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const inRegion = (r: Region, key: Buffer) => {
  const s = decodeRegionKey(r.startKey), e = decodeRegionKey(r.endKey);
  return Buffer.compare(key, s) >= 0 && (e.length === 0 || Buffer.compare(key, e) < 0);
};

async function scan(c: Clients, pairs: KvPair[]): Promise<Job[]> {
  const next = Buffer.concat([pairs[pairs.length - 1]!.key, Buffer.from([0])]);
  const regions = await c.pd.scanRegionsAll(encodeBytes(pairs[0]!.key), encodeBytes(next));
  return regions.flatMap((info) => {
    const mine = pairs.filter((p) => inRegion(info.region, p.key));
    return mine.length ? [{ info, pairs: mine, stage: 'regionScanned' as Stage, metas: [], retries: 0 }] : [];
  });
}

async function write(c: Clients, job: Job, ts: bigint): Promise<void> {
  const { region, leader } = job.info;
  if (!leader) throw new LightningError(Codes.KVRpc, `region ${region.id} has no leader`, { retryable: true });
  const meta: pb.SSTMetaPb = {
    uuid: randomBytes(16), range: { start: encodeBytes(job.pairs[0]!.key), end: encodeBytes(job.pairs[job.pairs.length - 1]!.key) },
    region_id: region.id, region_epoch: { conf_ver: region.epoch.confVer, version: region.epoch.version },
  };
  for (const p of region.peers) {
    const w = await c.sst(p.storeId).write(meta, { request_source: 'test' });
    for (let i = 0; i < job.pairs.length; i += 64) await w.writeBatch(ts, job.pairs.slice(i, i + 64));
    const metas = await w.close();
    if (p.storeId === leader.storeId) job.metas = metas;
  }
}

/** §5.5: the next stage after an ingest error (or the new region to re-write against) */
function onIngestError(job: Job, e: RegionError): Stage {
  const re = e.regionError;
  if (re.disk_full) throw e;
  if (re.not_leader || re.region_not_found || re.read_index_not_ready || /raft: proposal dropped/.test(re.message ?? '')) return 'needRescan';
  if (re.server_is_busy) return 'wrote';
  if (re.epoch_not_match) {
    const keys = job.metas.flatMap((m) => [Buffer.from(m.range!.start!), Buffer.from(m.range!.end!)]);
    const r = e.currentRegions.find((x) => keys.every((k) => Buffer.compare(k, x.startKey) >= 0 && (x.endKey.length === 0 || Buffer.compare(k, x.endKey) < 0)));
    const leader = r?.peers.find((p) => p.storeId === job.info.leader?.storeId);
    if (!r || !leader) return 'needRescan';
    job.info = { region: r, leader, pendingPeers: [], downPeers: [] };
    return 'regionScanned';
  }
  return 'regionScanned';
}

/** Imports sorted `pairs` at `ts`; throws on a non-retryable error or after `maxRetries` tries of one job. */
export async function importPairs(c: Clients, pairs: KvPair[], ts: bigint, maxRetries = 30): Promise<RunStats> {
  const stats: RunStats = { jobs: 0, attempts: 0, errors: [] };
  const queue = await scan(c, pairs);
  while (queue.length) {
    const job = queue.shift()!;
    stats.attempts++;
    if (job.retries++ > maxRetries) throw new Error(`job for region ${job.info.region.id} still failing: ${stats.errors.at(-1)}`);
    try {
      if (job.stage === 'needRescan') {
        const jobs = await scan(c, job.pairs);
        queue.push(...jobs.map((j) => ({ ...j, retries: job.retries })));
        continue;
      }
      if (job.stage === 'regionScanned') { await write(c, job, ts); job.stage = 'wrote'; }
      if (job.metas.length > 0) await c.sst(job.info.leader!.storeId).multiIngest(regionContext(job.info.region, job.info.leader!), job.metas);
      stats.jobs++;
    } catch (e) {
      stats.errors.push(e instanceof Error ? e.message : String(e));
      if (e instanceof RegionError && job.stage === 'wrote') job.stage = onIngestError(job, e);
      else if (e instanceof LightningError && e.retryable) {
        // Write: RequestTooNew → same region later; ingest over a broken connection → re-ingest; else rescan
        const unavailable = grpcCodeOf(e) === grpc.status.UNAVAILABLE;
        job.stage = /RequestTooNew/.test(e.message) ? 'regionScanned' : job.stage === 'wrote' && unavailable ? 'wrote' : 'needRescan';
      } else throw e;
      await sleep(Math.min(2 ** job.retries, 40));
      queue.push(job);
    }
  }
  return stats;
}
