// Live import figures, kept by the orchestrator and read by the progress log, the summary and the status server.
// Everything is a plain number so a snapshot is cheap and JSON-friendly. Work already done before a resume is
// counted apart (`resumedBytes`) so speed and ETA describe this run only.
import { EventEmitter } from 'node:events';

export interface TableProgress {
  /** `db`.`tbl` */
  name: string;
  status: string;
  chunksTotal: number;
  chunksDone: number;
  bytesTotal: number;
  bytesDone: number;
  rows: number;
  /** verification result text once known */
  verification?: string;
  error?: string;
}

export interface ProgressSnapshot {
  startedAt: number;
  elapsedMs: number;
  tablesTotal: number;
  tablesDone: number;
  chunksTotal: number;
  chunksDone: number;
  bytesTotal: number;
  bytesDone: number;
  /** part of bytesDone that an earlier run had already imported */
  resumedBytes: number;
  rows: number;
  /** bytes/s over this run */
  speed: number;
  /** ms left at the current speed, undefined when unknown */
  etaMs?: number;
  tables: TableProgress[];
  phase: string;
}

export class Progress extends EventEmitter {
  readonly startedAt = Date.now();
  phase = 'starting';
  resumedBytes = 0;
  private readonly tables = new Map<string, TableProgress>();

  table(name: string): TableProgress {
    let t = this.tables.get(name);
    if (!t) {
      t = { name, status: 'pending', chunksTotal: 0, chunksDone: 0, bytesTotal: 0, bytesDone: 0, rows: 0 };
      this.tables.set(name, t);
    }
    return t;
  }

  setPhase(phase: string): void {
    this.phase = phase;
    this.emit('phase', phase);
  }

  plan(name: string, chunksTotal: number, bytesTotal: number, bytesDone: number, chunksDone: number, rowsDone: number): void {
    const t = this.table(name);
    Object.assign(t, { chunksTotal, bytesTotal, bytesDone, chunksDone, rows: rowsDone });
    this.resumedBytes += bytesDone;
  }

  advance(name: string, bytes: number, rows: number): void {
    const t = this.table(name);
    t.bytesDone += bytes;
    t.rows += rows;
    this.emit('advance', name, bytes, rows);
  }

  chunkDone(name: string): void {
    this.table(name).chunksDone++;
  }

  status(name: string, status: string, detail: Partial<Pick<TableProgress, 'verification' | 'error'>> = {}): void {
    Object.assign(this.table(name), { status, ...detail });
    this.emit('status', name, status);
  }

  snapshot(): ProgressSnapshot {
    const tables = [...this.tables.values()].map((t) => ({ ...t }));
    const sum = (f: (t: TableProgress) => number) => tables.reduce((a, t) => a + f(t), 0);
    const elapsedMs = Date.now() - this.startedAt;
    const bytesDone = sum((t) => t.bytesDone);
    const bytesTotal = sum((t) => t.bytesTotal);
    const speed = elapsedMs > 0 ? ((bytesDone - this.resumedBytes) * 1000) / elapsedMs : 0;
    return {
      startedAt: this.startedAt, elapsedMs, tablesTotal: tables.length,
      tablesDone: tables.filter((t) => t.status === 'done' || t.status === 'failed').length,
      chunksTotal: sum((t) => t.chunksTotal), chunksDone: sum((t) => t.chunksDone), bytesTotal, bytesDone,
      resumedBytes: this.resumedBytes, rows: sum((t) => t.rows), speed,
      etaMs: speed > 0 && bytesTotal >= bytesDone ? ((bytesTotal - bytesDone) / speed) * 1000 : undefined,
      tables, phase: this.phase,
    };
  }
}
