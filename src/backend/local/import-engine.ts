// Import of a closed local engine (lightning.md §6.1 7f, protocol.md §5.1 step 5): ranges of ≤ region-split-size /
// -keys from the engine's properties, split + scatter at the range boundaries, then one job per (range ∩ region)
// on a pool of range-concurrency workers. A failed job goes back to the stage its error calls for, after a
// backoff of min(2^retry, 30) s (scaled by retryBackoff); after maxRetry retries the import fails with the last
// error. Re-running an import is idempotent: the same keys with the same commit ts land as the same versions.
import { setTimeout as sleep } from 'node:timers/promises';
import { Codes, LightningError } from '../../errors.js';
import { delayMs, type Backoff } from '../../cluster/backoff.js';
import { rawBounds, scanRegions } from '../../cluster/regions.js';
import { splitAndScatter, type SplitOptions } from '../../cluster/split.js';
import type { StoreClients } from '../../cluster/store-clients.js';
import type { LocalEngine } from '../../sort/engine.js';
import type { KeyRange } from '../../sort/props.js';
import { JobError, runJob, type JobEnv, type RegionJob } from './region-job.js';

export interface ImportOptions {
  /** range-concurrency: jobs writing/ingesting at once */
  rangeConcurrency?: number;
  /** send-kv-size: bytes per WriteBatch */
  sendKvSize?: number;
  regionSplitSize?: number;
  regionSplitKeys?: number;
  split?: SplitOptions;
  /** MaxWriteAndIngestRetryTimes (30) */
  maxRetry?: number;
  /** job retry backoff; default 1 s doubling (first retry waits 2 s), capped at 30 s */
  retryBackoff?: Backoff;
  ingestRetries?: number;
  requestSource?: string;
  onWarn?: (msg: string) => void;
}

export interface ImportStats { ranges: number; jobs: number; retries: number; newRegions: number; kvs: number; bytes: number }

export const DEFAULT_SPLIT_SIZE = 96 << 20;
export const DEFAULT_SPLIT_KEYS = 1_280_000;

/** Imports every pair of the closed `engine` with `commitTs`. */
export async function importEngine(engine: LocalEngine, clients: StoreClients, commitTs: bigint, o: ImportOptions = {}): Promise<ImportStats> {
  const meta = engine.meta;
  if (!meta) throw new LightningError(Codes.EngineState, `engine ${engine.uuid} must be closed before import`, { context: { file: engine.dir } });
  const stats: ImportStats = { ranges: 0, jobs: 0, retries: 0, newRegions: 0, kvs: meta.kvs, bytes: meta.bytes };
  const ranges = engine.ranges(o.regionSplitSize ?? DEFAULT_SPLIT_SIZE, o.regionSplitKeys ?? DEFAULT_SPLIT_KEYS);
  stats.ranges = ranges.length;
  if (ranges.length === 0) return stats;
  if (ranges.length > 1) {
    const res = await splitAndScatter(clients, ranges.slice(1).map((r) => r.start), { onWarn: o.onWarn, ...o.split });
    stats.newRegions = res.newRegionIds.length;
  }
  const env: JobEnv = {
    engine, clients, commitTs, sendKvSize: o.sendKvSize ?? 16 << 10, requestSource: o.requestSource ?? 'lightning',
    ingestRetries: o.ingestRetries ?? 20, multiIngest: { supported: true },
  };
  const maxRetry = o.maxRetry ?? 30;
  const backoff = o.retryBackoff ?? { attempts: maxRetry, firstMs: 1000, maxMs: 30_000 };
  const slots = new Semaphore(o.rangeConcurrency ?? 16);
  let fatal: unknown;

  const process = async (job: RegionJob): Promise<void> => {
    stats.jobs++;
    for (;;) {
      if (fatal !== undefined) return;
      await slots.acquire();
      let failure: JobError | undefined;
      try {
        if (fatal !== undefined) return;
        await runJob(env, job);
        return;
      } catch (e) {
        failure = e instanceof JobError ? e : new JobError(undefined, e);
      } finally {
        slots.release();
      }
      if (failure.stage === undefined) { fatal ??= failure.err; return; }
      job.lastErr = failure.err;
      job.retry++;
      stats.retries++;
      if (job.retry > maxRetry) { fatal ??= failure.err; return; }
      o.onWarn?.(`region ${job.region.region.id} job retry ${job.retry} (${failure.stage}): ${failure.message}`);
      await sleep(delayMs(backoff, job.retry));
      if (failure.stage === 'needRescan') {
        // the range may now span several regions: one job each, keeping the retry budget (Go restarts it at 0)
        const jobs = await jobsFor(clients, job, o).catch((e: unknown) => { fatal ??= e; return []; });
        await Promise.all(jobs.map(process));
        return;
      }
      job.stage = failure.stage;
    }
  };

  const initial: RegionJob[] = [];
  for (const r of ranges) initial.push(...await jobsFor(clients, { start: r.start, end: r.end, retry: 0 }, o));
  await Promise.all(initial.map(process));
  if (fatal !== undefined) {
    throw fatal instanceof LightningError ? fatal
      : new LightningError(Codes.KVImport, `import engine ${engine.uuid} failed: ${(fatal as Error)?.message ?? fatal}`, { cause: fatal });
  }
  return stats;
}

/** Jobs for a key range: one per region it overlaps, clipped to the region. */
async function jobsFor(clients: StoreClients, r: KeyRange & { retry: number; lastErr?: unknown }, o: ImportOptions): Promise<RegionJob[]> {
  const regions = await scanRegions(clients.pd, r.start, r.end, o.split?.scan);
  return regions.map((info) => {
    const b = rawBounds(info);
    const start = Buffer.compare(b.start, r.start) > 0 ? b.start : r.start;
    const end = r.end.length === 0 ? b.end : b.end.length === 0 || Buffer.compare(r.end, b.end) < 0 ? r.end : b.end;
    return { start, end, region: info, stage: 'regionScanned' as const, retry: r.retry, lastErr: r.lastErr };
  }).filter((j) => j.end.length === 0 || Buffer.compare(j.start, j.end) < 0);
}

class Semaphore {
  private waiters: (() => void)[] = [];
  constructor(private free: number) {}
  async acquire(): Promise<void> {
    if (this.free > 0) { this.free--; return; }
    await new Promise<void>((resolve) => this.waiters.push(resolve));
  }
  release(): void {
    const w = this.waiters.shift();
    if (w) w(); else this.free++;
  }
}
