// The engine lifecycle of tikv-importer (protocol.md §7.2, §10 item 20), keyed by engine UUID:
//   open (idempotent; at most max-open-engines at once) → write streams bound to it → close (not while a stream
//   is bound; moves it to the closed directory; again → FileExists) → import (not while open or importing;
//   repeatable) → cleanup (not while in use; removes everything).
// Writes go to one shared SortedWriter per engine, so concurrent streams are group-committed into one run, and
// each write resolves only once its run is fsynced: a stream's OK response means its pairs are on disk.
// The engine's commit ts is the first batch's commit_ts, kept in the engine directory: every pair is imported
// with it, so re-sent pairs (a resumed chunk) land as the same version and a repeated import is idempotent.
import { formatUuid } from '../cluster/engine-uuid.js';
import type { Logger } from '../log.js';
import type { LocalEngine } from '../sort/engine.js';
import { KvBatchBuilder } from '../sort/kv-batch.js';
import type { SortedWriter } from '../sort/writer.js';
import { importEngine, type ImportOptions, type ImportStats } from '../backend/local/import-engine.js';
import type { EngineDir } from './engine-dir.js';
import type { Clusters } from './cluster.js';
import { EngineNotFound, engineInUse, fileExists, fileNotExists, importJobFailed, invalidProto, tooManyOpenEngines } from './errors.js';

export interface OpenEngine {
  readonly uuid: string;
  readonly engine: LocalEngine;
  readonly writer: SortedWriter;
  /** write streams bound to it now */
  streams: number;
  commitTs?: Promise<bigint>;
}

export interface Pair { key: Uint8Array; value: Uint8Array }

export interface KvImporterOptions {
  maxOpenEngines: number;
  import: ImportOptions;
  logger: Logger;
  /** observes each import job (metrics) */
  onImport?: (phase: 'start' | 'end', stats?: ImportStats) => void;
}

type Busy = 'closing' | 'importing' | 'cleaning';

export class KvImporter {
  private readonly open = new Map<string, OpenEngine>();
  private readonly opening = new Map<string, Promise<OpenEngine>>();
  private readonly busy = new Map<string, Busy>();

  constructor(private readonly dir: EngineDir, private readonly clusters: Clusters, private readonly o: KvImporterOptions) {}

  get openCount(): number { return this.open.size + this.opening.size; }
  get importing(): number { return [...this.busy.values()].filter((b) => b === 'importing').length; }
  /** write streams bound to an open engine now; undefined when it is not open */
  streamsOf(raw: Buffer): number | undefined { return this.open.get(uuidOf(raw))?.streams; }

  async openEngine(raw: Buffer): Promise<void> {
    const uuid = uuidOf(raw);
    if (this.open.has(uuid)) return;
    const pending = this.opening.get(uuid);
    if (pending) { await pending; return; }
    if (this.busy.get(uuid) === 'closing' || this.busy.get(uuid) === 'cleaning') throw engineInUse(uuid);
    if (this.openCount >= this.o.maxOpenEngines) {
      this.o.logger.error({ uuid, opened: this.openCount }, 'Too many open engines');
      throw tooManyOpenEngines();
    }
    const p = this.load(uuid, true);
    this.opening.set(uuid, p);
    try {
      this.open.set(uuid, await p);
      this.o.logger.info({ engine: uuid }, 'open engine');
    } finally {
      this.opening.delete(uuid);
    }
  }

  /** `.temp/<uuid>` as an open engine (new, or written by an earlier run of this server). */
  private async load(uuid: string, refuseClosed: boolean): Promise<OpenEngine> {
    if (refuseClosed && await this.dir.isClosed(uuid)) throw fileExists(this.dir.savePath(uuid));
    const engine = await this.dir.openTemp(uuid);
    if (engine.isClosed) {
      // a close that failed after merging: finish the move; the engine is closed now
      await this.dir.save(uuid);
      throw fileExists(this.dir.savePath(uuid));
    }
    return { uuid, engine, writer: engine.newWriter(), streams: 0 };
  }

  /** Binds a write stream to an open engine (EngineNotFound when it is not open). */
  bind(raw: Buffer): OpenEngine {
    const e = this.open.get(uuidOf(raw));
    if (!e) throw new EngineNotFound(raw);
    e.streams++;
    return e;
  }

  unbind(e: OpenEngine): void {
    e.streams--;
  }

