// tikv-importer ImportKV client (protocol.md §7), for the legacy importer backend.
import { Codes, LightningError } from '../errors.js';
import type * as pb from './pb.js';
import { RpcClient, type ClientOptions } from './rpc.js';
import type { ImportMode } from './import-sst.js';

export interface Mutation { key: Buffer; value: Buffer }

export class ImportKvClient extends RpcClient {
  constructor(addr: string, opts: ClientOptions = {}) {
    super(addr, 'import_kvpb.ImportKV', Codes.Importer, opts);
  }

  async switchMode(pdAddr: string, mode: ImportMode): Promise<void> {
    await this.unary('SwitchMode', { pd_addr: pdAddr, request: { mode } });
  }

  async openEngine(uuid: Buffer): Promise<void> {
    await this.unary('OpenEngine', { uuid });
  }

  /** One WriteEngine stream: head, one batch, close — Lightning's per-chunk pattern. */
  async writeEngine(uuid: Buffer, commitTs: bigint, mutations: Mutation[]): Promise<void> {
    const call = this.clientStream<pb.WriteEngineRequestPb, pb.WriteEngineResponsePb>('WriteEngine');
    await call.write({ head: { uuid } });
    await call.write({ batch: { commit_ts: commitTs.toString(), mutations: mutations.map((m) => ({ op: 'Put', key: m.key, value: m.value })) } });
    engineFound(await call.finish(), uuid);
  }

  async writeEngineV3(uuid: Buffer, commitTs: bigint, pairs: Mutation[]): Promise<void> {
    engineFound(await this.unary<object, pb.WriteEngineResponsePb>('WriteEngineV3', {
      uuid, commit_ts: commitTs.toString(), pairs: pairs.map((p) => ({ key: p.key, value: p.value })),
    }), uuid);
  }

  async closeEngine(uuid: Buffer): Promise<void> {
    engineFound(await this.unary<object, pb.WriteEngineResponsePb>('CloseEngine', { uuid }), uuid);
  }

  async importEngine(uuid: Buffer, pdAddr: string, timeoutMs = 24 * 3600_000): Promise<void> {
    await this.unary('ImportEngine', { uuid, pd_addr: pdAddr }, timeoutMs);
  }

  async cleanupEngine(uuid: Buffer): Promise<void> {
    await this.unary('CleanupEngine', { uuid });
  }

  async compactCluster(pdAddr: string, range?: pb.RangePb, outputLevel = -1): Promise<void> {
    await this.unary('CompactCluster', { pd_addr: pdAddr, request: { range: range ?? null, output_level: outputLevel } });
  }

  async getVersion(): Promise<{ version: string; commit: string }> {
    const res = await this.unary<object, { version?: string; commit?: string }>('GetVersion', {});
    return { version: res.version ?? '', commit: res.commit ?? '' };
  }

  async getMetrics(): Promise<string> {
    return (await this.unary<object, { prometheus?: string }>('GetMetrics', {})).prometheus ?? '';
  }
}

function engineFound(res: pb.WriteEngineResponsePb, uuid: Buffer): void {
  if (res.error?.engine_not_found) {
    throw new LightningError(Codes.Importer, `Engine '${uuidString(uuid)}' not found`, { context: { engine: uuidString(uuid) } });
  }
}

export function uuidString(b: Buffer): string {
  const h = b.toString('hex');
  return h.length === 32 ? `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}` : h;
}
