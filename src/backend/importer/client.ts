// Lightning's side of tikv-importer (protocol.md §7.3, Go br/pkg/lightning/backend/importer): one connection,
// FileExists on Open/Close ignored (the engine was closed by an earlier run), KV pairs streamed as WriteEngine
// head + batches of at most 31 KiB of mutations (Go's MaxChunkSize) with 3 tries on retryable errors,
// ImportEngine one at a time with 3 tries RetryImportDelay (3 s) apart.
// Two waits Go does not have, both for states a crashed or concurrent run leaves behind: EngineInUse (an
// import or close of the same engine still running, a killed client's stream not yet unbound) and
// "Too many open engines" are retried until a deadline instead of failing the table at once.
import { setTimeout as sleep } from 'node:timers/promises';
import { ImportKvClient } from '../../cluster/import-kv.js';
import { uuidString } from '../../cluster/import-kv.js';
import type { TlsOptions } from '../../cluster/security.js';
import type * as pb from '../../cluster/pb.js';
import { Codes, LightningError } from '../../errors.js';
import { kvPairs, type KvBatch } from '../../sort/kv-batch.js';

/** Go's importer MaxChunkSize: mutation bytes per WriteBatch message */
export const MAX_CHUNK_SIZE = 31 << 10;
export const RETRY_IMPORT_DELAY_MS = 3000;
const WRITE_ROWS_MAX_RETRY = 3;
const IMPORT_MAX_RETRY = 3;

export interface ImporterClientOptions {
  tls?: TlsOptions;
  /** RetryImportDelay (3 s) */
  retryImportDelayMs?: number;
  /** how long EngineInUse is waited out on Import/Close/Cleanup (default 1 h) */
  inUseWaitMs?: number;
  /** how long OpenEngine retries "Too many open engines" (default 10 min) */
  openWaitMs?: number;
  /** first delay between write retries (default 500 ms, doubling) */
  writeRetryDelayMs?: number;
  onWarn?: (msg: string) => void;
}

const HOUR = 3600_000;

/** The ImportKV calls with a stream of several batches and deadlines sized for big engines. */
class ImportKvCalls extends ImportKvClient {
  async writeBatches(uuid: Buffer, commitTs: bigint, batch: KvBatch): Promise<void> {
    const call = this.clientStream<pb.WriteEngineRequestPb, pb.WriteEngineResponsePb>('WriteEngine', 15 * 60_000);
    try {
      await call.write({ head: { uuid } });
      const ts = commitTs.toString();
      let mutations: { op: 'Put'; key: Buffer; value: Buffer }[] = [];
      let size = 0;
      for (const p of kvPairs(batch)) {
        const n = p.key.length + p.value.length;
        // Go's SplitIntoChunks: a message ends before the pair that would take it past the limit
        if (mutations.length && size + n > MAX_CHUNK_SIZE) {
          await call.write({ batch: { commit_ts: ts, mutations } });
          mutations = [];
          size = 0;
        }
        mutations.push({ op: 'Put', key: p.key, value: p.value });
        size += n;
      }
      if (mutations.length) await call.write({ batch: { commit_ts: ts, mutations } });
    } catch (e) {
      call.cancel();
      throw e;
    }
    found(await call.finish(), uuid);
  }

  /** CloseEngine merges the engine on the server: minutes for a big one. */
  async closeEngineLong(uuid: Buffer): Promise<void> {
    found(await this.unary<object, pb.WriteEngineResponsePb>('CloseEngine', { uuid }, HOUR), uuid);
  }
}

function found(res: pb.WriteEngineResponsePb, uuid: Buffer): void {
  if (res.error?.engine_not_found) {
    throw new LightningError(Codes.Importer, `Engine '${uuidString(uuid)}' not found`, { context: { engine: uuidString(uuid) } });
  }
}

const has = (e: unknown, text: string): boolean => e instanceof LightningError && e.message.includes(text);
/** tikv-importer's answers that no retry changes */
const FINAL = ['FileExists', 'FileNotExists', 'InvalidProtoMessage', 'InvalidChunk', 'not found'];
const retryable = (e: unknown): boolean => e instanceof LightningError && e.retryable && !FINAL.some((t) => has(e, t));

export class ImporterClient {
  private readonly rpc: ImportKvCalls;
  private importing: Promise<unknown> = Promise.resolve();

  constructor(readonly addr: string, private readonly o: ImporterClientOptions = {}) {
    this.rpc = new ImportKvCalls(addr, { tls: o.tls });
  }

