// EncodePool: same KVs as the single-thread encoder, deterministic row ids across resumes, coded errors for
// bad rows and dying workers, transferred (not cloned) buffers, bounded in-flight work.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTableInfo } from '../../../src/encode/schema/create-table.js';
import { TableEncoder, CollectSink } from '../../../src/encode/table.js';
import { KVChecksum } from '../../../src/encode/checksum.js';
import { EncodePool, type EncodeResult } from '../../../src/encode/pool/pool.js';
import { kvPairs } from '../../../src/encode/pool/kv-batch.js';
import { RowPacker } from '../../../src/encode/pool/row-pack.js';
import { BufferPool } from '../../../src/encode/pool/buffers.js';
import { FieldKind, type Row, type RowBatch } from '../../../src/parse/types.js';
import { SliceField } from '../../../src/parse/field.js';
import { LightningError, Codes } from '../../../src/errors.js';

const ddl = `CREATE TABLE t (id bigint NOT NULL AUTO_INCREMENT, name varchar(40) COLLATE utf8mb4_general_ci, k int NOT NULL,
  note text, PRIMARY KEY (id) NONCLUSTERED, UNIQUE KEY uk_name (name), KEY k_k (k)) DEFAULT CHARSET=utf8mb4`;
const table = buildTableInfo(ddl, { tableID: 77 });
const SQL_MODE = 'STRICT_TRANS_TABLES';

/** rows as a parser hands them out: SliceFields viewing one shared source buffer */
function makeRows(n: number, from = 0, text = 'x'.repeat(100)): Row[] {
  const parts: Buffer[] = [];
  const spans: [FieldKind, number, number][][] = [];
  let pos = 0;
  for (let i = from; i < from + n; i++) {
    const vals: [FieldKind, string][] = [[i % 7 === 0 ? FieldKind.Null : FieldKind.Num, i % 7 === 0 ? '' : String(i + 1)], [FieldKind.Str, `name-${i}`], [FieldKind.Num, String((i * 37) % 1000)], [FieldKind.Str, `${text}${i}`]];
    spans.push(vals.map(([k, v]) => { const b = Buffer.from(v); parts.push(b); const s: [FieldKind, number, number] = [k, pos, pos + b.length]; pos += b.length; return s; }));
  }
  const src = Buffer.concat(parts);
  return spans.map((fs, i) => ({ fields: fs.map(([k, s, e]) => new SliceField(k, src, s, e)), offset: i * 10, end: i * 10 + 10, rowNo: from + i + 1 }));
}

function batches(rows: Row[], size: number): RowBatch[] {
  const out: RowBatch[] = [];
  for (let i = 0; i < rows.length; i += size) out.push({ rows: rows.slice(i, i + size), columns: null });
  return out;
}

/** what the single-thread encoder gives for the same rows and row ids */
function reference(rows: Row[], prev: number): { data: string[]; index: string[] } {
  const enc = new TableEncoder(table, { sqlMode: SQL_MODE });
  const sink = new CollectSink();
  rows.forEach((r, i) => enc.encodeRowTo(sink, r.fields, prev + i + 1));
  const hex = (p: { key: Buffer; val: Buffer }): string => p.key.toString('hex') + ':' + p.val.toString('hex');
  return { data: sink.pairs.filter((p) => !p.isIndex).map(hex), index: sink.pairs.filter((p) => p.isIndex).map(hex) };
}

const flat = (rs: EncodeResult[], which: 'data' | 'index'): string[] => rs.flatMap((r) => kvPairs(r[which]).map((p) => p.key.toString('hex') + ':' + p.val.toString('hex')));

async function collect(it: AsyncIterable<EncodeResult>): Promise<EncodeResult[]> {
  const out: EncodeResult[] = [];
  for await (const r of it) out.push(r);
  return out;
}

test('pool output = single-thread encoder output, split into data and index engines, with checksums', async () => {
  const pool = new EncodePool({ size: 2, tableInfo: table, sqlMode: SQL_MODE });
  try {
    const rows = makeRows(3000);
    const res = await collect(pool.encodeChunk(batches(rows, 100), { prevRowIdMax: 0, minBatchBytes: 64 << 10 }));
    assert.ok(res.length > 3, 'coalesced into several batches');
    const want = reference(rows, 0);
    assert.deepEqual(flat(res, 'data'), want.data);
    assert.deepEqual(flat(res, 'index'), want.index);
    const ck = new KVChecksum();
    for (const r of res) {
      for (const which of ['data', 'index'] as const) {
        const own = new KVChecksum();
        for (const p of kvPairs(r[which])) own.update(p.key, p.val);
        assert.deepEqual(r[which].checksum, own.parts());
        ck.add(own);
      }
    }
    const total = KVChecksum.from(res[0]!.checksum);
    for (const r of res.slice(1)) total.add(r.checksum);
    assert.deepEqual(total.toJSON(), ck.toJSON());
    assert.equal(total.kvs, 3000 * 4); // record + PRIMARY (nonclustered) + uk_name + k_k
    assert.equal(res.at(-1)!.rowIdMax, 3000);
    assert.equal(res.at(-1)!.endOffset, rows.at(-1)!.end);
    assert.equal(res.reduce((a, r) => a + r.rows, 0), 3000);
    for (const r of res) assert.ok(r.data.buf.buffer instanceof ArrayBuffer && !(r.data.buf.buffer instanceof SharedArrayBuffer));
  } finally {
    await pool.close();
  }
});

