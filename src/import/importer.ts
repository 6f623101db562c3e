// The import orchestrator (Go: lightning/pkg/importer): scan → checkpoints → prechecks → schemas → tables
// (table-concurrency) → chunks (region-concurrency, io-concurrency) → engines → post-restore (auto-increment,
// verification, analyze) → keep-after-success. Every step moves the table's checkpoint status in Go's order, so
// a rerun resumes after the last step that finished; a failed step stores its failure code and message.
import type { Backend, TableRef } from '../backend/backend.js';
import type { ColumnInfo } from '../backend/tidb/columns.js';
import { tableKey } from '../backend/tidb/values.js';
import {
  CheckpointStatus as S, checkFailedLastTime, checkpointOptionsOf, tableChangedError, tableHash, newTask, openCheckpointStore, SqliteCheckpointStore, statusName, verifyTask,
  type CheckpointStore, type FingerprintConfig, type TableCheckpoint,
} from '../checkpoint/index.js';
import type { LoadResult } from '../config/load.js';
import type { Config } from '../config/types.js';
import { Codes, LightningError, toLightningError } from '../errors.js';
import type { Logger } from '../log.js';
import { scanSource, type SourceScan, type SourceTable } from '../source/index.js';
import { VERSION } from '../version.js';
import { createBackend, taskInfoSchema } from './backends.js';
import { chunkFinished, chunkRef, importChunk, type ChunkContext } from './chunk.js';
import { forEachLimit, Semaphore } from './limit.js';
import { csvOptions, planTable } from './plan.js';
import { Progress } from './progress.js';
import { checkTablesExist, createSchemas, type DeferredIndex } from './schema.js';
import { connOptions, TargetDb } from './target.js';

export interface ImportOptions {
  logger: Logger;
  load?: LoadResult;
  signal?: AbortSignal;
  progress?: Progress;
}

export interface TableResult {
  table: string;
  rows: number;
  status: string;
  verification: string;
  ok: boolean;
}

export interface ImportResult {
  tables: TableResult[];
  rows: number;
  bytes: number;
  elapsedMs: number;
  skippedFiles: number;
}

interface TableJob {
  src: SourceTable;
  ref: TableRef;
  name: string;
  columns: ColumnInfo[];
  cp: TableCheckpoint;
  verification?: string;
  /** hash of the table's source files (the checkpoint's, and table_done_v1's) */
  hash: string;
}

function fingerprint(cfg: Config): FingerprintConfig {
  const csv = cfg.mydumper.csv;
  return {
    dataSourceDir: cfg.mydumper.dataSourceDir, backend: cfg.tikvImporter.backend, tidbHost: cfg.tidb.host, tidbPort: cfg.tidb.port,
    pdAddr: cfg.tidb.pdAddr, sortedKvDir: cfg.tikvImporter.backend === 'local' ? cfg.tikvImporter.sortedKvDir : '',
    importerAddr: cfg.tikvImporter.backend === 'importer' ? cfg.tikvImporter.addr : '', lightningVer: VERSION,
    extra: {
      'conflict.strategy': cfg.conflict.strategy, 'mydumper.data-character-set': cfg.mydumper.dataCharacterSet,
      'mydumper.csv.separator': csv.separator, 'mydumper.csv.delimiter': csv.delimiter, 'mydumper.csv.terminator': csv.terminator,
      'mydumper.csv.header': csv.header, 'mydumper.csv.null': JSON.stringify(csv.null), 'mydumper.csv.escaped-by': csv.escapedBy,
      'mydumper.strict-format': cfg.mydumper.strictFormat,
    },
  };
}

async function openStore(cfg: Config): Promise<CheckpointStore> {
  const c = cfg.checkpoint;
  // enable = false: a throwaway store, so the same code path runs and nothing is left behind.
  if (!c.enable) return SqliteCheckpointStore.open(':memory:');
  return openCheckpointStore(checkpointOptionsOf(cfg, connOptions(cfg, 1).ssl));
}

function scanOptions(cfg: Config) {
  const m = cfg.mydumper;
  return {
    dataSourceDir: m.dataSourceDir, filter: [...m.filter], caseSensitive: m.caseSensitive, defaultFileRules: m.defaultFileRules,
    fileRules: m.files.map((f) => ({ ...f, pattern: f.pattern || undefined, path: f.path || undefined })),
    routes: cfg.routes.map((r) => ({ schemaPattern: r.schemaPattern, tablePattern: r.tablePattern, targetSchema: r.targetSchema, targetTable: r.targetTable })),
  };
}

