// TiKV ImportSST client (protocol.md §4): mode switching, the Write client stream, Ingest/MultiIngest, Compact,
// Download. Region errors in IngestResponse become RegionError; gRPC failures keep their status in the context.
import { Codes, LightningError } from '../errors.js';
import type * as pb from './pb.js';
import { RegionError } from './errors.js';
import { RpcClient, type ClientOptions } from './rpc.js';

export type ImportMode = 'Normal' | 'Import';
export interface KvPair { key: Buffer; value: Buffer; op?: 'Put' | 'Delete' }

export interface WriteStream {
  /** one WriteBatch; every pair gets `commitTs` */
  writeBatch(commitTs: bigint, pairs: KvPair[]): Promise<void>;
  /** CloseAndRecv: the metas TiKV built (0–2, default CF first) */
  close(): Promise<pb.SSTMetaPb[]>;
  cancel(): void;
}

export class ImportSstClient extends RpcClient {
  constructor(addr: string, opts: ClientOptions = {}) {
    super(addr, 'import_sstpb.ImportSST', Codes.KVRpc, { timeoutMs: 15 * 60_000, ...opts });
  }

  async switchMode(mode: ImportMode, ranges: pb.RangePb[] = []): Promise<void> {
    await this.unary<pb.SwitchModeRequestPb, object>('SwitchMode', { mode, ranges });
  }

  async getMode(): Promise<ImportMode> {
    const res = await this.unary<object, pb.GetModeResponsePb>('GetMode', {});
    return res.mode === 'Import' || res.mode === 1 ? 'Import' : 'Normal';
  }

  /** Opens a Write stream and sends the meta first, as TiKV requires. */
  async write(meta: pb.SSTMetaPb, context: pb.ContextPb = {}, timeoutMs?: number): Promise<WriteStream> {
    const call = this.clientStream<pb.WriteRequestPb, pb.WriteResponsePb>('Write', timeoutMs);
    const wrap = (e: unknown) => {
      if (e instanceof LightningError && e.code === Codes.KVRpc) {
        return new LightningError(Codes.KVWriteFailed, e.message, { cause: e, retryable: e.retryable, context: e.context });
      }
      return e;
    };
    await call.write({ meta, context }).catch((e) => { throw wrap(e); });
    return {
      writeBatch: (commitTs, pairs) => call.write({
        batch: { commit_ts: commitTs.toString(), pairs: pairs.map((p) => ({ key: p.key, value: p.value, op: p.op ?? 'Put' })) },
      }).catch((e) => { throw wrap(e); }),
      close: async () => {
        const res = await call.finish().catch((e) => { throw wrap(e); });
        if (res.error) {
          throw new LightningError(Codes.KVWriteFailed, `resp error: ${res.error.message ?? ''}`, {
            retryable: true, cause: res.error.store_error ? new RegionError(res.error.store_error, 'write') : undefined,
          });
        }
        return res.metas ?? [];
      },
      cancel: () => call.cancel(),
    };
  }

  /** Ingest one SST at the leader. */
  async ingest(context: pb.ContextPb, sst: pb.SSTMetaPb): Promise<void> {
    check(await this.unary<pb.IngestRequestPb, pb.IngestResponsePb>('Ingest', { context, sst }), context);
  }

  /** MultiIngest at the leader; with no arguments it is Lightning's capability / write-stall probe. */
  async multiIngest(context: pb.ContextPb = {}, ssts: pb.SSTMetaPb[] = []): Promise<void> {
    check(await this.unary<pb.MultiIngestRequestPb, pb.IngestResponsePb>('MultiIngest', { context, ssts }), context);
  }

  async compact(range?: pb.RangePb, outputLevel = -1): Promise<void> {
    await this.unary<pb.CompactRequestPb, object>('Compact', { range: range ?? null, output_level: outputLevel });
  }

  async download(req: pb.DownloadRequestPb): Promise<pb.DownloadResponsePb> {
    const res = await this.unary<pb.DownloadRequestPb, pb.DownloadResponsePb>('Download', req);
    if (res.error) {
      throw new LightningError(Codes.KVRpc, `download: ${res.error.message ?? ''}`, {
        retryable: true, cause: res.error.store_error ? new RegionError(res.error.store_error, 'download') : undefined,
      });
    }
    return res;
  }
}

function check(res: pb.IngestResponsePb, ctx: pb.ContextPb): void {
  if (res.error) throw new RegionError(res.error, 'ingest', { region: Number(ctx.region_id ?? 0) });
}