test('a chunk resumed from its checkpoint (prevRowIdMax) encodes to identical KVs', async () => {
  const pool = new EncodePool({ size: 2, tableInfo: table, sqlMode: SQL_MODE });
  try {
    const rows = makeRows(2000);
    const whole = await collect(pool.encodeChunk(batches(rows, 128), { prevRowIdMax: 1000, minBatchBytes: 32 << 10 }));
    // crash after the batch that ended at row 700: resume with the rest and that batch's rowIdMax
    const first = await collect(pool.encodeChunk(batches(rows.slice(0, 700), 128), { prevRowIdMax: 1000, minBatchBytes: 32 << 10 }));
    const resumed = await collect(pool.encodeChunk(batches(rows.slice(700), 50), { prevRowIdMax: first.at(-1)!.rowIdMax, minBatchBytes: 8 << 10 }));
    assert.equal(first.at(-1)!.rowIdMax, 1700);
    assert.deepEqual([...flat(first, 'data'), ...flat(resumed, 'data')], flat(whole, 'data'));
    assert.deepEqual([...flat(first, 'index'), ...flat(resumed, 'index')], flat(whole, 'index'));
    // the NULL auto-increment ids and the _tidb_rowid-free handle come from the row id: row 7 (NULL id) → 1001 + 7
    const t = reference(rows, 1000);
    assert.deepEqual(flat(whole, 'data'), t.data);
  } finally {
    await pool.close();
  }
});

test('row ids beyond 2^53 stay exact', async () => {
  const pool = new EncodePool({ size: 1, tableInfo: table, sqlMode: SQL_MODE });
  try {
    const prev = 2n ** 62n;
    const [r] = await collect(pool.encodeChunk([{ rows: makeRows(3), columns: null }], { prevRowIdMax: prev }));
    assert.equal(r!.rowIdMax, prev + 3n);
  } finally {
    await pool.close();
  }
});

test('bad data is the encoder\'s coded error naming file and row; the pool keeps working', async () => {
  const pool = new EncodePool({ size: 1, tableInfo: table, sqlMode: SQL_MODE });
  try {
    const rows = makeRows(10);
    rows[4]!.fields[2] = SliceField.of(FieldKind.Str, Buffer.from('not a number'));
    await assert.rejects(pool.encode({ rows, columns: null }, { prevRowIdMax: 0, file: 'db.t.0001.sql' }), (e: unknown) => {
      assert.ok(e instanceof LightningError);
      assert.equal(e.code, Codes.EncodeKV);
      assert.equal(e.context.file, 'db.t.0001.sql');
      assert.equal(e.context.row, 5);
      assert.match(e.message, /column k value "not a number"/);
      return true;
    });
    const ok = await pool.encode({ rows: makeRows(5), columns: null }, { prevRowIdMax: 0 });
    assert.equal(ok.data.count, 5);
    await assert.rejects(pool.encode({ rows: makeRows(1), columns: ['id', 'nope'] }, { prevRowIdMax: 0 }), (e: unknown) => e instanceof LightningError && e.code === Codes.UnknownColumns);
  } finally {
    await pool.close();
  }
});

test('explicit column lists map fields to columns', async () => {
  const pool = new EncodePool({ size: 1, tableInfo: table, sqlMode: SQL_MODE });
  try {
    const f = (k: FieldKind, v: string): SliceField => SliceField.of(k, Buffer.from(v));
    const row: Row = { fields: [f(FieldKind.Num, '5'), f(FieldKind.Str, 'a')], offset: 0, end: 1, rowNo: 1 };
    const r = await pool.encode({ rows: [row], columns: ['K', 'name'] }, { prevRowIdMax: 41 });
    const enc = new TableEncoder(table, { sqlMode: SQL_MODE });
    const want = enc.encodeRow(row.fields, 42, [2, 1]);
    assert.deepEqual(kvPairs(r.data).map((p) => p.val), [want[0]!.val]);
  } finally {
    await pool.close();
  }
});

class CrashingPool extends EncodePool {
  /** fault injection: kill the thread of worker i, as a crash or the OOM killer would */
  kill(i: number): void {
    void this.slots[i]!.worker.terminate();
  }
}

