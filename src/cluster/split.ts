// Split and scatter (protocol.md §5.3): group the raw split keys by the region holding them, split each region at
// its leader via Tikv/SplitRegion in sub-batches, wait until the new regions are known to PD with no pending
// peers, scatter them through PD and wait for the scatter operators. Regions whose split failed are rescanned and
// retried with backoff; the whole call fails only when the retries run out.
import { setTimeout as sleep } from 'node:timers/promises';
import { Codes, LightningError } from '../errors.js';
import { withBackoff, delayMs, type Backoff } from './backoff.js';
import { RegionError, grpcCodeOf } from './errors.js';
import { encodeBytes } from './keys.js';
import { scanRegions } from './regions.js';
import type { StoreClients } from './store-clients.js';
import type { Peer, RegionInfo } from './types.js';

export interface SplitOptions {
  /** region-split-batch-size: keys per SplitRegion call */
  batchSize?: number;
  /** region-split-concurrency: regions split at once */
  concurrency?: number;
  /** retries of the keys whose region failed to split (Go: 32 attempts, 50 ms → 1 s) */
  retry?: Backoff;
  /** waiting for new regions / scatter operators (Go: ~1 h in 2 s steps; it only warns when it gives up) */
  wait?: Backoff;
  /** PD scan retries */
  scan?: Backoff;
  onWarn?: (msg: string) => void;
}

const MAX_BATCH_BYTES = 6 << 20;
const SPLIT_TRIES = 4;

export interface SplitResult { newRegionIds: number[]; scattered: boolean }

export async function splitAndScatter(clients: StoreClients, rawKeys: Buffer[], o: SplitOptions = {}): Promise<SplitResult> {
  const keys = [...new Map(rawKeys.map((k) => [k.toString('hex'), k])).values()].sort(Buffer.compare);
  const created: RegionInfo[] = [];
  if (keys.length === 0) return { newRegionIds: [], scattered: false };
  const retry = o.retry ?? { attempts: 32, firstMs: 50, maxMs: 1000 };
  let remaining = keys;
  let lastErr: unknown;
  for (let attempt = 0; remaining.length > 0; attempt++) {
    if (attempt >= retry.attempts) {
      throw new LightningError(Codes.KVSplitRegion, `split region failed: ${(lastErr as Error)?.message ?? 'unknown'}`, { cause: lastErr, retryable: true });
    }
    if (attempt > 0) await sleep(delayMs(retry, attempt - 1));
    const regions = await scanRegions(clients.pd, remaining[0]!, Buffer.concat([remaining[remaining.length - 1]!, Buffer.alloc(1)]), o.scan);
    const groups = groupByRegion(regions, remaining);
    const failed: Buffer[] = [];
    await eachLimit([...groups], o.concurrency ?? 4, async ([info, ks]) => {
      try {
        created.push(...await splitRegionKeys(clients, info, ks, o));
      } catch (e) {
        lastErr = e;
        failed.push(...ks);
      }
    });
    remaining = failed.sort(Buffer.compare);
  }
  const stores = await clients.tikvStores();
  if (stores.length <= 1 || created.length === 0) return { newRegionIds: created.map((r) => r.region.id), scattered: false };
  await scatter(clients, created, o);
  return { newRegionIds: created.map((r) => r.region.id), scattered: true };
}

/** Keys grouped by the region holding them; a key equal to a region's start is already a boundary. */
function groupByRegion(regions: RegionInfo[], keys: Buffer[]): Map<RegionInfo, Buffer[]> {
  const out = new Map<RegionInfo, Buffer[]>();
  let i = 0;
  for (const k of keys) {
    const enc = encodeBytes(k);
    while (i < regions.length && regions[i]!.region.endKey.length > 0 && Buffer.compare(enc, regions[i]!.region.endKey) >= 0) i++;
    const r = regions[i];
    if (!r || r.region.startKey.equals(enc)) continue;
    out.set(r, [...(out.get(r) ?? []), k]);
  }
  return out;
}

/** Splits one region at `keys` in sub-batches; returns the new regions (the original id keeps the right-most part). */
async function splitRegionKeys(clients: StoreClients, info: RegionInfo, keys: Buffer[], o: SplitOptions): Promise<RegionInfo[]> {
  const batchSize = o.batchSize ?? 4096;
  const out: RegionInfo[] = [];
  let cur = info;
  for (let i = 0; i < keys.length;) {
    let j = i, bytes = 0;
    while (j < keys.length && j - i < batchSize && (j === i || bytes + keys[j]!.length <= MAX_BATCH_BYTES)) bytes += keys[j++]!.length;
    const result = await splitOnce(clients, cur, keys.slice(i, j));
    const leaderStore = (cur.leader ?? cur.region.peers[0]!).storeId;
    const infos = result.map((region) => ({ region, leader: region.peers.find((p) => p.storeId === leaderStore), pendingPeers: [], downPeers: [] }));
    const fresh = infos.filter((r) => r.region.id !== cur.region.id);
    out.push(...fresh);
    // the keys still to split live in the region with the largest start key
    cur = infos.reduce((a, b) => (Buffer.compare(a.region.startKey, b.region.startKey) >= 0 ? a : b));
    await waitRegionsReady(clients, fresh.map((r) => r.region.id), o);
    i = j;
  }
  return out;
}