export class Importer {
  readonly progress: Progress;
  private readonly log: Logger;
  private readonly abort = new AbortController();
  private store!: CheckpointStore;
  private target!: TargetDb;
  private backend?: Backend;
  private scan!: SourceScan;
  private taskId = 0n;
  /** tables a task before this one finished from the same files (found in table_done_v1) */
  private readonly doneEarlier: TableResult[] = [];
  /** the first real failure; everything after it is a cancellation */
  private failure?: LightningError;

  constructor(private readonly cfg: Config, private readonly o: ImportOptions) {
    this.log = o.logger;
    this.progress = o.progress ?? new Progress();
    o.signal?.addEventListener('abort', () => this.abort.abort(cancelled('the import was interrupted')), { once: true });
  }

  private get signal(): AbortSignal {
    return this.abort.signal;
  }

  async run(): Promise<ImportResult> {
    const cfg = this.cfg;
    const t0 = Date.now();
    this.progress.setPhase('scan');
    this.scan = await scanSource(scanOptions(cfg));
    for (const f of this.scan.skipped) this.log.info({ file: f.path, reason: f.reason }, 'file skipped');
    const tables = this.scan.schemas.flatMap((s) => s.tables);
    this.log.info({ schemas: this.scan.schemas.length, tables: tables.length, skipped: this.scan.skipped.length }, 'data source scanned');

    this.store = await openStore(cfg);
    this.target = new TargetDb(connOptions(cfg, 2));
    let ok = false;
    const progressTimer = setInterval(() => this.logProgress(), Math.max(1000, cfg.cron.logProgress)).unref();
    try {
      const task = await this.loadTask();
      this.taskId = task;
      const cps = await this.store.loadTables();
      checkFailedLastTime(cps.values());

      this.progress.setPhase('precheck');
      const version = await this.target.version().catch((e: unknown) => {
        throw new LightningError(Codes.DBConnect, `cannot reach the target ${cfg.tidb.host}:${cfg.tidb.port}: ${toLightningError(e).message}`, { cause: e });
      });
      this.log.info({ version }, 'target reachable');
      this.backend = await createBackend({ config: cfg, load: this.o.load, taskId: task, logger: this.log });
      await this.backend.open();

      this.progress.setPhase('schema');
      let deferred = new Map<string, DeferredIndex[]>();
      if (cfg.mydumper.noSchema) await checkTablesExist(this.target, this.scan);
      else {
        deferred = await createSchemas(this.target, this.scan, {
          root: this.scan.dir, characterSet: cfg.mydumper.characterSet, logger: this.log, concurrency: 2, signal: this.signal,
          deferIndexes: this.deferIndexes(),
        });
      }

      const jobs = await this.planTables(tables, cps, deferred);
      this.progress.setPhase('import');
      const post: TableJob[] = [];
      const region = new Semaphore(cfg.lightning.regionConcurrency);
      const io = new Semaphore(cfg.lightning.ioConcurrency);
      await this.guard(() => forEachLimit(jobs, cfg.lightning.tableConcurrency, async (j) => {
        await this.importTable(j, region, io);
        if (cfg.postRestore.postProcessAtLast) post.push(j);
        else await this.postProcess(j);
      }, this.signal));
      this.progress.setPhase('post-restore');
      await this.guard(() => forEachLimit(post, 1, (j) => this.postProcess(j), this.signal));
      for (const j of jobs) {
        await this.target.markDone(taskInfoSchema(cfg), j.name, j.hash, this.taskId, this.progress.table(j.name).rows);
        await this.backend.cleanupTable(j.ref);
      }
      ok = true;
      this.progress.setPhase('done');
      const results = [...jobs.map((j) => this.result(j)), ...this.doneEarlier];
      const snap = this.progress.snapshot();
      return { tables: results, rows: snap.rows, bytes: snap.bytesDone - snap.resumedBytes, elapsedMs: Date.now() - t0, skippedFiles: this.scan.skipped.length };
    } finally {
      clearInterval(progressTimer);
      await this.backend?.close().catch(() => undefined);
      await this.target.close().catch(() => undefined);
      if (ok) await this.store.finish(cfg.checkpoint.keepAfterSuccess, this.taskId);
      else await this.store.close();
    }
  }

