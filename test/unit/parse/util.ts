// Helpers for parser tests: feed bytes in chunks of chosen sizes, collect rows as plain values.
import type { RowBatch } from '../../../src/parse/types.js';

export async function* chunked(data: Buffer | string, size: number): AsyncGenerator<Buffer> {
  const b = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
  for (let i = 0; i < b.length; i += size) yield Buffer.from(b.subarray(i, i + size)); // fresh copies, like fs
}

export interface PlainRow { v: Array<[number, string] | null>; offset: number; end: number; rowNo: number }

/** rows as [kind, latin1 value] (null for Null) plus positions */
export async function collect(it: AsyncIterable<RowBatch>): Promise<{ rows: PlainRow[]; batches: RowBatch[] }> {
  const rows: PlainRow[] = [];
  const batches: RowBatch[] = [];
  for await (const b of it) {
    batches.push(b);
    for (const r of b.rows) {
      rows.push({ v: r.fields.map((f) => (f.kind === 0 ? null : [f.kind, f.value.toString('latin1')])), offset: r.offset, end: r.end, rowNo: r.rowNo });
    }
  }
  return { rows, batches };
}

export async function expectError(p: Promise<unknown>): Promise<{ code: string; context: Record<string, unknown>; message: string }> {
  try {
    await p;
  } catch (e) {
    return e as { code: string; context: Record<string, unknown>; message: string };
  }
  throw new Error('expected an error');
}
