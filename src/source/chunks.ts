// Files → chunks with row-ID ranges (Go MakeTableRegions): each file is one chunk, except strict-format
// uncompressed CSV larger than max-region-size*1.1, cut into ~max-region-size byte ranges at terminators.
// Row IDs (prevRowIdMax, rowIdMax] come from an upper bound on the row count, cumulative over the table's
// files in (sortKey, path) order, so they never overlap and are the same on every run over the same files.
import { Codes, SourceError } from '../errors.js';
import type { Chunk, DataFile, SourceTable } from './types.js';
import { nextTerminator } from '../parse/csv.js';
import { openStorage, parquetBuffer, type Storage } from './storage.js';

/** Go `TableFileSizeINF`: the size assumed for a compressed file (its decompressed size is unknown). */
export const COMPRESSED_SIZE_INF = 1024 * 1024 * 1024 * 1024;

export interface ChunkOptions {
  /** SourceScan.dir: data-source-dir (absolute) or its s3:// URL */
  root: string;
  /** number of columns of the target table (row-size lower bound) */
  columnCount: number;
  /** [mydumper] strict-format */
  strictFormat?: boolean;
  /** [mydumper] max-region-size, default 256 MiB */
  maxRegionSize?: number;
  /** [mydumper.csv] terminator ('' = \r, \n or \r\n) */
  terminator?: string;
}

export const DEFAULT_MAX_REGION_SIZE = 256 * 1024 * 1024;

export async function makeTableChunks(table: Pick<SourceTable, 'dataFiles'>, o: ChunkOptions): Promise<Chunk[]> {
  const out: Chunk[] = [];
  let prev = 0;
  const maxRegion = o.maxRegionSize ?? DEFAULT_MAX_REGION_SIZE;
  for (const f of table.dataFiles) {
    // smallest CSV row is one byte per column (separators + terminator); SQL adds `(`, `)` and `,`
    const divisor = Math.max(1, o.columnCount) + (f.type === 'csv' ? 0 : 2);
    if (f.type === 'parquet') {
      const rows = await parquetRows(o.root, f);
      out.push({ file: f, offset: 0, endOffset: f.size, prevRowIdMax: prev, rowIdMax: prev + rows });
      prev += rows;
      continue;
    }
    if (f.type === 'csv' && o.strictFormat && f.compression === 'none' && f.size > maxRegion + Math.floor(maxRegion / 10)) {
      for (const [s, e] of await splitCsv(o.root, f, maxRegion, o.terminator ?? '')) {
        const rows = Math.ceil((e - s) / divisor);
        out.push({ file: f, offset: s, endOffset: e, prevRowIdMax: prev, rowIdMax: prev + rows });
        prev += rows;
      }
      continue;
    }
    const size = f.compression === 'none' ? f.size : COMPRESSED_SIZE_INF;
    const rows = Math.ceil(size / divisor);
    out.push({ file: f, offset: 0, endOffset: size, prevRowIdMax: prev, rowIdMax: prev + rows });
    prev += rows;
  }
  return out;
}

/** Byte ranges of about maxRegion bytes, each ending just past a terminator (strict-format promise). */
export async function splitCsv(root: string, f: DataFile, maxRegion: number, terminator: string): Promise<Array<[number, number]>> {
  const st = openStorage(root);
  const ranges: Array<[number, number]> = [];
  let start = 0;
  while (start < f.size) {
    let end = start + maxRegion;
    if (end >= f.size) { ranges.push([start, f.size]); break; }
    end = await findTerminator(st, end, f.size, terminator, f.path);
    ranges.push([start, end]);
    start = end;
  }
  return ranges;
}

async function findTerminator(st: Storage, from: number, size: number, term: string, path: string): Promise<number> {
  let win = 64 * 1024;
  for (;;) {
    const b = await st.read(path, from, Math.min(win, size - from));
    const bytesRead = b.length;
    const i = nextTerminator(b, 0, term);
    if (i >= 0) return from + i;
    if (from + bytesRead >= size) return size;
    if (win > 256 * 1024 * 1024) {
      throw new SourceError(Codes.RowTooLarge, 'no line terminator found while splitting a strict-format CSV file', { file: path, offset: from });
    }
    win *= 4; // the terminator (or a \r at the window's end) may be further on
  }
}

async function parquetRows(root: string, f: DataFile): Promise<number> {
  try {
    const { parquetMetadataAsync } = await import('hyparquet'); // parquet only: not loaded for SQL/CSV imports
    const meta = await parquetMetadataAsync(await parquetBuffer(root, f.path));
    return Number(meta.num_rows);
  } catch (e) {
    throw new SourceError(Codes.Parquet, `cannot read parquet metadata: ${(e as Error).message}`, { file: f.path }, e);
  }
}