  /** First failure wins: everything else was cancelled because of it. */
  private async guard(f: () => Promise<void>): Promise<void> {
    try {
      await f();
    } catch (e) {
      throw this.failure ?? e;
    }
  }

  private fail(e: LightningError): void {
    this.failure ??= e;
    if (!this.signal.aborted) this.abort.abort(cancelled(`cancelled after another table failed: ${e.message}`));
  }

  /**
   * add-index-by-sql: Go's default is false and applies to the local backend. For the tidb backend we default
   * to true (an index built after the data costs the server ~20% less CPU); a value in the file is honoured.
   */
  private deferIndexes(): boolean {
    const t = this.cfg.tikvImporter;
    if (this.o.load?.present.has('tikv-importer.add-index-by-sql')) return t.addIndexBySql;
    return t.backend === 'tidb' || t.addIndexBySql;
  }

  private async loadTask(): Promise<bigint> {
    const fp = fingerprint(this.cfg);
    const stored = await this.store.loadTask();
    if (stored) {
      verifyTask(stored, fp, { checkRequirements: this.cfg.lightning.checkRequirements, location: this.store.location });
      this.log.info({ taskId: String(stored.taskId), checkpoint: this.store.location }, 'resuming the task from its checkpoint');
      return stored.taskId;
    }
    const task = newTask(fp);
    await this.store.saveTask(task);
    this.log.info({ taskId: String(task.taskId), checkpoint: this.store.location }, 'new task');
    return task.taskId;
  }

  /** Checkpoints for every table (reused when present); the non-empty-target precheck for new ones. */
  private async planTables(tables: SourceTable[], cps: Map<string, TableCheckpoint>, deferred: Map<string, DeferredIndex[]>): Promise<TableJob[]> {
    const cfg = this.cfg;
    const jobs: TableJob[] = [];
    const notEmpty: string[] = [];
    for (const src of tables) {
      const ref = { schema: src.schema, table: src.table };
      const name = tableKey(src.schema, src.table);
      const columns = await this.target.columns(ref);
      let cp = cps.get(name);
      const hash = tableHash(src.dataFiles);
      // The files behind a table's checkpoint must be the ones it was made from (path, size, mtime).
      if (cp && cp.hash !== hash) throw tableChangedError(name);
      if (!cp) {
        const incremental = cfg.tikvImporter.incrementalImport || cfg.tikvImporter.parallelImport;
        if (cfg.lightning.checkRequirements && !incremental && !(await this.target.isEmpty(ref))) {
          const done = await this.target.doneBy(taskInfoSchema(cfg), name);
          if (done?.hash === hash) {
            this.log.info({ table: name, taskId: String(done.taskId) }, 'table already imported from these files by an earlier task; skipped');
            this.doneEarlier.push({ table: name, rows: 0, status: 'done', verification: `imported by an earlier task (${done.taskId}); not imported again`, ok: true });
            continue;
          }
          notEmpty.push(name);
          continue;
        }
        const init = await planTable(this.scan.dir, src, columns.length, cfg);
        // Indexes left out of CREATE TABLE (this run or one that crashed before this point) and still missing.
        let later = deferred.get(name) ?? [];
        if (later.length) {
          const have = await this.target.indexNames(ref);
          later = later.filter((ix) => !have.has(Buffer.from(ix.name, 'latin1').toString('utf8').toLowerCase()));
        }
        cp = await this.store.initTable(this.taskId, { ...init, tableName: name, tableInfo: later.length ? JSON.stringify({ deferredIndexes: later }) : '' });
      }
      jobs.push({ src, ref, name, columns, cp, hash });
    }
    if (notEmpty.length) {
      throw new LightningError(Codes.CheckTableEmpty, `table(s) [${notEmpty.join(', ')}] are not empty: import into empty tables, ` +
        `or set tikv-importer.incremental-import = true (or lightning.check-requirements = false) to import into existing rows`);
    }
    for (const j of jobs) {
      const chunks = [...j.cp.engines.values()].flatMap((e) => e.chunks);
      const size = (c: (typeof chunks)[number]) => (c.compression === 'none' ? c.endOffset - c.offset : c.fileSize);
      const done = chunks.filter(chunkFinished);
      const partial = chunks.filter((c) => !chunkFinished(c)).reduce((a, c) => a + Math.max(0, c.pos - c.offset), 0);
      this.progress.plan(j.name, chunks.length, chunks.reduce((a, c) => a + size(c), 0),
        done.reduce((a, c) => a + size(c), 0) + partial, done.length, chunks.reduce((a, c) => a + c.kvcKvs, 0));
      this.progress.status(j.name, statusName(j.cp.status));
    }
    return jobs;
  }

