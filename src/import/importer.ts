// The import orchestrator (Go: lightning/pkg/importer): scan → checkpoints → prechecks → schemas → tables
// (table-concurrency) → chunks (region-concurrency, io-concurrency) → engines → post-restore (auto-increment,
// verification, analyze) → keep-after-success. Every step moves the table's checkpoint status in Go's order, so
// a rerun resumes after the last step that finished; a failed step stores its failure code and message.
import type { Backend } from '../backend/backend.js';
import { tableKey } from '../backend/tidb/values.js';
import {
  CheckpointStatus as S, checkFailedLastTime, tableChangedError, tableHash, newTask, statusName, verifyTask,
  type CheckpointStore, type TableCheckpoint,
} from '../checkpoint/index.js';
import type { LoadResult } from '../config/load.js';
import type { Config } from '../config/types.js';
import { Codes, LightningError, toLightningError } from '../errors.js';
import type { Logger } from '../log.js';
import { closeStorages, makeIgnoreColumns, scanSource, type IgnoreColumnsLookup, type SourceScan, type SourceTable } from '../source/index.js';
import { createBackend, taskInfoSchema } from './backends.js';
import { chunkFinished, type PauseGate } from './chunk.js';
import type { ImportRun, TableJob } from './job.js';
import { forEachLimit, Semaphore } from './limit.js';
import { planTable } from './plan.js';
import { missingIndexes, postProcess } from './post.js';
import { Progress } from './progress.js';
import { startProgressLog } from './progress-log.js';
import { checkTablesExist, createSchemas, type DeferredIndex } from './schema.js';
import { importTable } from './table.js';
import { connOptions, TargetDb } from './target.js';
import { fingerprint, openStore, scanOptions } from './task.js';

export interface ImportOptions {
  logger: Logger;
  load?: LoadResult;
  signal?: AbortSignal;
  progress?: Progress;
  /** pause between batches (the status server's PUT /pause) */
  pause?: PauseGate;
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

export class Importer implements ImportRun {
  readonly progress: Progress;
  readonly log: Logger;
  private readonly abort = new AbortController();
  store!: CheckpointStore;
  readonly ignoreColumns: IgnoreColumnsLookup;
  target!: TargetDb;
  private backend_?: Backend;
  private scan!: SourceScan;
  private taskId = 0n;
  /** tables a task before this one finished from the same files (found in table_done_v1) */
  private readonly doneEarlier: TableResult[] = [];
  /** the first real failure; everything after it is a cancellation */
  private failure?: LightningError;

  constructor(readonly cfg: Config, private readonly o: ImportOptions) {
    this.log = o.logger;
    this.progress = o.progress ?? new Progress();
    this.ignoreColumns = makeIgnoreColumns(cfg.mydumper.ignoreDataColumns, cfg.mydumper.caseSensitive);
    o.signal?.addEventListener('abort', () => this.abort.abort(cancelled('the import was interrupted')), { once: true });
  }

  get signal(): AbortSignal {
    return this.abort.signal;
  }

  get backend(): Backend {
    if (!this.backend_) throw new LightningError(Codes.Unknown, 'the backend is not open yet');
    return this.backend_;
  }

  get root(): string {
    return this.scan.dir;
  }

  get pause(): PauseGate | undefined {
    return this.o.pause;
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
    this.progress.checkpoints = (t) => this.store.getTable(t);
    this.target = new TargetDb(connOptions(cfg, 2));
    let ok = false;
    const stopProgressLog = startProgressLog(this.progress, this.log, { intervalMs: cfg.cron.logProgress, backend: cfg.tikvImporter.backend });
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
      this.backend_ = await createBackend({ config: cfg, load: this.o.load, taskId: task, logger: this.log });
      await this.backend_.open();

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
        await importTable(this, j, region, io);
        if (cfg.postRestore.postProcessAtLast) post.push(j);
        else await postProcess(this, j);
      }, this.signal));
      this.progress.setPhase('post-restore');
      await this.guard(() => forEachLimit(post, 1, (j) => postProcess(this, j), this.signal));
      for (const j of jobs) {
        await this.target.markDone(taskInfoSchema(cfg), j.name, j.hash, this.taskId, this.progress.table(j.name).rows);
        await this.backend.cleanupTable(j.ref, Math.max(0, ...j.cp.engines.keys()));
      }
      ok = true;
      this.progress.setPhase('done');
      const results = [...jobs.map((j) => this.result(j)), ...this.doneEarlier];
      const snap = this.progress.snapshot();
      return { tables: results, rows: snap.rows, bytes: snap.bytesDone - snap.resumedBytes, elapsedMs: Date.now() - t0, skippedFiles: this.scan.skipped.length };
    } finally {
      stopProgressLog();
      await this.backend_?.close().catch(() => undefined);
      await this.target.close().catch(() => undefined);
      if (ok) await this.store.finish(cfg.checkpoint.keepAfterSuccess, this.taskId);
      else await this.store.close();
      await closeStorages();
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
          later = missingIndexes(later, have);
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
      const engines = [...j.cp.engines.values()];
      this.progress.plan(j.name, chunks.length, chunks.reduce((a, c) => a + size(c), 0),
        done.reduce((a, c) => a + size(c), 0) + partial, done.length, chunks.reduce((a, c) => a + c.kvcKvs, 0),
        { total: engines.length, done: engines.filter((e) => e.status >= S.Imported).length });
      this.progress.status(j.name, statusName(j.cp.status));
    }
    return jobs;
  }

  async setStatus(j: TableJob, status: number): Promise<void> {
    await this.store.updateTableStatus(j.name, status);
    j.cp.status = status;
    this.progress.status(j.name, statusName(status));
  }

  async step<T>(j: TableJob, step: number, f: () => Promise<T>, engineId?: number): Promise<T> {
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

  private result(j: TableJob): TableResult {
    const t = this.progress.table(j.name);
    const verification = j.verification ?? (j.cp.status >= S.ChecksumSkipped ? 'verified by an earlier run' : 'not verified');
    return { table: j.name, rows: t.rows, status: statusName(j.cp.status), verification, ok: !verification.startsWith('MISMATCH') };
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
