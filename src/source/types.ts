// What the scanner produces and the checkpoint records: tables, their files, and chunks with row-ID ranges.
import type { ExtraColumn } from './routes.js';

export type DataFileType = 'sql' | 'csv' | 'parquet';
export type Compression = 'none' | 'gzip' | 'zstd' | 'snappy';

export interface DataFile {
  /** path relative to data-source-dir, with `/` separators */
  path: string;
  type: DataFileType;
  compression: Compression;
  size: number;
  /** sort key from the file name (`NNN` of db.tbl.NNN.sql), '' if none */
  sortKey: string;
  /** mtime in ms; part of the input fingerprint */
  mtimeMs: number;
  /** schema and table names as found in the dump (files of several source tables may merge into one target) */
  sourceSchema?: string;
  sourceTable?: string;
  /** `[[routes]] extract-*` constants for every row of this file (absent when no extractor applies) */
  extraColumns?: ExtraColumn[];
}

/** A byte range of one file, imported as a unit and resumable at a row boundary. */
export interface Chunk {
  file: DataFile;
  /** start byte (decompressed stream offset for compressed files; 0 when the whole file is one chunk) */
  offset: number;
  /** end byte, exclusive (file size, or Infinity-like size for compressed whole-file chunks) */
  endOffset: number;
  /** row IDs (prev_rowid_max, rowid_max] are reserved for this chunk (Go's scheme) */
  prevRowIdMax: number;
  rowIdMax: number;
}

export interface SourceTable {
  /** target names after routing */
  schema: string;
  table: string;
  /** names as found in the dump */
  sourceSchema: string;
  sourceTable: string;
  /** `{db}.{tbl}-schema.sql` path, if present */
  schemaFile?: string;
  dataFiles: DataFile[];
  totalSize: number;
}

export interface SourceSchema {
  name: string;
  sourceName: string;
  /** `{db}-schema-create.sql`, if present */
  schemaFile?: string;
  tables: SourceTable[];
  views: Array<{ table: string; schemaFile: string }>;
}

export interface SkippedFile {
  path: string;
  reason: string;
}

export interface SourceScan {
  dir: string;
  schemas: SourceSchema[];
  skipped: SkippedFile[];
  /** Dumpling/mydumper `metadata` file (binlog position), if present; never imported */
  metadataFile?: string;
}