  /** OpenEngine; an engine closed before (FileExists) is fine. */
  async openEngine(uuid: Buffer): Promise<void> {
    const deadline = Date.now() + (this.o.openWaitMs ?? 10 * 60_000);
    for (let wait = 1000; ; wait = Math.min(wait * 2, 10_000)) {
      try {
        await this.rpc.openEngine(uuid);
        return;
      } catch (e) {
        if (has(e, 'FileExists')) return;
        if (!has(e, 'Too many open engines') || Date.now() >= deadline) throw explain(e);
        this.o.onWarn?.(`tikv-importer at ${this.addr} has too many open engines; retrying engine ${uuidString(uuid)} in ${wait} ms`);
        await sleep(wait);
      }
    }
  }

  /** CloseEngine; closed before (FileExists) is fine. `ignoreNotFound`: the unsafe close of tidb-lightning-ctl. */
  async closeEngine(uuid: Buffer, ignoreNotFound = false): Promise<void> {
    await this.waitInUse(async () => {
      try {
        await this.rpc.closeEngineLong(uuid);
      } catch (e) {
        if (has(e, 'FileExists') || (ignoreNotFound && has(e, 'not found'))) return;
        throw e;
      }
    });
  }

  /** One batch of KV pairs into an open engine, acknowledged once tikv-importer has stored it. */
  async writeKvs(uuid: Buffer, commitTs: bigint, batch: KvBatch, table: string): Promise<void> {
    if (batch.count === 0) return;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.rpc.writeBatches(uuid, commitTs, batch);
        return;
      } catch (e) {
        if (!retryable(e)) throw e;
        if (attempt >= WRITE_ROWS_MAX_RETRY) {
          throw new LightningError(Codes.Importer, `[${table}] write rows reach max retry ${WRITE_ROWS_MAX_RETRY} and still failed: ${(e as Error).message}`, { cause: e, context: { table, engine: uuidString(uuid) } });
        }
        await sleep((this.o.writeRetryDelayMs ?? 500) * 2 ** (attempt - 1));
      }
    }
  }

  /** ImportEngine into the cluster at `pdAddr`; one at a time per client, as Go's mutex does. */
  importEngine(uuid: Buffer, pdAddr: string): Promise<void> {
    const run = this.importing.then(() => this.importWithRetry(uuid, pdAddr));
    this.importing = run.catch(() => undefined);
    return run;
  }

  private async importWithRetry(uuid: Buffer, pdAddr: string): Promise<void> {
    let last: unknown;
    for (let attempt = 0; attempt < IMPORT_MAX_RETRY; attempt++) {
      try {
        await this.waitInUse(() => this.rpc.importEngine(uuid, pdAddr));
        return;
      } catch (e) {
        if (!retryable(e)) throw e;
        last = e;
        this.o.onWarn?.(`import engine ${uuidString(uuid)} spuriously failed, going to retry again: ${(e as Error).message}`);
        if (attempt + 1 < IMPORT_MAX_RETRY) await sleep(this.o.retryImportDelayMs ?? RETRY_IMPORT_DELAY_MS);
      }
    }
    throw new LightningError(Codes.Importer, `[${uuidString(uuid)}] import reach max retry ${IMPORT_MAX_RETRY} and still failed: ${(last as Error).message}`, { cause: last, context: { engine: uuidString(uuid) } });
  }

  async cleanupEngine(uuid: Buffer): Promise<void> {
    await this.waitInUse(() => this.rpc.cleanupEngine(uuid));
  }

  /** Runs `f` again while tikv-importer answers EngineInUse, RetryImportDelay apart, until inUseWaitMs passed. */
  private async waitInUse(f: () => Promise<void>): Promise<void> {
    const deadline = Date.now() + (this.o.inUseWaitMs ?? HOUR);
    for (;;) {
      try {
        return await f();
      } catch (e) {
        if (!has(e, 'EngineInUse') || Date.now() >= deadline) throw e;
        await sleep(this.o.retryImportDelayMs ?? RETRY_IMPORT_DELAY_MS);
      }
    }
  }

  close(): void {
    this.rpc.close();
  }
}

function explain(e: unknown): unknown {
  if (!has(e, 'Too many open engines')) return e;
  return new LightningError(Codes.Importer, `${(e as Error).message}; raise [import] max-open-engines of tikv-importer ` +
    'above 2 × lightning.table-concurrency (each table being imported holds its data engine and its index engine open)', { cause: e });
}
