// Rows → KV batches for the KV backends, behind a small interface: the synchronous encoder or the worker_threads
// EncodePool (src/encode/pool). Both write the engines' record layout (src/sort/kv-batch.ts) with checksums.
import type { RowBatch } from '../../parse/types.js';
import { KVChecksum } from '../../encode/checksum.js';
import { TableEncoder, type TableEncoderOptions } from '../../encode/table.js';
import type { TableInfo } from '../../encode/schema/model.js';
import { EngineSplitSink, type KvBatch } from '../../encode/pool/kv-batch.js';
import { columnMap } from '../../encode/pool/encode-task.js';
import type { EncodePool } from '../../encode/pool/pool.js';
import type { TableRef } from '../backend.js';

export interface EncodedRows {
  /** record KVs (data engine) */
  data: KvBatch;
  /** index KVs (index engine) */
  index: KvBatch;
  /** KV checksum of both */
  checksum: bigint;
  kvs: number;
  bytes: number;
}

export interface RowEncoder {
  /** Encodes `batch`; row i gets row id prevRowIdMax + i + 1. */
  encode(batch: RowBatch, prevRowIdMax: number): EncodedRows | Promise<EncodedRows>;
  /** release workers (the pool's threads) */
  close?(): Promise<void>;
}

/** The synchronous encoder on the calling thread (tests, tiny tables): the table encoder into an engine split sink. */
export class SyncRowEncoder implements RowEncoder {
  private readonly enc: TableEncoder;

  constructor(readonly table: TableInfo, opts: TableEncoderOptions = {}) {
    this.enc = new TableEncoder(table, opts);
  }

  encode(batch: RowBatch, prevRowIdMax: number): EncodedRows {
    const sink = new EngineSplitSink(1 << 16, 1 << 14);
    const colMap = columnMap(this.table, batch.columns);
    for (let i = 0; i < batch.rows.length; i++) this.enc.encodeRowTo(sink, batch.rows[i]!.fields, prevRowIdMax + i + 1, colMap);
    return fromBatches(sink.data.finish(), sink.index.finish());
  }
}

/** The worker_threads EncodePool (region-concurrency workers) behind the same interface. */
export class PoolRowEncoder implements RowEncoder {
  constructor(private readonly pool: EncodePool) {}

  async encode(batch: RowBatch, prevRowIdMax: number): Promise<EncodedRows> {
    const r = await this.pool.encode(batch, { prevRowIdMax, file: undefined });
    return fromBatches(r.data, r.index);
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

function fromBatches(data: KvBatch, index: KvBatch): EncodedRows {
  const sum = KVChecksum.from(data.checksum);
  sum.add(index.checksum);
  return { data, index, checksum: sum.sum, kvs: sum.kvs, bytes: sum.bytes };
}

/** How a KV backend gets a table's TableInfo and its row encoder. */
export interface TableEncoding {
  /** the target table's TableInfo (production: TiDB's status API /schema/{db}/{table}) */
  tableInfo: (table: TableRef) => Promise<TableInfo>;
  /** the row encoder per table (default: the synchronous TableEncoder) */
  encoderFor?: (table: TableInfo) => RowEncoder;
  encoderOptions?: TableEncoderOptions;
}

/** Each table's info and encoder, loaded once and shared by its chunks (both KV backends). */
export class TableEncoders {
  private readonly tables = new Map<string, Promise<{ info: TableInfo; encoder: RowEncoder }>>();

  constructor(private readonly o: TableEncoding) {}

  get(t: TableRef): Promise<{ info: TableInfo; encoder: RowEncoder }> {
    const key = JSON.stringify([t.schema, t.table]);
    let p = this.tables.get(key);
    if (!p) {
      p = this.o.tableInfo(t).then((info) => ({
        info, encoder: this.o.encoderFor ? this.o.encoderFor(info) : new SyncRowEncoder(info, this.o.encoderOptions),
      }));
      p.catch(() => this.tables.delete(key));
      this.tables.set(key, p);
    }
    return p;
  }

  /** Releases the encoders (the pools' worker threads). */
  async close(): Promise<void> {
    const all = [...this.tables.values()];
    this.tables.clear();
    await Promise.all(all.map((p) => p.then((t) => t.encoder.close?.(), () => undefined)));
  }
}
