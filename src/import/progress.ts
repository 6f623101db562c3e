// Live import figures, kept by the orchestrator and read by the progress log, the progress bar, the summary,
// the metrics and the status server. Everything is a plain number so a snapshot is cheap and JSON-friendly.
// Work already done before a resume is counted apart (`resumedBytes`) so speed and ETA describe this run only,
// and speed is measured from the moment the import phase started (scan, prechecks and schemas move no rows).
import { EventEmitter } from 'node:events';
import type { TableCheckpoint } from '../checkpoint/types.js';

export interface TableProgress {
  /** `db`.`tbl` */
  name: string;
  status: string;
  chunksTotal: number;
  chunksDone: number;
  bytesTotal: number;
  bytesDone: number;
  rows: number;
  /** data engines plus the index engine */
  enginesTotal: number;
  enginesDone: number;
  /** verification result text once known */
  verification?: string;
  error?: string;
}

/** What a table had already done when this run planned it (a resume). */
export interface ResumedWork {
  bytes: number;
  chunks: number;
  rows: number;
  engines: number;
}

export interface ProgressSnapshot {
  startedAt: number;
  /** when the import phase began (undefined before it) */
  importStartedAt?: number;
  elapsedMs: number;
  tablesTotal: number;
  tablesDone: number;
  chunksTotal: number;
  chunksDone: number;
  enginesTotal: number;
  enginesDone: number;
  bytesTotal: number;
  bytesDone: number;
  /** part of bytesDone that an earlier run had already imported */
  resumedBytes: number;
  rows: number;
  /** bytes/s of this run's own work since the import phase began */
  speed: number;
  /** ms left at the current speed, undefined when unknown */
  etaMs?: number;
  /** restore (write) progress 0..1: source bytes committed */
  restoreFraction: number;
  /** import progress 0..1: engines imported (what the physical backends still do after writing) */
  importFraction: number;
  tables: TableProgress[];
  phase: string;
}

/** Table statuses that end a table's work in this run. */
export const FINAL_STATUSES: ReadonlySet<string> = new Set(['done', 'failed']);

export interface ProgressEvents {
  plan: [name: string, table: TableProgress, resumed: ResumedWork];
  advance: [name: string, bytes: number, rows: number];
  chunk: [name: string];
  engine: [name: string];
  status: [name: string, status: string];
  phase: [phase: string];
}

export class Progress extends EventEmitter<ProgressEvents> {
  readonly startedAt = Date.now();
  importStartedAt?: number;
  phase = 'starting';
  resumedBytes = 0;
  /** set by the orchestrator once its checkpoint store is open: the status server's table detail reads it */
  checkpoints?: (table: string) => Promise<TableCheckpoint | undefined>;
  private readonly tables = new Map<string, TableProgress>();

  table(name: string): TableProgress {
    let t = this.tables.get(name);
    if (!t) {
      t = { name, status: 'pending', chunksTotal: 0, chunksDone: 0, bytesTotal: 0, bytesDone: 0, rows: 0, enginesTotal: 0, enginesDone: 0 };
      this.tables.set(name, t);
    }
    return t;
  }

  setPhase(phase: string): void {
    this.phase = phase;
    if (phase === 'import') this.importStartedAt ??= Date.now();
    this.emit('phase', phase);
  }

  plan(name: string, chunksTotal: number, bytesTotal: number, bytesDone: number, chunksDone: number, rowsDone: number,
    engines: { total: number; done: number } = { total: 0, done: 0 }): void {
    const t = this.table(name);
    Object.assign(t, { chunksTotal, bytesTotal, bytesDone, chunksDone, rows: rowsDone, enginesTotal: engines.total, enginesDone: engines.done });
    this.resumedBytes += bytesDone;
    this.emit('plan', name, { ...t }, { bytes: bytesDone, chunks: chunksDone, rows: rowsDone, engines: engines.done });
  }

  advance(name: string, bytes: number, rows: number): void {
    const t = this.table(name);
    t.bytesDone += bytes;
    t.rows += rows;
    this.emit('advance', name, bytes, rows);
  }

  chunkDone(name: string): void {
    this.table(name).chunksDone++;
    this.emit('chunk', name);
  }

  engineDone(name: string): void {
    const t = this.table(name);
    // A resume can re-mark an engine a crashed run had already imported (between two checkpoint writes).
    if (t.enginesTotal > 0 && t.enginesDone >= t.enginesTotal) return;
    t.enginesDone++;
    this.emit('engine', name);
  }

  status(name: string, status: string, detail: Partial<Pick<TableProgress, 'verification' | 'error'>> = {}): void {
    Object.assign(this.table(name), { status, ...detail });
    this.emit('status', name, status);
  }

  snapshot(now = Date.now()): ProgressSnapshot {
    const tables = [...this.tables.values()].map((t) => ({ ...t }));
    const sum = (f: (t: TableProgress) => number) => tables.reduce((a, t) => a + f(t), 0);
    const bytesDone = sum((t) => t.bytesDone);
    const bytesTotal = sum((t) => t.bytesTotal);
    const enginesTotal = sum((t) => t.enginesTotal);
    const enginesDone = sum((t) => t.enginesDone);
    const importMs = this.importStartedAt === undefined ? 0 : now - this.importStartedAt;
    const ownBytes = bytesDone - this.resumedBytes;
    const speed = importMs > 0 ? (ownBytes * 1000) / importMs : 0;
    return {
      startedAt: this.startedAt, importStartedAt: this.importStartedAt, elapsedMs: now - this.startedAt,
      tablesTotal: tables.length, tablesDone: tables.filter((t) => FINAL_STATUSES.has(t.status)).length,
      chunksTotal: sum((t) => t.chunksTotal), chunksDone: sum((t) => t.chunksDone), enginesTotal, enginesDone,
      bytesTotal, bytesDone, resumedBytes: this.resumedBytes, rows: sum((t) => t.rows), speed,
      etaMs: speed > 0 && bytesTotal >= bytesDone ? ((bytesTotal - bytesDone) / speed) * 1000 : undefined,
      restoreFraction: bytesTotal > 0 ? Math.min(1, bytesDone / bytesTotal) : tables.length && tables.every((t) => t.chunksDone >= t.chunksTotal) ? 1 : 0,
      importFraction: enginesTotal > 0 ? Math.min(1, enginesDone / enginesTotal) : 0,
      tables, phase: this.phase,
    };
  }
}

/**
 * Go's "total" progress: the tidb backend has nothing left to do after writing, so it is the restore fraction;
 * the physical backends import engines after writing them, so it is the mean of the two.
 */
export function totalFraction(s: ProgressSnapshot, backend: string): number {
  if (s.phase === 'done') return 1;
  return backend === 'tidb' ? s.restoreFraction : (s.restoreFraction + s.importFraction) / 2;
}
