// Simulated TiKV ImportSST service for one store (protocol.md §4, §10 items 10–13): mode switching, Write,
// Ingest/MultiIngest with TiKV's check order, Download/Upload, force-partition ranges, Compact.
import type * as grpc from '@grpc/grpc-js';
import type * as pb from '../../../src/cluster/pb.js';
import { buf, num, epochFromPb } from '../../../src/cluster/types.js';
import { toStatus, unary, type SimContext } from './serve.js';
import type { SimStore } from './store.js';
import {
  diskFull, epochDebug, epochNotMatch, faultRegionError, keyNotInRegion, notLeader, regionNotFound, staleCommand,
} from './region-errors.js';
import type { SimRegion } from './state.js';
import { handleWrite, metaFileKey } from './sst-write.js';
import { download, handleUpload } from './sst-download.js';

const SVC = 'ImportSST';

export interface StoreContext extends SimContext {
  stores: Map<number, SimStore>;
}

const modeName = (m: unknown): 'Normal' | 'Import' => (m === 'Import' || m === 1 ? 'Import' : 'Normal');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function importSstService(ctx: StoreContext, store: SimStore): grpc.UntypedServiceImplementation {
  const st = ctx.state;
  const hosted = (id: number) => {
    const r = st.regionById(id);
    return r && r.peers.some((p) => p.storeId === store.id) ? r : undefined;
  };

  /** apply-time checks (raftstore check_sst_for_ingestion), against the region as it is when the entry applies */
  const applyCheck = (r: SimRegion, ssts: pb.SSTMetaPb[]): pb.RegionErrorPb | undefined => {
    for (const m of ssts) {
      if (m.cf_name !== 'default' && m.cf_name !== 'write') return { message: `invalid cf name ${m.cf_name ?? ''}` };
      if (num(m.region_id) !== r.id) return regionNotFound(num(m.region_id));
      const e = epochFromPb(m.region_epoch);
      if (e.confVer !== r.epoch.confVer || e.version !== r.epoch.version) return epochNotMatch(`${epochDebug(e)} != ${epochDebug(r.epoch)}`, [r]);
      for (const k of [buf(m.range?.start), buf(m.range?.end)]) {
        if (Buffer.compare(k, r.startKey) < 0 || (r.endKey.length > 0 && Buffer.compare(k, r.endKey) >= 0)) return keyNotInRegion(k, r);
      }
    }
    return store.disk === 'full' ? diskFull(store.id) : undefined;
  };

  /** §4.4 check order; returns the error for IngestResponse or undefined after applying on every peer */
  const ingest = async (context: pb.ContextPb, ssts: pb.SSTMetaPb[]): Promise<pb.RegionErrorPb | undefined> => {
    const regionId = num(context.region_id);
    const wait = store.suspendedUntil - Date.now();
    if (wait > 0) return { message: `imports are suspended for ${Math.ceil(wait / 1000)}s`, server_is_busy: { reason: '', backoff_ms: wait } };
    if (regionId === 0 && ssts.length === 0) return undefined; // capability / write-stall probe
    const r = hosted(regionId);
    if (!r) return regionNotFound(regionId);
    const files = ssts.map((m) => metaFileKey(m));
    if (files.some((f) => store.ingesting.has(f))) return { message: 'ingest file conflict' };
    if (r.leaderStoreId !== store.id) return notLeader(st, r);
    const reqEpoch = epochFromPb(context.region_epoch);
    if (reqEpoch.version !== r.epoch.version) {
      return epochNotMatch(`current epoch of region ${r.id} is ${epochDebug(r.epoch)}, but you sent ${epochDebug(reqEpoch)}`, currentRegionsFor(r, ssts));
    }
    if (files.some((f) => !store.files.has(f))) return staleCommand('The file which would be ingested doest not exist.');
    if (store.applyDelayMs > 0) {
      for (const f of files) store.ingesting.add(f);
      try { await sleep(store.applyDelayMs); } finally { for (const f of files) store.ingesting.delete(f); }
    }
    const now = st.regionById(regionId);
    if (!now) return regionNotFound(regionId);
    const bad = applyCheck(now, ssts);
    if (bad) return bad;
    // raft replicates the ingest: every peer applies its own copy of the file
    for (const p of now.peers) {
      const s = ctx.stores.get(p.storeId)!;
      let applied = 0;
      for (const f of files) {
        const file = s.files.get(f);
        if (!file) { s.applyFailures.push({ regionId: now.id, file: f }); continue; }
        s.apply(file);
        s.files.delete(f);
        applied++;
      }
      s.events.push({ kind: 'ingest', regionId: now.id, files: applied });
    }
    return undefined;
  };

  const ingestHandler = <Req>(method: string, get: (req: Req) => { context: pb.ContextPb; ssts: pb.SSTMetaPb[] }) =>
    unary<Req, pb.IngestResponsePb>(ctx, SVC, method, async (req, fault) => {
      const { context, ssts } = get(req);
      const regionId = num(context.region_id);
      if (fault) return { error: faultRegionError(fault, st, st.regionById(regionId), store.id, regionId) };
      const error = await ingest(context, ssts);
      return error ? { error } : {};
    }, (req) => ({ store: store.id, region: num(get(req).context.region_id) || undefined }));

  const atStore = () => ({ store: store.id });
  const rangeKey = (r: pb.RangePb | null | undefined) => `${buf(r?.start).toString('hex')}-${buf(r?.end).toString('hex')}`;

  return {
    SwitchMode: unary<pb.SwitchModeRequestPb, object>(ctx, SVC, 'SwitchMode', (req) => {
      store.setMode(modeName(req.mode));
      return {};
    }, atStore),

    GetMode: unary<object, pb.GetModeResponsePb>(ctx, SVC, 'GetMode', () => ({ mode: store.mode }), atStore),

    Write: (call: grpc.ServerReadableStream<pb.WriteRequestPb, pb.WriteResponsePb>, callback: grpc.sendUnaryData<pb.WriteResponsePb>) => {
      handleWrite(ctx, store, call).then((res) => callback(null, res), (e: unknown) => callback(toStatus(e)));
    },

    Upload: (call: grpc.ServerReadableStream<{ meta?: pb.SSTMetaPb | null; data?: Buffer }, object>, callback: grpc.sendUnaryData<object>) => {
      handleUpload(store, call).then((res) => callback(null, res), (e: unknown) => callback(toStatus(e)));
    },

    Download: unary<pb.DownloadRequestPb, pb.DownloadResponsePb>(ctx, SVC, 'Download', (req, fault) => {
      const regionId = num(req.sst?.region_id);
      if (fault) return { error: { message: `simulated ${fault.kind}`, store_error: faultRegionError(fault, st, st.regionById(regionId), store.id, regionId) } };
      return download(store, req);
    }, (req) => ({ store: store.id, region: num(req.sst?.region_id) || undefined })),

    Ingest: ingestHandler<pb.IngestRequestPb>('Ingest', (req) => ({ context: req.context ?? {}, ssts: req.sst ? [req.sst] : [] })),
    MultiIngest: ingestHandler<pb.MultiIngestRequestPb>('MultiIngest', (req) => ({ context: req.context ?? {}, ssts: req.ssts ?? [] })),
    Compact: unary<object, object>(ctx, SVC, 'Compact', () => ({}), atStore),

    AddForcePartitionRange: unary<{ range?: pb.RangePb | null; ttl_seconds?: string }, object>(ctx, SVC, 'AddForcePartitionRange', (req) => {
      const ttl = num(req.ttl_seconds) || 3600;
      store.forcePartitions.set(rangeKey(req.range), { start: buf(req.range?.start), end: buf(req.range?.end), expireAt: Date.now() + ttl * 1000 });
      return {};
    }, atStore),

    RemoveForcePartitionRange: unary<{ range?: pb.RangePb | null }, object>(ctx, SVC, 'RemoveForcePartitionRange', (req) => {
      store.forcePartitions.delete(rangeKey(req.range));
      return {};
    }, atStore),
  };

  function currentRegionsFor(r: SimRegion, ssts: pb.SSTMetaPb[]): SimRegion[] {
    // the region and whatever now covers the SSTs' keys (its split siblings), in key order
    const keys = ssts.flatMap((m) => [buf(m.range?.start), buf(m.range?.end)]);
    const set = new Set<SimRegion>([r]);
    for (const k of keys) { const x = st.regionByKey(k); if (x) set.add(x); }
    return [...set].sort((a, b) => Buffer.compare(a.startKey, b.startKey));
  }
}
