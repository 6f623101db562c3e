// Simulated TiKV ImportSST service for one store (protocol.md §4, §10 items 10–13).
import * as grpc from '@grpc/grpc-js';
import type * as pb from '../../../src/cluster/pb.js';
import { buf, num, big, epochFromPb, type RegionEpoch } from '../../../src/cluster/types.js';
import { applyFaults, serviceError, toStatus, unary, type SimContext } from './serve.js';
import { dataKey, encodeWrite, SHORT_VALUE_MAX } from './mvcc.js';
import { fileKey, type SimFile, type SimStore } from './store.js';
import { epochDebug, epochNotMatch, faultRegionError, keyNotInRegion, notLeader, regionNotFound, staleCommand } from './region-errors.js';
import type { SimRegion } from './state.js';
import type { Entry } from './sorted-map.js';

const SVC = 'ImportSST';

export interface StoreContext extends SimContext {
  stores: Map<number, SimStore>;
}

const modeName = (m: unknown): 'Normal' | 'Import' => (m === 'Import' || m === 1 ? 'Import' : 'Normal');

export function importSstService(ctx: StoreContext, store: SimStore): grpc.UntypedServiceImplementation {
  const st = ctx.state;
  const hosted = (id: number) => {
    const r = st.regionById(id);
    return r && r.peers.some((p) => p.storeId === store.id) ? r : undefined;
  };

  /** §4.4 check order; returns the error for IngestResponse or undefined after applying on every peer */
  const ingest = (context: pb.ContextPb, ssts: pb.SSTMetaPb[]): pb.RegionErrorPb | undefined => {
    const regionId = num(context.region_id);
    if (regionId === 0 && ssts.length === 0) return undefined; // capability / write-stall probe
    const r = hosted(regionId);
    if (!r) return regionNotFound(regionId);
    if (r.leaderStoreId !== store.id) return notLeader(st, r);
    const reqEpoch = epochFromPb(context.region_epoch);
    if (reqEpoch.version !== r.epoch.version) {
      return epochNotMatch(`current epoch of region ${r.id} is ${epochDebug(r.epoch)}, but you sent ${epochDebug(reqEpoch)}`,
        currentRegionsFor(r, ssts));
    }
    const files = ssts.map((m) => metaFileKey(m));
    if (files.some((f) => !store.files.has(f))) return staleCommand('The file which would be ingested doest not exist.');
    for (const m of ssts) {
      if (m.cf_name !== 'default' && m.cf_name !== 'write') return { message: `invalid cf name ${m.cf_name}` };
      if (num(m.region_id) !== r.id) return regionNotFound(num(m.region_id));
      const e = epochFromPb(m.region_epoch);
      if (e.confVer !== r.epoch.confVer || e.version !== r.epoch.version) {
        return epochNotMatch(`${epochDebug(e)} != ${epochDebug(r.epoch)}`, [r]);
      }
      for (const k of [buf(m.range?.start), buf(m.range?.end)]) {
        if (Buffer.compare(k, r.startKey) < 0 || (r.endKey.length > 0 && Buffer.compare(k, r.endKey) >= 0)) return keyNotInRegion(k, r);
      }
    }
    // raft replicates the ingest: every peer applies its own copy of the file
    for (const p of r.peers) {
      const s = ctx.stores.get(p.storeId)!;
      for (const f of files) {
        const file = s.files.get(f);
        if (!file) { s.applyFailures.push({ regionId: r.id, file: f }); continue; }
        s.apply(file);
        s.files.delete(f);
      }
    }
    return undefined;
  };

  const ingestHandler = <Req>(method: string, get: (req: Req) => { context: pb.ContextPb; ssts: pb.SSTMetaPb[] }) =>
    unary<Req, pb.IngestResponsePb>(ctx, SVC, method, (req, fault) => {
      const { context, ssts } = get(req);
      const regionId = num(context.region_id);
      if (fault) return { error: faultRegionError(fault, st, st.regionById(regionId), store.id, regionId) };
      const error = ingest(context, ssts);
      return error ? { error } : {};
    }, (req) => ({ store: store.id, region: num(get(req).context.region_id) || undefined }));

  return {
    SwitchMode: unary<pb.SwitchModeRequestPb, object>(ctx, SVC, 'SwitchMode', (req) => {
      store.mode = modeName(req.mode);
      store.modeHistory.push(store.mode);
      return {};
    }, () => ({ store: store.id })),

    GetMode: unary<object, pb.GetModeResponsePb>(ctx, SVC, 'GetMode', () => ({ mode: store.mode }), () => ({ store: store.id })),

    Write: (call: grpc.ServerReadableStream<pb.WriteRequestPb, pb.WriteResponsePb>, callback: grpc.sendUnaryData<pb.WriteResponsePb>) => {
      handleWrite(ctx, store, call).then((res) => callback(null, res), (e: unknown) => callback(toStatus(e)));
    },

    Ingest: ingestHandler<pb.IngestRequestPb>('Ingest', (req) => ({ context: req.context ?? {}, ssts: req.sst ? [req.sst] : [] })),
    MultiIngest: ingestHandler<pb.MultiIngestRequestPb>('MultiIngest', (req) => ({ context: req.context ?? {}, ssts: req.ssts ?? [] })),
    Compact: unary<object, object>(ctx, SVC, 'Compact', () => ({}), () => ({ store: store.id })),
  };

  function currentRegionsFor(r: SimRegion, ssts: pb.SSTMetaPb[]): SimRegion[] {
    // the region and whatever now covers the SSTs' keys (its split siblings), in key order
    const keys = ssts.flatMap((m) => [buf(m.range?.start), buf(m.range?.end)]);
    const set = new Set<SimRegion>([r]);
    for (const k of keys) { const x = st.regionByKey(k); if (x) set.add(x); }
    return [...set].sort((a, b) => Buffer.compare(a.startKey, b.startKey));
  }
}