  private async setStatus(j: TableJob, status: number): Promise<void> {
    await this.store.updateTableStatus(j.name, status);
    j.cp.status = status;
    this.progress.status(j.name, statusName(status));
  }

  /** Run one step of a table; its failure is stored as failedStatus(step) with the error code and message. */
  private async step<T>(j: TableJob, step: number, f: () => Promise<T>, engineId?: number): Promise<T> {
    try {
      return await f();
    } catch (e) {
      // A table stopped because another one failed (or the user interrupted) did not fail itself.
      if (isCancel(e)) throw e;
      const err = toLightningError(e);
      this.fail(err);
      await this.store.recordFailure(j.name, step, { code: err.code, message: err.message }, engineId).catch(() => undefined);
      this.progress.status(j.name, 'failed', { error: err.message });
      this.log.error({ table: j.name, step: statusName(step), code: err.code, err: err.message }, 'table failed');
      throw err;
    }
  }

  private async importTable(j: TableJob, region: Semaphore, io: Semaphore): Promise<void> {
    if (j.cp.status >= S.IndexImported) return;
    const backend = this.backend!;
    const t0 = Date.now();
    this.log.info({ table: j.name }, 'restore table start');
    const ctx: ChunkContext = {
      root: this.scan.dir, store: this.store, tableName: j.name, columns: j.columns, csv: csvOptions(this.cfg),
      noBackslashEscapes: /NO_BACKSLASH_ESCAPES/i.test(this.cfg.tidb.sqlMode), dataCharacterSet: this.cfg.mydumper.dataCharacterSet,
      dataInvalidCharReplace: this.cfg.mydumper.dataInvalidCharReplace, io, signal: this.signal,
      onAdvance: (bytes, rows) => this.progress.advance(j.name, bytes, rows),
    };
    const engines = [...j.cp.engines.values()].filter((e) => e.engineId >= 0).sort((a, b) => a.engineId - b.engineId);
    for (const e of engines) {
      if (e.status >= S.Imported) continue;
      if (e.status < S.Closed) {
        await this.step(j, S.AllWritten, async () => {
          const writer = await backend.openEngine(j.ref, e.engineId);
          const todo = e.chunks.filter((c) => !chunkFinished(c));
          await forEachLimit(todo, todo.length, (c) => region.run(async () => {
            this.signal.throwIfAborted();
            const committed = await backend.getCommittedProgress(chunkRef(c));
            await importChunk(ctx, writer, c, committed);
            this.progress.chunkDone(j.name);
          }), this.signal);
          await writer.close();
        }, e.engineId);
        await this.store.updateEngineStatus(j.name, e.engineId, S.AllWritten);
        await this.store.updateEngineStatus(j.name, e.engineId, S.Closed);
        e.status = S.Closed;
      }
      await this.step(j, S.Imported, () => backend.importEngine(j.ref, e.engineId), e.engineId);
      await this.store.updateEngineStatus(j.name, e.engineId, S.Imported);
      e.status = S.Imported;
    }
    await this.store.updateEngineStatus(j.name, -1, S.Imported);
    await this.setStatus(j, S.IndexImported);
    this.log.info({ table: j.name, takeTimeMs: Date.now() - t0 }, 'restore table completed');
  }

