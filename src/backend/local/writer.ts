// One chunk's writer for the local backend: rows are encoded (row ids allocated in call order), the record KVs
// appended to the data engine and the index KVs to the table's index engine; write() resolves with the chunk's
// new progress once both are durable and every earlier write of the chunk is too.
import type { RowBatch } from '../../parse/types.js';
import type { ChunkCommit, ChunkWriter } from '../backend.js';
import type { SortedWriter } from '../../sort/writer.js';
import type { RowEncoder } from './encoder.js';

/** Where a chunk's KV batches go: a local engine's writer, or the importer backend's stream to tikv-importer. */
export type KvSink = Pick<SortedWriter, 'append' | 'close'>;

export class LocalChunkWriter implements ChunkWriter {
  private tail: Promise<ChunkCommit>;
  private nextRowId: number;

  constructor(private readonly encoder: RowEncoder, private readonly data: KvSink, private readonly index: KvSink, from: ChunkCommit) {
    this.tail = Promise.resolve({ ...from, kvKvs: from.kvKvs ?? 0, kvBytes: from.kvBytes ?? 0 });
    this.nextRowId = from.prevRowIdMax;
  }

  write(batch: RowBatch): Promise<ChunkCommit> {
    if (batch.rows.length === 0) return this.tail;
    const base = this.nextRowId;
    this.nextRowId += batch.rows.length;
    const durable = (async () => {
      const e = await this.encoder.encode(batch, base);
      await Promise.all([this.data.append(e.data), this.index.append(e.index)]);
      return e;
    })();
    const p = Promise.all([this.tail, durable]).then(([prev, e]): ChunkCommit => ({
      pos: batch.rows[batch.rows.length - 1]!.end, prevRowIdMax: base + batch.rows.length, rows: prev.rows + batch.rows.length,
      checksum: prev.checksum ^ e.checksum, kvKvs: (prev.kvKvs ?? 0) + e.kvs, kvBytes: (prev.kvBytes ?? 0) + e.bytes,
      unverifiable: prev.unverifiable, skipped: 0, columns: batch.columns,
    }));
    p.catch(() => undefined); // surfaced to the caller of this write and of every later one
    this.tail = p;
    return p;
  }

  async close(): Promise<ChunkCommit> {
    const last = await this.tail;
    await Promise.all([this.data.close(), this.index.close()]);
    return last;
  }
}
