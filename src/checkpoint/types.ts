// The task/table/engine/chunk model of the Go tool's checkpoints (reference lightning.md §4), plus our
// error_code/error_message columns, and the store interface the orchestrator and tidb-lightning-ctl use.
import type { Compression, DataFileType } from '../source/types.js';

export interface TaskCheckpoint {
  /** task start time in ns since the epoch (Go: time.Now().UnixNano()); stable across resumes */
  taskId: bigint;
  sourceDir: string;
  backend: string;
  importerAddr: string;
  tidbHost: string;
  tidbPort: number;
  pdAddr: string;
  sortedKvDir: string;
  lightningVer: string;
  /** every fingerprinted config value, key → canonical string (ours; lets a mismatch name the key) */
  config: Record<string, string>;
}

export interface ChunkCheckpoint {
  tableName: string;
  engineId: number;
  path: string;
  /** chunk start byte */
  offset: number;
  type: DataFileType;
  compression: Compression;
  sortKey: string;
  fileSize: number;
  /** file mtime in ms (Go stores the chunk timestamp to detect modified files) */
  mtimeMs: number;
  /** column names given by the file (INSERT column list / CSV header), null = table order */
  columns: string[] | null;
  shouldIncludeRowId: boolean;
  endOffset: number;
  /** resume position (decompressed stream): every row before it is committed */
  pos: number;
  /** position in the compressed stream (0 when uncompressed) */
  realPos: number;
  prevRowIdMax: number;
  rowIdMax: number;
  kvcBytes: number;
  kvcKvs: number;
  /** running checksum (KV checksum for local; row content checksum for tidb), as an unsigned 64-bit value */
  kvcChecksum: bigint;
}

export interface EngineCheckpoint {
  tableName: string;
  engineId: number;
  status: number;
  errorCode: string | null;
  errorMessage: string | null;
  chunks: ChunkCheckpoint[];
}

export interface TableCheckpoint {
  taskId: bigint;
  /** `db`.`tbl` */
  tableName: string;
  /** hex fingerprint of the table's input files (and table-level config) */
  hash: string;
  status: number;
  tableId: number;
  tableInfo: string;
  kvBytes: number;
  kvKvs: number;
  kvChecksum: bigint;
  autoRandBase: number;
  autoIncrBase: number;
  autoRowIdBase: number;
  errorCode: string | null;
  errorMessage: string | null;
  /** by engine id (index engine -1, data engines 0..N) */
  engines: Map<number, EngineCheckpoint>;
}

/** What the orchestrator gives to create a table's checkpoint (all engines and chunks in one transaction). */
export interface TableInit {
  tableName: string;
  hash: string;
  tableId?: number;
  tableInfo?: string;
  engines: Array<{ engineId: number; chunks: ChunkInit[] }>;
}

export type ChunkInit = Omit<ChunkCheckpoint, 'tableName' | 'engineId' | 'pos' | 'realPos' | 'kvcBytes' | 'kvcKvs' | 'kvcChecksum'> &
  Partial<Pick<ChunkCheckpoint, 'pos' | 'realPos' | 'kvcBytes' | 'kvcKvs' | 'kvcChecksum'>>;

/** Progress of one chunk after a committed batch. */
export interface ChunkProgress {
  pos: number;
  realPos?: number;
  prevRowIdMax: number;
  kvcBytes: number;
  kvcKvs: number;
  kvcChecksum: bigint;
  columns?: string[] | null;
}

export interface ChunkKey {
  tableName: string;
  engineId: number;
  path: string;
  offset: number;
}

export interface FailureInfo {
  code: string;
  message: string;
}

/** Engine ids a destroyed table had (ctl removes the local engine files of this range, index engine included). */
export interface DestroyedTable {
  tableName: string;
  minEngineId: number;
  maxEngineId: number;
}

export type KeepAfterSuccess = 'remove' | 'rename' | 'origin';

export interface CheckpointStore {
  readonly driver: 'file' | 'mysql';
  /** file path (file driver) or schema name (mysql driver), for messages */
  readonly location: string;

  loadTask(): Promise<TaskCheckpoint | undefined>;
  /** Write the task row (REPLACE): only when loadTask() returned nothing or after verification passed. */
  saveTask(task: TaskCheckpoint): Promise<void>;
  loadTables(): Promise<Map<string, TableCheckpoint>>;
  getTable(tableName: string): Promise<TableCheckpoint | undefined>;
  /** Insert a table with its engines and chunks in one transaction; a stored table with another hash is refused. */
  initTable(taskId: bigint, init: TableInit): Promise<TableCheckpoint>;
  updateChunk(key: ChunkKey, p: ChunkProgress): Promise<void>;
  /** Several chunk updates in one transaction. */
  updateChunks(updates: Array<{ key: ChunkKey; progress: ChunkProgress }>): Promise<void>;
  updateEngineStatus(tableName: string, engineId: number, status: number): Promise<void>;
  updateTableStatus(tableName: string, status: number): Promise<void>;
  updateTable(tableName: string, patch: Partial<Pick<TableCheckpoint, 'tableId' | 'tableInfo' | 'kvBytes' | 'kvKvs' | 'kvChecksum' | 'autoRandBase' | 'autoIncrBase' | 'autoRowIdBase'>>): Promise<void>;
  /** Store failedStatus(step) and the error on the table (and engine, when given). */
  recordFailure(tableName: string, step: number, err: FailureInfo, engineId?: number): Promise<void>;

  // tidb-lightning-ctl helpers; `target` is a quoted `db`.`tbl` or 'all'
  remove(target: string): Promise<void>;
  ignoreError(target: string): Promise<void>;
  /** Deletes the failed tables' checkpoints; the caller drops the target tables and engine files. */
  destroyError(target: string): Promise<DestroyedTable[]>;
  /** `tables.csv`, `engines.csv`, `chunks.csv` into dir. */
  dump(dir: string): Promise<void>;
  /** After a fully successful run (keep-after-success). Closes the store. */
  finish(keep: KeepAfterSuccess, taskId: bigint): Promise<void>;
  close(): Promise<void>;
}