  /** One batch of a bound stream; resolves when it is durable. */
  async write(e: OpenEngine, commitTs: bigint, pairs: readonly Pair[]): Promise<number> {
    if (commitTs === 0n) throw invalidProto('invalid commit-ts 0');
    if (!e.commitTs) {
      e.commitTs = e.engine.commitTs(async () => commitTs);
      e.commitTs.catch(() => { e.commitTs = undefined; });
    }
    await e.commitTs;
    if (pairs.length === 0) return 0;
    const b = new KvBatchBuilder(pairs.reduce((s, p) => s + 8 + p.key.length + p.value.length, 0));
    for (const p of pairs) b.push(p.key, p.value);
    const batch = b.take();
    await e.writer.append(batch);
    return batch.buf.length;
  }

  /** The open engine (if any) once an open in progress settled; EngineInUse while streams, a close or an import hold it. */
  private async idle(uuid: string): Promise<OpenEngine | undefined> {
    await this.opening.get(uuid)?.catch(() => undefined);
    if (this.busy.has(uuid)) throw engineInUse(uuid);
    const e = this.open.get(uuid);
    if (e && e.streams > 0) throw engineInUse(uuid);
    return e;
  }

  /** false: the engine is neither open nor on disk (the service answers engine_not_found). */
  async closeEngine(raw: Buffer): Promise<boolean> {
    const uuid = uuidOf(raw);
    let e = await this.idle(uuid);
    if (!e) {
      if (await this.dir.isClosed(uuid)) throw fileExists(this.dir.savePath(uuid));
      if (!(await this.dir.isOpenOnDisk(uuid))) return false;
      e = await this.load(uuid, false); // left open by an earlier run of this server
    }
    this.open.delete(uuid);
    this.busy.set(uuid, 'closing');
    try {
      await e.writer.close();
      const meta = await e.engine.close();
      await this.dir.save(uuid);
      const d = meta.duplicates;
      if (d.conflicts > 0) this.o.logger.warn({ engine: uuid, conflicts: d.conflicts, sample: d.samples[0] }, 'engine has keys written with different values; one value of each is kept');
      this.o.logger.info({ engine: uuid, kvs: meta.kvs, bytes: meta.bytes }, 'close engine');
      return true;
    } finally {
      // on failure the directory stays in .temp: a later Close reopens and finishes it
      this.busy.delete(uuid);
    }
  }

  async importEngine(raw: Buffer, pdAddr: string): Promise<ImportStats> {
    const uuid = uuidOf(raw);
    if (this.open.has(uuid) || this.opening.has(uuid) || this.busy.has(uuid)) throw engineInUse(uuid);
    if (!(await this.dir.isClosed(uuid))) throw fileNotExists(this.dir.savePath(uuid));
    if (this.open.has(uuid) || this.opening.has(uuid) || this.busy.has(uuid)) throw engineInUse(uuid); // changed while we looked
    this.busy.set(uuid, 'importing');
    this.o.onImport?.('start');
    const t0 = Date.now();
    try {
      const engine = await this.dir.openSaved(uuid);
      const clients = await this.clusters.clients(pdAddr);
      const ts = await engine.commitTs(() => clients.pd.getTS());
      const stats = await importEngine(engine, clients, ts, this.o.import);
      this.o.logger.info({ engine: uuid, ...stats, takeTimeMs: Date.now() - t0 }, 'import');
      this.o.onImport?.('end', stats);
      return stats;
    } catch (e) {
      this.o.logger.error({ engine: uuid, err: (e as Error).message }, 'import failed');
      this.o.onImport?.('end');
      throw importJobFailed(e);
    } finally {
      this.busy.delete(uuid);
    }
  }

  async cleanupEngine(raw: Buffer): Promise<void> {
    const uuid = uuidOf(raw);
    const e = await this.idle(uuid);
    this.busy.set(uuid, 'cleaning');
    try {
      if (e) {
        this.open.delete(uuid);
        await e.engine.cleanup();
      }
      await this.dir.remove(uuid);
      this.o.logger.info({ engine: uuid }, 'cleanup');
    } finally {
      this.busy.delete(uuid);
    }
  }

  /** Flushes what open engines buffered (acknowledged writes are on disk already). */
  async shutdown(): Promise<void> {
    await Promise.allSettled([...this.opening.values()]);
    await Promise.allSettled([...this.open.values()].map((e) => e.writer.sync()));
  }
}

function uuidOf(raw: Buffer | undefined): string {
  if (!raw || raw.length !== 16) throw invalidProto(`invalid uuid of ${raw?.length ?? 0} bytes, expected 16`);
  return formatUuid(raw);
}
