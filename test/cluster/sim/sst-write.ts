// ImportSST/Write for one store (protocol.md §4.3, §10 item 11): meta first, epoch check against the store's
// copy of the region, MVCC encoding into run files on disk (short values inline in the write CF, long ones in
// the default CF), 0–2 metas back (default first). Failures are gRPC UNKNOWN with TiKV's Debug text.
import * as grpc from '@grpc/grpc-js';
import type * as pb from '../../../src/cluster/pb.js';
import { buf, num, big, epochFromPb, type RegionEpoch } from '../../../src/cluster/types.js';
import { applyFaults, serviceError, type SimContext } from './serve.js';
import { dataKey, encodeWrite, tsSuffix, varint, SHORT_VALUE_MAX } from './mvcc.js';
import { fileKey, type SimFile, type SimStore } from './store.js';
import { epochDebug, faultRegionError } from './region-errors.js';
import { OrderError, type RunWriter } from './kv/run.js';

export const unknown = (msg: string) => serviceError(grpc.status.UNKNOWN, msg);

export function metaFileKey(m: pb.SSTMetaPb): string {
  const e = epochFromPb(m.region_epoch);
  return fileKey(buf(m.uuid), num(m.region_id), e.confVer, e.version, m.cf_name ?? '');
}

/** Compares the request epoch with the store's copy of the region like TiKV's Write (§4.3). */
function checkWriteEpoch(regionId: number, local: RegionEpoch, req: RegionEpoch): void {
  const detail = `local epoch ${epochDebug(local)}, request epoch ${epochDebug(req)}`;
  const newer = req.version >= local.version && req.confVer >= local.confVer;
  const older = req.version <= local.version && req.confVer <= local.confVer;
  if (newer && older) return;
  if (newer) throw unknown(`RequestTooNew("request region ${regionId} is ahead of local region, ${detail}")`);
  if (older) throw unknown(`RequestTooOld("request region ${regionId} is staler than local region, ${detail}")`);
}

/** Saves a finished run as the file for `meta` with `cf_name` set; returns the meta TiKV sends back. */
export function saveFile(store: SimStore, meta: pb.SSTMetaPb, cf: SimFile['cf'], w: RunWriter): pb.SSTMetaPb {
  const run = w.finish();
  const m: pb.SSTMetaPb = { ...meta, cf_name: cf, length: run.size, crc32: run.crc32 };
  store.files.set(metaFileKey(m), { cf, run });
  return m;
}

export async function handleWrite(ctx: SimContext, store: SimStore, call: grpc.ServerReadableStream<pb.WriteRequestPb, pb.WriteResponsePb>):
Promise<pb.WriteResponsePb> {
  let meta: pb.SSTMetaPb | undefined;
  let txnSource = 0n;
  let writeW: RunWriter | undefined;
  let defaultW: RunWriter | undefined;
  try {
    for await (const msg of call as AsyncIterable<pb.WriteRequestPb>) {
      if (!meta) {
        if (msg.chunk !== 'meta' || !msg.meta) throw unknown('InvalidChunk');
        meta = msg.meta;
        txnSource = big(msg.context?.txn_source);
        const regionId = num(meta.region_id);
        const fault = await applyFaults(ctx, 'ImportSST', 'Write', store.id, regionId);
        if (fault) {
          return { error: { message: `simulated ${fault.kind}`, store_error: faultRegionError(fault, ctx.state, ctx.state.regionById(regionId), store.id, regionId) } };
        }
        const r = ctx.state.regionById(regionId);
        if (!r || !r.peers.some((p) => p.storeId === store.id)) throw unknown(`RequestTooOld("region ${regionId} is not found")`);
        checkWriteEpoch(regionId, r.epoch, epochFromPb(meta.region_epoch));
        if (store.disk !== 'normal') throw unknown('DiskSpaceNotEnough');
        store.events.push({ kind: 'write', regionId });
        continue;
      }
      if (msg.chunk !== 'batch' || !msg.batch) throw unknown('InvalidChunk');
      const ts = big(msg.batch.commit_ts);
      if (ts === 0n) throw unknown('BadFormat("invalid commit-ts 0")');
      // per batch, not per pair: the key suffix and the write record's start_ts bytes
      const suffix = tsSuffix(ts), tsVarint = varint(ts);
      for (const p of msg.batch.pairs ?? []) {
        const key = buf(p.key), value = buf(p.value);
        const dk = dataKey(key, suffix);
        const del = p.op === 'Delete' || p.op === 1;
        const short = !del && value.length <= SHORT_VALUE_MAX;
        if (!del && !short) (defaultW ??= store.newRunWriter()).add(dk, value);
        (writeW ??= store.newRunWriter()).add(dk, encodeWrite(del ? 'D' : 'P', tsVarint, short ? value : undefined, txnSource));
      }
    }
    if (!meta) throw unknown('InvalidChunk');
    const metas: pb.SSTMetaPb[] = [];
    if (defaultW) { metas.push(saveFile(store, meta, 'default', defaultW)); defaultW = undefined; }
    if (writeW) { metas.push(saveFile(store, meta, 'write', writeW)); writeW = undefined; }
    return { metas };
  } catch (e) {
    if (e instanceof OrderError) {
      throw unknown('Engine(Engine(Status { code: IoError, sub_code: None, sev: NoError, state: "Keys must be added in strict ascending order." }))');
    }
    throw e;
  } finally {
    defaultW?.abort();
    writeW?.abort();
  }
}
