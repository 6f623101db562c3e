// Tables → checkpoint rows: chunks with row-ID ranges (src/source/chunks.ts) packed into data engines of
// `batch-size` source bytes (Go AllocateEngineIDs without the batch-import-ratio staggering), plus the index
// engine -1 that carries no chunks. Computed once per table; a resumed run reuses what the checkpoint holds.
import type { ChunkInit, TableInit } from '../checkpoint/types.js';
import { tableHash } from '../checkpoint/fingerprint.js';
import type { Config } from '../config/types.js';
import { parseCsv, type CsvOptions } from '../parse/index.js';
import { makeTableChunks, openDataFile, type Chunk, type SourceTable } from '../source/index.js';

/** Go: unset batch-size = 100 GiB per data engine. */
export const DEFAULT_ENGINE_SIZE = 100 * 1024 * 1024 * 1024;
export const INDEX_ENGINE_ID = -1;

/** `[mydumper.csv]` as the parser's (mutable) options. */
export function csvOptions(cfg: Config): CsvOptions {
  return { ...cfg.mydumper.csv, null: [...cfg.mydumper.csv.null] };
}

/** The header names of a CSV file, for chunks that start after it (strict-format splits). */
async function csvHeader(root: string, c: Chunk, cfg: Config): Promise<string[] | null> {
  const input = openDataFile(root, c.file, { end: 1 << 20 });
  for await (const b of parseCsv(input, { file: c.file.path, csv: csvOptions(cfg), batchRows: 1 })) return b.columns;
  return null;
}

export async function planTable(root: string, t: SourceTable, columnCount: number, cfg: Config): Promise<TableInit> {
  const m = cfg.mydumper;
  const chunks = await makeTableChunks(t, {
    root, columnCount, strictFormat: m.strictFormat, maxRegionSize: m.maxRegionSize, terminator: m.csv.terminator,
  });
  const engineSize = m.batchSize > 0 ? m.batchSize : DEFAULT_ENGINE_SIZE;
  const engines: Array<{ engineId: number; chunks: ChunkInit[] }> = [{ engineId: INDEX_ENGINE_ID, chunks: [] }];
  let cur: { engineId: number; chunks: ChunkInit[] } | undefined;
  let size = 0;
  const headers = new Map<string, string[] | null>();
  for (const c of chunks) {
    if (!cur || (size > 0 && size + (c.endOffset - c.offset) > engineSize)) {
      cur = { engineId: engines.length - 1, chunks: [] };
      engines.push(cur);
      size = 0;
    }
    size += Math.min(c.endOffset - c.offset, c.file.size);
    let columns: string[] | null = null;
    if (c.file.type === 'csv' && c.offset > 0 && m.csv.header && m.csv.headerSchemaMatch) {
      if (!headers.has(c.file.path)) headers.set(c.file.path, await csvHeader(root, c, cfg));
      columns = headers.get(c.file.path)!;
    }
    cur.chunks.push({
      path: c.file.path, offset: c.offset, type: c.file.type, compression: c.file.compression, sortKey: c.file.sortKey,
      fileSize: c.file.size, mtimeMs: c.file.mtimeMs, columns, shouldIncludeRowId: false, endOffset: c.endOffset,
      prevRowIdMax: c.prevRowIdMax, rowIdMax: c.rowIdMax,
    });
  }
  if (!cur) engines.push({ engineId: 0, chunks: [] });
  return { tableName: '', hash: tableHash(t.dataFiles), engines };
}