test('a worker dying mid-batch fails that batch with EncodeWorkerCrashed; a fresh worker takes over', async () => {
  const pool = new CrashingPool({ size: 1, tableInfo: table, sqlMode: SQL_MODE });
  try {
    const big = pool.encode({ rows: makeRows(40000), columns: null }, { prevRowIdMax: 0, file: 'f.sql' });
    setTimeout(() => pool.kill(0), 5);
    await assert.rejects(big, (e: unknown) => {
      assert.ok(e instanceof LightningError);
      assert.equal(e.code, Codes.EncodeWorkerCrashed);
      assert.equal(e.context.file, 'f.sql');
      assert.equal(e.context.row, 1);
      return true;
    });
    const after = await pool.encode({ rows: makeRows(3), columns: null }, { prevRowIdMax: 0 });
    assert.equal(after.data.count, 3);
    assert.equal(pool.stats.crashes, 1);
  } finally {
    await pool.close();
  }
});

test('workers that cannot live (out of memory) fail the pool with a coded error instead of looping', async () => {
  const pool = new EncodePool({ size: 1, tableInfo: table, sqlMode: SQL_MODE, resourceLimits: { maxOldGenerationSizeMb: 1, maxYoungGenerationSizeMb: 1 } });
  try {
    const rows = makeRows(50000);
    const jobs = [0, 1, 2, 3].map((i) => pool.encode({ rows, columns: null }, { prevRowIdMax: i * 50000 }));
    const settled = await Promise.allSettled(jobs);
    for (const s of settled) {
      assert.equal(s.status, 'rejected');
      assert.ok(s.reason instanceof LightningError && s.reason.code === Codes.EncodeWorkerCrashed, String(s.reason));
    }
    assert.match(String((settled[0] as PromiseRejectedResult).reason), /ERR_WORKER_OUT_OF_MEMORY/);
    await assert.rejects(pool.encode({ rows: makeRows(1), columns: null }, { prevRowIdMax: 0 }), /keep dying/);
  } finally {
    await pool.close();
  }
});

test('input is transferred, not copied: the packed buffers leave this thread', async () => {
  const pool = new EncodePool({ size: 1, tableInfo: table, sqlMode: SQL_MODE });
  try {
    const packer = new RowPacker(1 << 16);
    for (const r of makeRows(200)) packer.add(r);
    const p = packer.finish();
    const job = pool.submit(p, null, { prevRowIdMax: 0 });
    await new Promise((r) => setImmediate(r));
    assert.equal(p.data.byteLength, 0, 'data buffer detached');
    assert.equal(p.meta.byteLength, 0, 'meta buffer detached');
    assert.equal((await job).data.count, 200);
  } finally {
    await pool.close();
  }
});

test('backpressure: a chunk pulls from its source only as results are taken; in-flight work stays bounded', async () => {
  const pool = new EncodePool({ size: 2, tableInfo: table, sqlMode: SQL_MODE, maxQueue: 2 });
  try {
    let pulled = 0, taken = 0, worst = 0;
    const batchRows = 1600; // ~200 KB of field bytes per batch
    function* source(): Generator<RowBatch> {
      for (let i = 0; i < 80; i++) { // ~16 MB of rows, generated lazily
        pulled++;
        worst = Math.max(worst, pulled - taken);
        yield { rows: makeRows(batchRows, i * batchRows, 'y'.repeat(100)), columns: null };
      }
    }
    const rss0 = process.memoryUsage().rss;
    let rssPeak = rss0;
    for await (const r of pool.encodeChunk(source(), { prevRowIdMax: 0, maxInFlight: 3, minBatchBytes: 150 << 10 })) {
      taken++;
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
      pool.release(r);
      pool.release(r); // twice by mistake: must not hand the same buffer out twice
      await new Promise((res) => setTimeout(res, 1)); // a slow consumer
    }
    assert.equal(taken, 80);
    // each source batch is one pool batch here (>= minBatchBytes): at most maxInFlight ahead, plus the one being packed
    assert.ok(worst <= 3 + 1, `source ran ${worst} batches ahead`);
    assert.ok(pool.stats.peakInFlight <= 3, `peak in flight ${pool.stats.peakInFlight}`);
    assert.ok(rssPeak - rss0 < 200 << 20, `RSS grew by ${((rssPeak - rss0) / 1048576).toFixed(0)} MiB`);
  } finally {
    await pool.close();
  }
});

test('BufferPool keeps each buffer once and never hands out a detached one', () => {
  const bp = new BufferPool(4);
  const a = new ArrayBuffer(64), b = new ArrayBuffer(128);
  bp.give(a); bp.give(a); bp.give(b);
  assert.equal(bp.size, 2);
  structuredClone(a, { transfer: [a] }); // a moves to another owner while still listed
  assert.deepEqual(bp.drain(), [b]);
  assert.equal(bp.take(100).byteLength, 100, 'nothing kept fits: a fresh buffer');
});
