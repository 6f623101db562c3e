// Rows → KV batches for the KV backends, behind a small interface so the synchronous encoder used here can be
// swapped for the worker_threads EncodePool (src/encode, another branch) without touching the backend.
import { Codes, LightningError } from '../../errors.js';
import type { RowBatch } from '../../parse/types.js';
import { KVChecksum } from '../../encode/checksum.js';
import { TableEncoder, type TableEncoderOptions } from '../../encode/table.js';
import type { TableInfo } from '../../encode/schema/model.js';
import { KvBatchBuilder, type KvBatch } from '../../sort/kv-batch.js';

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
}

export class SyncRowEncoder implements RowEncoder {
  private readonly enc: TableEncoder;
  private readonly maps = new Map<string, number[]>();

  constructor(readonly table: TableInfo, opts: TableEncoderOptions = {}) {
    this.enc = new TableEncoder(table, opts);
  }

  encode(batch: RowBatch, prevRowIdMax: number): EncodedRows {
    const data = new KvBatchBuilder(), index = new KvBatchBuilder();
    const sum = new KVChecksum();
    const sink = { push: (isIndex: boolean, k: Buffer, v: Buffer) => { (isIndex ? index : data).push(k, v); sum.update(k, v); } };
    const colMap = batch.columns ? this.colMap(batch.columns) : null;
    for (let i = 0; i < batch.rows.length; i++) this.enc.encodeRowTo(sink, batch.rows[i]!.fields, prevRowIdMax + i + 1, colMap);
    return { data: data.take(), index: index.take(), checksum: sum.sum, kvs: sum.kvs, bytes: sum.bytes };
  }

  /** field i → column offset (-1 = ignored) for a file's column list */
  private colMap(columns: string[]): number[] {
    const key = columns.join('\u0000');
    let m = this.maps.get(key);
    if (!m) {
      const byName = new Map(this.table.cols.map((c) => [c.name.L, c.offset]));
      m = columns.map((c) => {
        const off = byName.get(c.toLowerCase());
        if (off === undefined) {
          throw new LightningError(Codes.UnknownColumns, `unknown column ${c} in table ${this.table.name.O}`, { context: { table: this.table.name.O } });
        }
        return off;
      });
      this.maps.set(key, m);
    }
    return m;
  }
}