  /** Go's order: AUTO_INCREMENT rebase (150) → checksum (180/170) → analyze (210/200). */
  private async postProcess(j: TableJob): Promise<void> {
    const pr = this.cfg.postRestore;
    if (j.cp.status < S.AlteredAutoInc) {
      await this.step(j, S.AlteredAutoInc, async () => {
        const base = await this.target.rebaseAutoIncrement(j.ref, j.columns);
        if (base !== undefined) await this.store.updateTable(j.name, { autoIncrBase: base });
      });
      await this.setStatus(j, S.AlteredAutoInc);
    }
    if (j.cp.status < S.ChecksumSkipped) {
      if (pr.checksum === 'off') {
        j.verification = 'skipped (post-restore.checksum = "off")';
        await this.setStatus(j, S.ChecksumSkipped);
      } else {
        const v = await this.step(j, S.Checksummed, async () => {
          // the figures as the checkpoint holds them now (the in-memory copy is from the start of the run)
          const fresh = await this.store.getTable(j.name);
          const chunks = [...(fresh ?? j.cp).engines.values()].flatMap((e) => e.chunks);
          const r = await this.backend!.verifyTable(j.ref, chunks);
          if (!r.ok && pr.checksum === 'required') throw r.error ?? new LightningError(Codes.ChecksumMismatch, r.detail, { context: { table: j.name } });
          return r;
        });
        j.verification = v.ok ? `OK: ${v.detail}` : `MISMATCH (post-restore.checksum = "optional"): ${v.detail}`;
        if (!v.ok) this.log.warn({ table: j.name, detail: v.detail }, 'checksum mismatch');
        else this.log.info({ table: j.name, detail: v.detail }, 'checksum pass');
        await this.setStatus(j, S.Checksummed);
      }
      this.progress.status(j.name, statusName(j.cp.status), { verification: j.verification });
    }
    if (j.cp.status < S.IndexAdded) {
      const later = deferredOf(j.cp);
      if (later.length) {
        await this.step(j, S.IndexAdded, async () => {
          const have = await this.target.indexNames(j.ref);
          const missing = later.filter((ix) => !have.has(Buffer.from(ix.name, 'latin1').toString('utf8').toLowerCase()));
          const t0 = Date.now();
          await this.target.addIndexes(j.ref, missing.map((ix) => ix.definition));
          this.log.info({ table: j.name, indexes: missing.length, takeTimeMs: Date.now() - t0 }, 'secondary indexes added');
        });
        await this.setStatus(j, S.IndexAdded);
      }
    }
    if (j.cp.status < S.AnalyzeSkipped) {
      if (pr.analyze === 'off') await this.setStatus(j, S.AnalyzeSkipped);
      else {
        await this.step(j, S.Analyzed, async () => {
          try {
            await this.target.analyze(j.ref);
          } catch (e) {
            if (pr.analyze === 'required') throw e;
            this.log.warn({ table: j.name, err: (e as Error).message }, 'analyze failed (post-restore.analyze = "optional")');
          }
        });
        await this.setStatus(j, S.Analyzed);
      }
    }
    this.progress.status(j.name, 'done');
  }

  private result(j: TableJob): TableResult {
    const t = this.progress.table(j.name);
    const verification = j.verification ?? (j.cp.status >= S.ChecksumSkipped ? 'verified by an earlier run' : 'not verified');
    return { table: j.name, rows: t.rows, status: statusName(j.cp.status), verification, ok: !verification.startsWith('MISMATCH') };
  }

  private logProgress(): void {
    const s = this.progress.snapshot();
    const pct = s.bytesTotal ? ((s.bytesDone / s.bytesTotal) * 100).toFixed(1) : '0.0';
    this.log.info({
      total: `${pct}%`, tables: `${s.tablesDone}/${s.tablesTotal}`, chunks: `${s.chunksDone}/${s.chunksTotal}`,
      speedMiBps: (s.speed / 1048576).toFixed(2), remaining: s.etaMs === undefined ? 'unknown' : `${Math.round(s.etaMs / 1000)}s`,
      phase: s.phase,
    }, 'progress');
  }
}

/** Indexes the table's checkpoint says were left out of its CREATE TABLE. */
function deferredOf(cp: TableCheckpoint): DeferredIndex[] {
  if (!cp.tableInfo) return [];
  try {
    return (JSON.parse(cp.tableInfo) as { deferredIndexes?: DeferredIndex[] }).deferredIndexes ?? [];
  } catch {
    return [];
  }
}

/** The reason the orchestrator's signal carries: not a failure of the table that sees it. */
function cancelled(message: string): LightningError {
  const e = new LightningError(Codes.Cancelled, message);
  e.name = 'AbortError';
  return e;
}

function isCancel(e: unknown): boolean {
  return (e as { name?: string } | null)?.name === 'AbortError';
}

export async function runImport(cfg: Config, o: ImportOptions): Promise<ImportResult> {
  return new Importer(cfg, o).run();
}
