// The `local` backend (physical import): rows → KV pairs → local sorted engines under sorted-kv-dir → split,
// scatter, Write and MultiIngest into TiKV (import-engine.ts). Per table: data engines 0..N and one index engine
// (−1) that every data engine's chunks feed; openEngine(table, −1) returns a writer whose close() closes it.
import { join } from 'node:path';
import { Codes, LightningError } from '../../errors.js';
import { PdClient } from '../../cluster/pd.js';
import { StoreClients } from '../../cluster/store-clients.js';
import { engineUuid, formatUuid, INDEX_ENGINE_ID } from '../../cluster/engine-uuid.js';
import type { ImportMode } from '../../cluster/import-sst.js';
import type { TlsOptions } from '../../cluster/security.js';
import type { TableInfo } from '../../encode/schema/model.js';
import { DiskQuota } from '../../sort/disk-quota.js';
import { LocalEngine, type EngineMeta, type EngineOptions } from '../../sort/engine.js';
import type { Backend, ChunkCommit, ChunkFigures, ChunkRef, ChunkWriter, EngineWriter, TableRef, TableVerification } from '../backend.js';
import { checksumMismatch, tableChecksum, verifyKvTable, type KvChecksum } from './checksum.js';
import { TableEncoders, type RowEncoder, type TableEncoding } from './encoder.js';
import { importEngine, type ImportOptions, type ImportStats } from './import-engine.js';
import { ImportModeSwitch, switchMode } from './mode.js';
import { LocalChunkWriter } from './writer.js';

export interface LocalBackendOptions extends TableEncoding {
  /** tikv-importer.sorted-kv-dir */
  sortedKvDir: string;
  /** one PD address (tidb.pd-addr) */
  pdAddr: string;
  tls?: TlsOptions;
  /** tikv-importer.disk-quota */
  diskQuota?: number;
  engine?: EngineOptions;
  import?: ImportOptions;
  /** keep importing when an engine has the same key with different values (Go's duplicate-resolution none) */
  allowDuplicateKeys?: boolean;
  /** cron.switch-mode: re-send Import mode this often while importing (TiKV reverts it after a timeout) */
  switchModeIntervalMs?: number;
  onWarn?: (msg: string) => void;
}

export const uniqueTableName = (t: TableRef): string => `\`${t.schema.replace(/`/g, '``')}\`.\`${t.table.replace(/`/g, '``')}\``;

export class LocalBackend implements Backend {
  readonly name = 'local' as const;
  readonly progressInTarget = false;
  readonly quota: DiskQuota;
  private pd?: PdClient;
  private clients_?: StoreClients;
  private readonly engines = new Map<string, Promise<LocalEngine>>();
  private readonly encoders: TableEncoders;
  private readonly mode: ImportModeSwitch;

  constructor(private readonly o: LocalBackendOptions) {
    this.quota = new DiskQuota(o.diskQuota ?? Number.MAX_SAFE_INTEGER, o.sortedKvDir);
    this.encoders = new TableEncoders(o);
    this.mode = new ImportModeSwitch(() => this.clients, o.switchModeIntervalMs ?? 5 * 60_000, o.onWarn);
  }

  async open(): Promise<void> {
    this.pd = await PdClient.connect(this.o.pdAddr, { tls: this.o.tls });
    this.clients_ = new StoreClients(this.pd, { tls: this.o.tls });
  }

  async close(): Promise<void> {
    this.mode.stop();
    await this.encoders.close();
    this.clients_?.close();
    this.pd?.close();
  }

  get clients(): StoreClients {
    if (!this.clients_) throw new LightningError(Codes.InvalidArgument, 'local backend is not open');
    return this.clients_;
  }

  /** The engine directory `<sorted-kv-dir>/<uuid>` of a table's engine. */
  engineDir(table: TableRef, engineId: number): string {
    return join(this.o.sortedKvDir, formatUuid(engineUuid(uniqueTableName(table), engineId)));
  }

  engine(table: TableRef, engineId: number): Promise<LocalEngine> {
    const uuid = engineUuid(uniqueTableName(table), engineId);
    const key = formatUuid(uuid);
    let e = this.engines.get(key);
    if (!e) {
      e = LocalEngine.open(this.o.sortedKvDir, uuid, { ...this.o.engine, quota: this.quota });
      e.catch(() => this.engines.delete(key));
      this.engines.set(key, e);
    }
    return e;
  }