async function splitOnce(clients: StoreClients, info: RegionInfo, keys: Buffer[]) {
  let cur = info;
  let leader: Peer = cur.leader ?? cur.region.peers[0]!;
  for (let attempt = 0; ; attempt++) {
    try {
      const tikv = await clients.tikvClient(leader.storeId);
      return await tikv.splitRegion(cur.region, leader, keys);
    } catch (e) {
      if (attempt + 1 >= SPLIT_TRIES) throw e;
      if (e instanceof RegionError && e.regionError.not_leader) {
        if (e.leaderHint) { leader = e.leaderHint; continue; }
        const fresh = await clients.pd.getRegionByID(cur.region.id);
        if (!fresh || fresh.region.epoch.version !== cur.region.epoch.version || fresh.region.epoch.confVer !== cur.region.epoch.confVer) {
          throw new LightningError(Codes.KVEpochNotMatch, `split region ${cur.region.id}: epoch changed while looking for its leader`, { cause: e, retryable: true });
        }
        cur = fresh;
        leader = fresh.leader ?? leader;
        await sleep(10 * (attempt + 1));
        continue;
      }
      if (e instanceof RegionError && (e.regionError.server_is_busy || e.regionError.stale_command)) { await sleep(50 * (attempt + 1)); continue; }
      if (!(e instanceof RegionError) && grpcCodeOf(e) !== undefined && (e as LightningError).retryable) {
        clients.invalidate(leader.storeId);
        await sleep(50 * (attempt + 1));
        continue;
      }
      throw e;
    }
  }
}

/** Waits until PD knows every region with no pending peers; gives up with a warning like Go. */
async function waitRegionsReady(clients: StoreClients, ids: number[], o: SplitOptions): Promise<void> {
  const wait = o.wait ?? { attempts: 1800, firstMs: 10, maxMs: 2000 };
  let left = ids;
  for (let attempt = 0; left.length > 0; attempt++) {
    const next: number[] = [];
    for (const id of left) {
      const r = await clients.pd.getRegionByID(id).catch(() => undefined);
      if (!r || r.pendingPeers.length > 0) next.push(id);
    }
    // progress does not count against the budget
    if (next.length === left.length && attempt >= wait.attempts) {
      o.onWarn?.(`waiting for split regions timeout: ${next.join(',')}`);
      return;
    }
    left = next;
    if (left.length > 0) await sleep(delayMs(wait, Math.min(attempt, 10)));
  }
}

async function scatter(clients: StoreClients, regions: RegionInfo[], o: SplitOptions): Promise<void> {
  const pd = clients.pd;
  const ids = regions.map((r) => r.region.id);
  let batchOk = false;
  try {
    const res = await withBackoff({ attempts: 3, firstMs: 500, maxMs: 2000 }, () => pd.scatterRegions(ids), (e) => (e as LightningError).retryable);
    batchOk = res.finishedPercentage >= 100;
    if (!batchOk) o.onWarn?.(`scatter finished percentage ${res.finishedPercentage} less than 100`);
  } catch (e) {
    o.onWarn?.(`pd returns error during batch scattering: ${(e as Error).message}`);
  }
  if (!batchOk) {
    // old PDs ignore regions_id: one region at a time (7 attempts from 100 ms)
    for (const r of regions) {
      await withBackoff({ attempts: 7, firstMs: 100, maxMs: 2000 }, () => pd.scatterRegion(r.region, r.leader), () => true)
        .catch((e: unknown) => o.onWarn?.(`scatter region ${r.region.id} failed: ${(e as Error).message}`));
    }
  }
  const wait = o.wait ?? { attempts: 1800, firstMs: 10, maxMs: 2000 };
  let left = ids;
  for (let attempt = 0; left.length > 0; attempt++) {
    const next: number[] = [];
    for (const id of left) {
      const op = await pd.getOperator(id).catch(() => undefined);
      if (op && op.desc === 'scatter-region' && op.status === 'RUNNING') next.push(id);
    }
    if (next.length === left.length && attempt >= wait.attempts) { o.onWarn?.('waiting for scattering regions timeout'); return; }
    left = next;
    if (left.length > 0) await sleep(delayMs(wait, Math.min(attempt, 10)));
  }
}

/** Runs `fn` over `items` with at most `limit` in flight; the first error is thrown after all settle. */
export async function eachLimit<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let firstErr: unknown;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      try { await fn(item); } catch (e) { firstErr ??= e; }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (firstErr !== undefined) throw firstErr;
}
