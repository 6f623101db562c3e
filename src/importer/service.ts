// The ImportKV gRPC handlers (protocol.md §7.1, §7.2): requests → KvImporter / Clusters, every call timed into
// tikv_import_rpc_duration{request}, failures as UNKNOWN + the Rust Debug text, an unknown engine on
// Write/Close as an OK response carrying error.engine_not_found.
import * as grpc from '@grpc/grpc-js';
import type * as pb from '../cluster/pb.js';
import type { ImporterMetrics } from '../server/importer-status.js';
import type { Logger } from '../log.js';
import { VERSION } from '../version.js';
import type { Clusters } from './cluster.js';
import type { KvImporter, OpenEngine, Pair } from './engines.js';
import { EngineNotFound, invalidChunk, toStatus } from './errors.js';

export interface ServiceOptions {
  /** bytes of one stream's batches in flight (received, not yet durable) before it stops reading */
  streamWindowBytes: number;
  /** cert-allowed-cn: client certificate common names accepted (empty = any) */
  allowedCn?: readonly string[];
}

interface Ctx { imp: KvImporter; clusters: Clusters; metrics: ImporterMetrics; logger: Logger; o: ServiceOptions }

type Unary<Req> = (req: Req) => Promise<object>;

const notFound = (uuid: Buffer) => ({ error: { engine_not_found: { uuid } } });
const bytes = (b: pb.Bytes | undefined): Buffer => (b ? Buffer.from(b as Uint8Array) : Buffer.alloc(0));

function unary<Req>(c: Ctx, label: string, fn: Unary<Req>): grpc.handleUnaryCall<Req, object> {
  return (call, cb) => {
    const denied = checkCn(c, call);
    if (denied) { cb(denied); return; }
    c.metrics.timeRpc(label, () => fn(call.request)).then(
      (res) => cb(null, res),
      (e: unknown) => {
        if (e instanceof EngineNotFound) { cb(null, notFound(e.uuid)); return; }
        c.logger.warn({ request: label, err: (e as Error).message }, 'request failed');
        cb(toStatus(e));
      });
  };
}

/** cert-allowed-cn (TiKV's security config): a client certificate whose CN is not listed is refused. */
function checkCn(c: Ctx, call: { getAuthContext(): { sslPeerCertificate?: { subject?: { CN?: string | string[] } } } }): Partial<grpc.StatusObject> | undefined {
  const allowed = c.o.allowedCn;
  if (!allowed?.length) return undefined;
  const cn = call.getAuthContext().sslPeerCertificate?.subject?.CN;
  const names = Array.isArray(cn) ? cn : cn ? [cn] : [];
  if (names.some((n) => allowed.includes(n))) return undefined;
  return { code: grpc.status.UNAUTHENTICATED, details: `Common name check fail, reason: ${names.join(',') || 'no client certificate'} is not in cert-allowed-cn` };
}

/** WriteEngine: head first, then batches; durable before the response; the stream stays bound until then. */
function writeEngine(c: Ctx): grpc.handleClientStreamingCall<pb.WriteEngineRequestPb, object> {
  return (call, cb) => {
    const denied = checkCn(c, call);
    if (denied) { cb(denied); return; }
    void c.metrics.timeRpc('write_engine', () => writeStream(c, call)).then(
      (res) => cb(null, res),
      (e: unknown) => {
        if (e instanceof EngineNotFound) { cb(null, notFound(e.uuid)); return; }
        if (!call.cancelled) c.logger.warn({ request: 'write_engine', err: (e as Error).message }, 'request failed');
        cb(toStatus(e));
      });
  };
}

async function writeStream(c: Ctx, call: grpc.ServerReadableStream<pb.WriteEngineRequestPb, object>): Promise<object> {
  let engine: OpenEngine | undefined;
  const inflight: { p: Promise<number>; size: number }[] = [];
  let inflightBytes = 0;
  const settle = async (limit: number) => {
    while (inflight.length && inflightBytes > limit) {
      const w = inflight.shift()!;
      inflightBytes -= w.size;
      await w.p;
    }
  };
  try {
    for await (const m of call as AsyncIterable<pb.WriteEngineRequestPb>) {
      if (!engine) {
        if (!m.head) throw invalidChunk();
        engine = c.imp.bind(bytes(m.head.uuid));
        continue;
      }
      if (!m.batch) throw invalidChunk();
      const t0 = performance.now();
      const pairs: Pair[] = (m.batch.mutations ?? []).map((x) => ({ key: bytes(x.key), value: bytes(x.value) }));
      const size = pairs.reduce((s, p) => s + p.key.length + p.value.length, 0);
      const p = c.imp.write(engine, BigInt(m.batch.commit_ts ?? 0), pairs).then((n) => {
        c.metrics.writeChunkBytes.observe(n);
        c.metrics.writeChunkDuration.observe((performance.now() - t0) / 1000);
        return n;
      });
      p.catch(() => undefined); // awaited below
      inflight.push({ p, size });
      inflightBytes += size;
      await settle(c.o.streamWindowBytes);
    }
    if (!engine) throw invalidChunk();
    await settle(-1);
    return {};
  } finally {
    await Promise.allSettled(inflight.map((w) => w.p));
    if (engine) c.imp.unbind(engine);
  }
}

export function importKvService(c: Ctx): grpc.UntypedServiceImplementation {
  const { imp, clusters } = c;
  return {
    SwitchMode: unary<{ pd_addr?: string; request?: pb.SwitchModeRequestPb }>(c, 'switch_mode', async (r) => {
      const mode = r.request?.mode === 'Import' || r.request?.mode === 1 ? 'Import' : 'Normal';
      await clusters.switchMode(r.pd_addr ?? '', mode);
      c.logger.info({ mode }, 'switch cluster');
      return {};
    }),
    OpenEngine: unary<{ uuid?: pb.Bytes }>(c, 'open_engine', async (r) => { await imp.openEngine(bytes(r.uuid)); return {}; }),
    WriteEngine: writeEngine(c),
    WriteEngineV3: unary<{ uuid?: pb.Bytes; commit_ts?: pb.U64; pairs?: { key?: pb.Bytes; value?: pb.Bytes }[] }>(c, 'write_engine_v3', async (r) => {
      const e = imp.bind(bytes(r.uuid));
      try {
        await imp.write(e, BigInt(r.commit_ts ?? 0), (r.pairs ?? []).map((p) => ({ key: bytes(p.key), value: bytes(p.value) })));
      } finally {
        imp.unbind(e);
      }
      return {};
    }),
    CloseEngine: unary<{ uuid?: pb.Bytes }>(c, 'close_engine', async (r) => {
      const uuid = bytes(r.uuid);
      return (await imp.closeEngine(uuid)) ? {} : notFound(uuid);
    }),
    ImportEngine: unary<{ uuid?: pb.Bytes; pd_addr?: string }>(c, 'import_engine', async (r) => { await imp.importEngine(bytes(r.uuid), r.pd_addr ?? ''); return {}; }),
    CleanupEngine: unary<{ uuid?: pb.Bytes }>(c, 'cleanup_engine', async (r) => { await imp.cleanupEngine(bytes(r.uuid)); return {}; }),
    CompactCluster: unary<{ pd_addr?: string; request?: pb.CompactRequestPb }>(c, 'compact_cluster', async (r) => {
      await clusters.compact(r.pd_addr ?? '', r.request ?? {});
      return {};
    }),
    GetVersion: unary<object>(c, 'get_version', async () => ({ version: VERSION, commit: '' })),
    GetMetrics: unary<object>(c, 'get_metrics', async () => ({ prometheus: await c.metrics.registry.metrics() })),
  };
}