  private table(t: TableRef): Promise<{ info: TableInfo; encoder: RowEncoder }> {
    return this.encoders.get(t);
  }

  async openEngine(table: TableRef, engineId: number): Promise<EngineWriter> {
    const engine = await this.engine(table, engineId);
    if (engineId === INDEX_ENGINE_ID) {
      return {
        openChunk: () => Promise.reject(new LightningError(Codes.InvalidArgument, 'chunks are written through a data engine; the index engine fills from them')),
        close: async () => { await engine.close(); },
      };
    }
    const { encoder } = await this.table(table);
    const index = await this.engine(table, INDEX_ENGINE_ID);
    return {
      openChunk: async (_chunk: ChunkRef, from: ChunkCommit): Promise<ChunkWriter> =>
        new LocalChunkWriter(encoder, engine.newWriter(), index.newWriter(), from),
      close: async () => { await engine.close(); },
    };
  }

  /** Acknowledged writes are durable in the engine, so the local checkpoint is the truth. */
  async getCommittedProgress(): Promise<ChunkCommit | undefined> {
    return undefined;
  }

  async switchMode(mode: ImportMode): Promise<void> {
    await switchMode(this.clients, mode, this.o.onWarn);
  }

  /**
   * Closes (if needed) and imports one engine, with the stores in Import mode while any import runs and back in
   * Normal mode afterwards, also when it fails. An engine imported before is not imported again.
   */
  async importEngine(table: TableRef, engineId: number): Promise<void> {
    await this.importEngineStats(table, engineId);
  }

  async importEngineStats(table: TableRef, engineId: number): Promise<ImportStats | undefined> {
    const engine = await this.engine(table, engineId);
    if (engine.imported) return undefined;
    const meta = await engine.close();
    this.refuseConflicts(table, engineId, meta);
    const commitTs = await engine.commitTs(() => this.clients.pd.getTS());
    return this.mode.during(async () => {
      const stats = await importEngine(engine, this.clients, commitTs, { onWarn: this.o.onWarn, ...this.o.import });
      await engine.markImported();
      return stats;
    });
  }

  private refuseConflicts(table: TableRef, engineId: number, meta: EngineMeta): void {
    const d = meta.duplicates;
    if (d.conflicts === 0) return;
    const s = d.samples[0]!;
    const msg = `found ${d.conflicts} duplicate key(s) with different values in engine ${engineId}; first: key ${s.key}, values ${s.kept} and ${s.dropped}`;
    if (this.o.allowDuplicateKeys) { this.o.onWarn?.(msg); return; }
    throw new LightningError(Codes.DuplicateKey, msg, { context: { table: uniqueTableName(table), key: s.key } });
  }

  /** Deletes a table's engine directories (the index engine and data engines 0..maxEngineId). */
  async cleanupTable(table: TableRef, maxEngineId = 0): Promise<void> {
    for (let id = INDEX_ENGINE_ID; id <= maxEngineId; id++) {
      const e = await this.engine(table, id);
      await e.cleanup();
      this.engines.delete(e.uuid);
    }
  }

  /** ADMIN CHECKSUM TABLE over the cluster at a fresh timestamp. */
  async remoteChecksum(table: TableRef): Promise<KvChecksum> {
    return tableChecksum(this.clients, (await this.table(table)).info);
  }

  /** ADMIN CHECKSUM against the XOR of the chunks' KV checksums (Go: checksum mismatched remote vs local). */
  async verifyTable(table: TableRef, chunks: readonly ChunkFigures[]): Promise<TableVerification> {
    return verifyKvTable(this.clients, (await this.table(table)).info, uniqueTableName(table), chunks);
  }

  /** Remote checksum compared with the local one (Σ of the chunks' KV checksums); throws ErrChecksumMismatch. */
  async verifyChecksum(table: TableRef, local: KvChecksum): Promise<KvChecksum> {
    const remote = await this.remoteChecksum(table);
    const err = checksumMismatch(remote, local, uniqueTableName(table));
    if (err) throw err;
    return remote;
  }
}
