// One encode task, as a worker runs it (and as the single-thread benchmark calls it): packed rows → data and
// index KV batches with their checksums. Row i of the task gets row id prevRowIdMax + 1 + i, exactly Go
// Lightning's scheme (the parser's row id starts from the chunk's PrevRowIDMax), so re-encoding a chunk from
// its checkpoint yields the same KVs.
import { LightningError, Codes } from '../../errors.js';
import type { TableEncoder } from '../table.js';
import type { TableInfo } from '../schema/model.js';
import type { Int64 } from '../codec/number.js';
import { EngineSplitSink, type KvBatch } from './kv-batch.js';
import { PackedReader, type PackedRows } from './row-pack.js';
import type { BufferPool } from './buffers.js';

export interface EncodeTaskInput extends Pick<PackedRows, 'data' | 'meta'> {
  /** field i → column offset (-1 = ignore the field); null = the fields are in table column order */
  colMap: number[] | null;
  prevRowIdMax: Int64;
  /** for error messages */
  file?: string;
}

export interface EncodeTaskOutput {
  data: KvBatch;
  index: KvBatch;
  rows: number;
  /** the last row id used: the next task's prevRowIdMax */
  rowIdMax: Int64;
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** output buffer sizes: from the previous task's output per input byte (starts at 2x data, 0.5x index) */
export class CapacityGuess {
  private data = 2;
  private index = 0.5;
  capacities(inputBytes: number, rows: number): [number, number] {
    return [Math.ceil(inputBytes * this.data + rows * 16) + 4096, Math.ceil(inputBytes * this.index + rows * 8) + 4096];
  }
  learn(inputBytes: number, out: EncodeTaskOutput): void {
    if (inputBytes < 4096) return;
    this.data = (out.data.buf.length / inputBytes) * 1.05;
    this.index = (out.index.buf.length / inputBytes) * 1.05;
  }
}

/** `buffers`: where the output KV buffers come from (recycled ones avoid fresh-page faults) */
export function encodePacked(enc: TableEncoder, t: EncodeTaskInput, guess = new CapacityGuess(), buffers?: BufferPool): EncodeTaskOutput {
  const rd = new PackedReader(t);
  const inputBytes = rd.dataBytes;
  const [dc, ic] = guess.capacities(inputBytes, rd.rows);
  const sink = new EngineSplitSink(dc, ic, buffers);
  const big = typeof t.prevRowIdMax === 'bigint' || t.prevRowIdMax + rd.rows > MAX_SAFE;
  const base = big ? BigInt(t.prevRowIdMax) : (t.prevRowIdMax as number);
  enc.where.file = t.file;
  for (let i = 0; i < rd.rows; i++) {
    enc.where.row = rd.rowNo[i];
    const rowID = big ? (base as bigint) + BigInt(i + 1) : (base as number) + i + 1;
    enc.encodeRowTo(sink, rd.row(i), rowID, t.colMap);
  }
  const rowIdMax = big ? (base as bigint) + BigInt(rd.rows) : (base as number) + rd.rows;
  const out = { data: sink.data.finish(), index: sink.index.finish(), rows: rd.rows, rowIdMax };
  guess.learn(inputBytes, out);
  return out;
}

/**
 * Field → column mapping for an explicit column list (INSERT column list or CSV header), case-insensitive
 * like MySQL. Unknown columns are Lightning's ErrUnknownColumns.
 */
export function columnMap(table: TableInfo, names: readonly string[] | null): number[] | null {
  if (!names) return null;
  const byName = new Map(table.cols.map((c) => [c.name.L, c.offset] as const));
  const unknown: string[] = [];
  const map = names.map((n) => {
    const off = byName.get(n.toLowerCase());
    if (off === undefined) unknown.push(n);
    return off ?? -1;
  });
  if (unknown.length) {
    throw new LightningError(Codes.UnknownColumns, `unknown columns in header (${unknown.join(',')})`, { context: { table: table.name.O } });
  }
  return map;
}
