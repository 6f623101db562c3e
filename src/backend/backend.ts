// The Backend interface every import mode implements (one folder per backend, same file set, like kysely's
// dialects). The orchestrator drives it per table → engine → chunk:
//
//   await backend.open();
//   const engine = await backend.openEngine(table, engineId);              // tidb: a virtual engine
//   const resume = await backend.getCommittedProgress(chunkRef);           // the target's word wins over SQLite
//   const w = await engine.openChunk(chunkRef, resume ?? initialProgress(chunk));
//   for await (const batch of rows) { const p = await w.write(batch); await store.updateChunk(chunkRef, p...) }
//   await w.close(); await engine.close(); ... backend.importEngine(...) (local/importer only)
//
// KV backends (local, importer) will implement the same shape with `writeKvs` on their engine writer.
import type { LightningError } from '../errors.js';
import type { RowBatch, RowDigester } from '../parse/types.js';

export type BackendName = 'tidb' | 'local' | 'importer';

export interface TableRef {
  schema: string;
  table: string;
}

/** Identifies a chunk (same key as the checkpoint's chunk_v6 row). */
export interface ChunkRef {
  /** `db`.`tbl` as in checkpoints */
  tableName: string;
  engineId: number;
  path: string;
  offset: number;
}

/**
 * Committed progress of one chunk. For tidb this is stored in the target in the same transaction as the rows,
 * so after any crash it says exactly which rows are in.
 */
export interface ChunkCommit {
  /** every source row ending at or before pos is committed */
  pos: number;
  prevRowIdMax: number;
  /** rows committed from this chunk */
  rows: number;
  /** sum mod 2^64 of the per-row content hashes of those rows (see tidb/checksum.ts) */
  checksum: bigint;
  /** why the content checksum cannot be trusted for this chunk ('' = it can) */
  unverifiable: string;
  /** rows of those that are not rows of their own in the target (skipped by IGNORE, replaced by a later REPLACE) */
  skipped: number;
  /** column list of the rows being imported (null = table order), for the parser's resume */
  columns: string[] | null;
  /**
   * KV backends (local, importer): `checksum` is then the XOR of crc64(key‖value) over the chunk's KV pairs
   * (Lightning's verification.KVChecksum, checkpoint column kvc_checksum), and these are its pair and byte counts
   * (kvc_kvs, kvc_bytes). Absent for tidb.
   */
  kvKvs?: number;
  kvBytes?: number;
}

export function initialCommit(chunk: { offset: number; prevRowIdMax: number }): ChunkCommit {
  return { pos: chunk.offset, prevRowIdMax: chunk.prevRowIdMax, rows: 0, checksum: 0n, unverifiable: '', skipped: 0, columns: null };
}

export interface ChunkWriter {
  /**
   * Commit these rows (atomically with the chunk's progress) and resolve with the new progress. May be called
   * again before the previous call resolved: commits still happen in call order, and a failed batch fails
   * every later one of this chunk.
   */
  write(batch: RowBatch): Promise<ChunkCommit>;
  /** A digester for SQL rows when this writer takes digested batches (see parse/types.ts RowDigester). */
  digester?(): RowDigester | undefined;
  /** Wait for in-flight writes; the last committed progress. */
  close(): Promise<ChunkCommit>;
}

export interface EngineWriter {
  openChunk(chunk: ChunkRef, from: ChunkCommit): Promise<ChunkWriter>;
  close(): Promise<void>;
}

export interface Backend {
  readonly name: BackendName;
  open(): Promise<void>;
  close(): Promise<void>;
  openEngine(table: TableRef, engineId: number): Promise<EngineWriter>;
  /**
   * true: the target keeps each chunk's committed progress (tidb: a row committed with the data), and
   * getCommittedProgress() is the truth (undefined = nothing committed yet). false: acknowledged writes are
   * durable locally and the chunk checkpoint is the truth (local engines).
   */
  readonly progressInTarget: boolean;
  /** Progress the target has committed for a chunk in this task, if any. */
  getCommittedProgress(chunk: ChunkRef): Promise<ChunkCommit | undefined>;
  /** local/importer: ingest a closed engine. tidb: nothing to do. */
  importEngine(table: TableRef, engineId: number): Promise<void>;
  /** Remove per-task bookkeeping for a finished table (tidb: its progress rows; local: engines -1..maxEngineId). */
  cleanupTable(table: TableRef, maxEngineId?: number): Promise<void>;
  /**
   * Compare what the target holds with what this task imported (post-restore.checksum). `chunks` are the
   * figures each chunk's checkpoint recorded (KV backends: their KV checksums; tidb keeps its own in the target).
   */
  verifyTable(table: TableRef, chunks: readonly ChunkFigures[]): Promise<TableVerification>;
}

/** What a chunk checkpoint records of the data written (kvc_kvs, kvc_bytes, kvc_checksum). */
export interface ChunkFigures {
  kvcKvs: number;
  kvcBytes: number;
  kvcChecksum: bigint;
}

export interface TableVerification {
  /** `db`.`tbl` */
  table: string;
  ok: boolean;
  /** rows the target holds */
  rows: number;
  /** one line for people: what was compared and how it came out */
  detail: string;
  /** the error post-restore.checksum = required raises when !ok */
  error?: LightningError;
}
