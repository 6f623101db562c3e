// The `importer` backend (legacy; lightning.md §6.3, protocol.md §7.3): rows are encoded here as for the local
// backend (same encoders, same chunk writer), but the KV pairs stream to a tikv-importer server
// (`tikv-importer.addr`) that keeps the engines, and ImportEngine/CloseEngine/CleanupEngine RPCs replace the
// local import. Engines are named by the UUIDs of protocol.md §7.4; the commit ts of an engine comes from PD's
// TSO when it is opened (once per engine and process, as Go does).
//
// Durability: a chunk's write resolves when tikv-importer answered the WriteEngine stream. Our tikv-importer
// (src/importer) answers only after the pairs are fsynced and keeps open engines across restarts, so the
// chunk checkpoint is the truth (progressInTarget = false), kill -9 of either process included. The protocol
// itself promises nothing of the kind: the Rust tikv-importer writes without WAL and wipes `.temp` when it
// starts, so with it a crash of tikv-importer loses the open engines' acknowledged rows (the post-import
// checksum then fails; the table must be re-imported, as with Go).
import { PdClient } from '../../cluster/pd.js';
import { StoreClients } from '../../cluster/store-clients.js';
import { engineUuid, INDEX_ENGINE_ID } from '../../cluster/engine-uuid.js';
import type { TlsOptions } from '../../cluster/security.js';
import { Codes, LightningError } from '../../errors.js';
import type { KvBatch } from '../../sort/kv-batch.js';
import type { Backend, ChunkCommit, ChunkFigures, ChunkRef, ChunkWriter, EngineWriter, TableRef, TableVerification } from '../backend.js';
import { uniqueTableName } from '../local/backend.js';
import { verifyKvTable } from '../local/checksum.js';
import { TableEncoders, type TableEncoding } from '../local/encoder.js';
import { ImportModeSwitch } from '../local/mode.js';
import { LocalChunkWriter, type KvSink } from '../local/writer.js';
import { ImporterClient, type ImporterClientOptions } from './client.js';

export interface ImporterBackendOptions extends TableEncoding {
  /** tikv-importer.addr */
  addr: string;
  /** one PD address (tidb.pd-addr); tikv-importer is told to import into the cluster it leads to */
  pdAddr: string;
  /** [security]: to tikv-importer, PD and TiKV */
  tls?: TlsOptions;
  /** cron.switch-mode: TiKV stays in Import mode while engines import (Lightning switches TiKV itself) */
  switchModeIntervalMs?: number;
  client?: Omit<ImporterClientOptions, 'tls' | 'onWarn'>;
  onWarn?: (msg: string) => void;
}

/** A chunk's KV batches for one engine on tikv-importer. */
class RemoteEngineSink implements KvSink {
  constructor(private readonly client: ImporterClient, private readonly uuid: Buffer, private readonly commitTs: bigint, private readonly table: string) {}
  append(batch: KvBatch): Promise<void> { return this.client.writeKvs(this.uuid, this.commitTs, batch, this.table); }
  async close(): Promise<void> { /* each append is acknowledged on its own */ }
}

export class ImporterBackend implements Backend {
  readonly name = 'importer' as const;
  readonly progressInTarget = false;
  private client_?: ImporterClient;
  private clients_?: StoreClients;
  private readonly commitTs = new Map<string, Promise<bigint>>();
  private readonly encoders: TableEncoders;
  private readonly mode: ImportModeSwitch;

  constructor(private readonly o: ImporterBackendOptions) {
    this.encoders = new TableEncoders(o);
    this.mode = new ImportModeSwitch(() => this.clients, o.switchModeIntervalMs ?? 5 * 60_000, o.onWarn);
  }

  async open(): Promise<void> {
    this.client_ = new ImporterClient(this.o.addr, { ...this.o.client, tls: this.o.tls, onWarn: this.o.onWarn });
    const pd = await PdClient.connect(this.o.pdAddr, { tls: this.o.tls });
    this.clients_ = new StoreClients(pd, { tls: this.o.tls });
  }

  async close(): Promise<void> {
    this.mode.stop();
    await this.encoders.close();
    this.client_?.close();
    this.clients_?.close();
    this.clients_?.pd.close();
  }

  private get client(): ImporterClient {
    if (!this.client_) throw new LightningError(Codes.InvalidArgument, 'importer backend is not open');
    return this.client_;
  }

  private get clients(): StoreClients {
    if (!this.clients_) throw new LightningError(Codes.InvalidArgument, 'importer backend is not open');
    return this.clients_;
  }

  /** OpenEngine on tikv-importer, then the engine's commit ts (allocated once). */
  private async openRemote(table: TableRef, engineId: number): Promise<{ uuid: Buffer; ts: bigint }> {
    const uuid = engineUuid(uniqueTableName(table), engineId);
    await this.client.openEngine(uuid);
    const key = uuid.toString('hex');
    let ts = this.commitTs.get(key);
    if (!ts) {
      ts = this.clients.pd.getTS();
      ts.catch(() => this.commitTs.delete(key));
      this.commitTs.set(key, ts);
    }
    return { uuid, ts: await ts };
  }

  async openEngine(table: TableRef, engineId: number): Promise<EngineWriter> {
    const name = uniqueTableName(table);
    const engine = await this.openRemote(table, engineId);
    const close = () => this.client.closeEngine(engine.uuid);
    if (engineId === INDEX_ENGINE_ID) {
      return {
        openChunk: () => Promise.reject(new LightningError(Codes.InvalidArgument, 'chunks are written through a data engine; the index engine fills from them')),
        close,
      };
    }
    const index = await this.openRemote(table, INDEX_ENGINE_ID);
    const { encoder } = await this.encoders.get(table);
    return {
      openChunk: async (_chunk: ChunkRef, from: ChunkCommit): Promise<ChunkWriter> => new LocalChunkWriter(encoder,
        new RemoteEngineSink(this.client, engine.uuid, engine.ts, name), new RemoteEngineSink(this.client, index.uuid, index.ts, name), from),
      close,
    };
  }

  /** What tikv-importer acknowledged is stored there, so the chunk checkpoint is the truth. */
  async getCommittedProgress(): Promise<ChunkCommit | undefined> {
    return undefined;
  }

  /** ImportEngine on tikv-importer (the engine was closed by its writer), with TiKV in Import mode meanwhile. */
  async importEngine(table: TableRef, engineId: number): Promise<void> {
    const uuid = engineUuid(uniqueTableName(table), engineId);
    await this.mode.during(() => this.client.importEngine(uuid, this.o.pdAddr));
  }

  /** CleanupEngine for the index engine and data engines 0..maxEngineId. */
  async cleanupTable(table: TableRef, maxEngineId = 0): Promise<void> {
    for (let id = INDEX_ENGINE_ID; id <= maxEngineId; id++) {
      const uuid = engineUuid(uniqueTableName(table), id);
      await this.client.cleanupEngine(uuid);
      this.commitTs.delete(uuid.toString('hex'));
    }
  }

  async verifyTable(table: TableRef, chunks: readonly ChunkFigures[]): Promise<TableVerification> {
    return verifyKvTable(this.clients, (await this.encoders.get(table)).info, uniqueTableName(table), chunks);
  }
}
