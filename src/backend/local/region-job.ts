// One region job (protocol.md §5.2, §5.4, §5.5): write the job's key range to every peer of its region, then
// ingest the leader's SST metas at the leader. The outcome of a failed step is the stage the job goes back to:
// 'regionScanned' (write again, same region), 'wrote' (ingest again later), 'needRescan' (ask PD again), or a
// fatal error.
import { randomBytes } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { setTimeout as sleep } from 'node:timers/promises';
import { Codes, LightningError } from '../../errors.js';
import { RegionError, grpcCodeOf } from '../../cluster/errors.js';
import { encodeBytes } from '../../cluster/keys.js';
import type { StoreClients } from '../../cluster/store-clients.js';
import { regionContext, epochToPb, type Peer, type RegionInfo } from '../../cluster/types.js';
import type * as pb from '../../cluster/pb.js';
import type { WriteStream } from '../../cluster/import-sst.js';
import type { LocalEngine } from '../../sort/engine.js';

export type Stage = 'regionScanned' | 'wrote' | 'ingested' | 'needRescan';

export interface RegionJob {
  /** raw [start, end); end empty = unbounded */
  start: Buffer;
  end: Buffer;
  region: RegionInfo;
  stage: Stage;
  retry: number;
  lastErr?: unknown;
  metas?: pb.SSTMetaPb[];
}

export interface JobEnv {
  engine: LocalEngine;
  clients: StoreClients;
  commitTs: bigint;
  sendKvSize: number;
  requestSource: string;
  /** immediate retries of a gRPC-level ingest failure (Go maxRetryTimes = 20) */
  ingestRetries: number;
  /** false once a store answered MultiIngest with Unimplemented: use Ingest per SST */
  multiIngest: { supported: boolean };
}

/** Thrown for a step that failed; `stage` is where the job resumes, or undefined when the import must stop. */
export class JobError extends Error {
  constructor(readonly stage: Exclude<Stage, 'ingested'> | undefined, readonly err: unknown) {
    super((err as Error)?.message ?? String(err));
  }
}

/** Runs the job until it is ingested or a step fails (JobError). */
export async function runJob(env: JobEnv, job: RegionJob): Promise<void> {
  while (job.stage !== 'ingested') {
    if (job.stage === 'regionScanned') await writeJob(env, job);
    else if (job.stage === 'wrote') await ingestJob(env, job);
    else throw new JobError('needRescan', job.lastErr);
  }
}

function leaderOf(job: RegionJob): Peer {
  const l = job.region.leader;
  if (!l) throw new JobError('needRescan', new LightningError(Codes.KVNoLeader, `region ${job.region.region.id} has no leader`, { retryable: true }));
  return l;
}

async function writeJob(env: JobEnv, job: RegionJob): Promise<void> {
  const leader = leaderOf(job);
  const edge = await env.engine.firstLast(job.start, job.end);
  if (!edge) { job.stage = 'ingested'; return; }
  const r = job.region.region;
  const meta: pb.SSTMetaPb = {
    uuid: randomBytes(16), range: { start: encodeBytes(edge.first), end: encodeBytes(edge.last) },
    region_id: r.id, region_epoch: epochToPb(r.epoch), api_version: 'V1',
  };
  const streams: WriteStream[] = [];
  let pairs = 0, bytes = 0;
  try {
    for (const p of r.peers) streams.push(await (await env.clients.importSst(p.storeId)).write(meta, { request_source: env.requestSource }));
    for await (const batch of env.engine.scan(job.start, job.end, env.sendKvSize)) {
      await Promise.all(streams.map((s) => s.writeBatch(env.commitTs, batch)));
      pairs += batch.length;
      for (const p of batch) bytes += p.key.length + p.value.length;
    }
    let leaderMetas: pb.SSTMetaPb[] | undefined;
    for (let i = 0; i < streams.length; i++) {
      const metas = await streams[i]!.close();
      if (r.peers[i]!.storeId === leader.storeId) leaderMetas = metas;
    }
    if (pairs > 0 && !leaderMetas?.length) {
      throw new LightningError(Codes.KVNoLeader, `write to region ${r.id}: the leader returned no SST metas`, { retryable: true });
    }
    job.metas = (leaderMetas ?? []).map((m) => ({ ...m, total_kvs: pairs, total_bytes: bytes }));
    job.stage = job.metas.length ? 'wrote' : 'ingested';
  } catch (e) {
    for (const s of streams) s.cancel();
    if (e instanceof JobError) throw e;
    for (const p of r.peers) if (grpcCodeOf(e) === grpc.status.UNAVAILABLE) env.clients.invalidate(p.storeId);
    if (/RequestTooNew/.test((e as Error).message)) throw new JobError('regionScanned', e);
    if (e instanceof LightningError && e.retryable) throw new JobError('needRescan', e);
    throw new JobError(undefined, e);
  }
}

async function ingestJob(env: JobEnv, job: RegionJob): Promise<void> {
  const leader = leaderOf(job);
  const ctx = regionContext(job.region.region, leader, { request_source: env.requestSource });
  const metas = job.metas ?? [];
  for (let attempt = 0; ; attempt++) {
    try {
      const c = await env.clients.importSst(leader.storeId);
      if (env.multiIngest.supported) {
        try {
          await c.multiIngest(ctx, metas);
        } catch (e) {
          if (grpcCodeOf(e) !== grpc.status.UNIMPLEMENTED) throw e;
          env.multiIngest.supported = false;
          continue;
        }
      } else {
        // Ingest takes one SST; a retry after a partial failure drops the metas already ingested
        while (metas.length) { await c.ingest(ctx, metas[0]!); metas.shift(); }
      }
      job.stage = 'ingested';
      return;
    } catch (e) {
      if (e instanceof RegionError) throw new JobError(ingestStage(job, e), e);
      const retryable = e instanceof LightningError && e.retryable;
      if (grpcCodeOf(e) === grpc.status.UNAVAILABLE) env.clients.invalidate(leader.storeId);
      if (!retryable) throw new JobError(undefined, e);
      if (attempt + 1 >= env.ingestRetries) throw new JobError('wrote', e);
      await sleep(Math.min(100, 5 * (attempt + 1)));
    }
  }
}

/** convertStageOnIngestError (protocol.md §5.5); may replace the job's region for epoch_not_match. */
function ingestStage(job: RegionJob, e: RegionError): Exclude<Stage, 'ingested'> | undefined {
  const re = e.regionError;
  if (re.not_leader) return 'needRescan';
  if (re.epoch_not_match) {
    const metas = job.metas ?? [];
    const oldStore = job.region.leader?.storeId;
    const fits = e.currentRegions.find((r) => metas.every((m) => {
      const s = Buffer.from(m.range?.start ?? []), en = Buffer.from(m.range?.end ?? []);
      return Buffer.compare(r.startKey, s) <= 0 && (r.endKey.length === 0 || Buffer.compare(en, r.endKey) < 0);
    }));
    const leader = fits?.peers.find((p) => p.storeId === oldStore);
    if (!fits || !leader) return 'needRescan';
    job.region = { region: fits, leader, pendingPeers: [], downPeers: [] };
    return 'regionScanned';
  }
  if (re.message?.includes('raft: proposal dropped')) return 'needRescan';
  if (re.server_is_busy) return 'wrote';
  if (re.region_not_found || re.read_index_not_ready) return 'needRescan';
  if (re.disk_full) return undefined;
  return 'regionScanned';
}