export function metaFileKey(m: pb.SSTMetaPb): string {
  const e = epochFromPb(m.region_epoch);
  return fileKey(buf(m.uuid), num(m.region_id), e.confVer, e.version, m.cf_name ?? '');
}

const unknown = (msg: string) => serviceError(grpc.status.UNKNOWN, msg);

/** Compares the request epoch with the store's copy of the region like TiKV's Write (§4.3). */
function checkWriteEpoch(regionId: number, local: RegionEpoch, req: RegionEpoch): void {
  const detail = `local epoch ${epochDebug(local)}, request epoch ${epochDebug(req)}`;
  const newer = req.version >= local.version && req.confVer >= local.confVer;
  const older = req.version <= local.version && req.confVer <= local.confVer;
  if (newer && older) return;
  if (newer) throw unknown(`RequestTooNew("request region ${regionId} is ahead of local region, ${detail}")`);
  if (older) throw unknown(`RequestTooOld("request region ${regionId} is staler than local region, ${detail}")`);
}

async function handleWrite(ctx: StoreContext, store: SimStore, call: grpc.ServerReadableStream<pb.WriteRequestPb, pb.WriteResponsePb>):
Promise<pb.WriteResponsePb> {
  let meta: pb.SSTMetaPb | undefined;
  let txnSource = 0n;
  const writeEntries: Entry[] = [];
  const defaultEntries: Entry[] = [];
  let last: Buffer | undefined;
  for await (const msg of call as AsyncIterable<pb.WriteRequestPb>) {
    if (!meta) {
      if (msg.chunk !== 'meta' || !msg.meta) throw unknown('InvalidChunk');
      meta = msg.meta;
      txnSource = big(msg.context?.txn_source);
      const regionId = num(meta.region_id);
      const fault = await applyFaults(ctx, SVC, 'Write', store.id, regionId);
      if (fault) return { error: { message: `simulated ${fault.kind}`, store_error: faultRegionError(fault, ctx.state, ctx.state.regionById(regionId), store.id, regionId) } };
      const r = ctx.state.regionById(regionId);
      if (!r || !r.peers.some((p) => p.storeId === store.id)) throw unknown(`RequestTooOld("region ${regionId} is not found")`);
      checkWriteEpoch(regionId, r.epoch, epochFromPb(meta.region_epoch));
      continue;
    }
    if (msg.chunk !== 'batch' || !msg.batch) throw unknown('InvalidChunk');
    const ts = big(msg.batch.commit_ts);
    if (ts === 0n) throw unknown('BadFormat("invalid commit-ts 0")');
    for (const p of msg.batch.pairs ?? []) {
      const key = buf(p.key), value = buf(p.value);
      if (last && Buffer.compare(key, last) <= 0) {
        throw unknown('Engine(Engine(Status { code: IoError, sub_code: None, sev: NoError, state: "Keys must be added in strict ascending order." }))');
      }
      last = key;
      const dk = dataKey(key, ts);
      const del = p.op === 'Delete' || p.op === 1;
      const short = !del && value.length <= SHORT_VALUE_MAX;
      if (!del && !short) defaultEntries.push({ key: dk, value });
      writeEntries.push({ key: dk, value: encodeWrite(del ? 'D' : 'P', ts, short ? value : undefined, txnSource) });
    }
  }
  if (!meta) throw unknown('InvalidChunk');
  const metas: pb.SSTMetaPb[] = [];
  const save = (cf: SimFile['cf'], entries: Entry[]) => {
    if (entries.length === 0) return;
    const m = { ...meta!, cf_name: cf };
    store.files.set(metaFileKey(m), { cf, entries });
    metas.push(m);
  };
  save('default', defaultEntries);
  save('write', writeEntries);
  return { metas };
}
