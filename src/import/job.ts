// What the per-table steps (table.ts, post.ts) share with the orchestrator: the table being imported and the
// running import's parts, so each step lives in its own small module.
import type { Backend, TableRef } from '../backend/backend.js';
import type { ColumnInfo } from '../backend/tidb/columns.js';
import type { CheckpointStore, TableCheckpoint } from '../checkpoint/index.js';
import type { Config } from '../config/types.js';
import type { Logger } from '../log.js';
import type { IgnoreColumnsLookup, SourceTable } from '../source/index.js';
import type { PauseGate } from './chunk.js';
import type { Progress } from './progress.js';
import type { TargetDb } from './target.js';

export interface TableJob {
  src: SourceTable;
  ref: TableRef;
  name: string;
  columns: ColumnInfo[];
  cp: TableCheckpoint;
  verification?: string;
  /** hash of the table's source files (the checkpoint's, and table_done_v1's) */
  hash: string;
}

export interface ImportRun {
  readonly cfg: Config;
  readonly log: Logger;
  readonly progress: Progress;
  readonly store: CheckpointStore;
  readonly target: TargetDb;
  readonly backend: Backend;
  /** data-source-dir as scanned */
  readonly root: string;
  readonly signal: AbortSignal;
  readonly pause?: PauseGate;
  readonly ignoreColumns: IgnoreColumnsLookup;
  /** Run one step of a table; its failure is stored as failedStatus(step) with the error code and message. */
  step<T>(j: TableJob, step: number, f: () => Promise<T>, engineId?: number): Promise<T>;
  setStatus(j: TableJob, status: number): Promise<void>;
}
