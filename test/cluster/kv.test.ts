// The simulator's disk-backed KV layer: run files (sparse block index) and column families (newest run wins).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunWriter, writeRun, type Entry } from './sim/kv/run.js';
import { ColumnFamily } from './sim/kv/cf.js';
import { encodeSimSst, decodeSimSst, readSimSstFile, writeSimSst } from './sim/kv/sim-sst.js';
import { prng } from '../harness/prng.js';

const k = (i: number) => Buffer.from(`key${String(i).padStart(8, '0')}`);

function dir(t: { after(fn: () => void): void }): string {
  const d = mkdtempSync(join(tmpdir(), 'sim-kv-'));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

test('run: many blocks on disk, range bounds, point gets, strict order enforced', (t) => {
  const d = dir(t);
  const entries: Entry[] = [];
  for (let i = 0; i < 5000; i += 2) entries.push({ key: k(i), value: Buffer.alloc(40, i % 251) });
  const run = writeRun(join(d, 'a.run'), entries);
  assert.equal(run.count, 2500);
  assert.ok(run.blocks.length > 3, `blocks: ${run.blocks.length}`);
  assert.equal(statSync(run.path).size, run.size);
  assert.deepEqual(run.minKey, k(0));
  assert.deepEqual(run.maxKey, k(4998));
  const got = [...run.iter(k(101), k(1001))].map((e) => e.key.toString());
  assert.equal(got.length, 450);
  assert.equal(got[0], k(102).toString());
  assert.equal(got[got.length - 1], k(1000).toString());
  assert.equal([...run.iter(Buffer.alloc(0), Buffer.alloc(0))].length, 2500);
  assert.deepEqual(run.get(k(2000)), Buffer.alloc(40, 2000 % 251));
  assert.equal(run.get(k(2001)), undefined);
  assert.equal(run.get(Buffer.from('zzz')), undefined);
  const w = new RunWriter(join(d, 'b.run'));
  w.add(k(2), Buffer.from('x'));
  assert.throws(() => w.add(k(2), Buffer.from('y')), /strict ascending order/);
  w.abort();
});

test('column family: merged ranges across overlapping runs, the newest run wins equal keys', (t) => {
  const d = dir(t);
  const rnd = prng(7);
  const cf = new ColumnFamily();
  const model = new Map<string, string>();
  for (let r = 0; r < 6; r++) {
    const keys = new Set<number>();
    while (keys.size < 300) keys.add(Math.floor(rnd() * 2000));
    const sorted = [...keys].sort((a, b) => a - b);
    cf.ingest(writeRun(join(d, `${r}.run`), sorted.map((i) => ({ key: k(i), value: Buffer.from(`r${r}`) }))));
    for (const i of sorted) model.set(k(i).toString(), `r${r}`);
  }
  assert.equal(cf.runCount, 6);
  const want = [...model.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
  assert.deepEqual([...cf.range(Buffer.alloc(0), Buffer.alloc(0))].map((e) => [e.key.toString(), e.value.toString()]), want);
  const part = want.filter(([key]) => key >= k(500).toString() && key < k(700).toString());
  assert.deepEqual([...cf.range(k(500), k(700))].map((e) => [e.key.toString(), e.value.toString()]), part);
  for (const [key, v] of want.slice(0, 50)) assert.equal(cf.get(Buffer.from(key))?.toString(), v);
  // disjoint runs: later runs join the merge only when it reaches them
  const cf2 = new ColumnFamily();
  for (let r = 0; r < 4; r++) cf2.ingest(writeRun(join(d, `d${r}.run`), [0, 1, 2].map((i) => ({ key: k(r * 10 + i), value: Buffer.from('v') }))));
  assert.deepEqual([...cf2.range(k(11), k(31))].map((e) => e.key.toString()), [11, 12, 20, 21, 22, 30].map((i) => k(i).toString()));
});

test('simulator SST format: magic, records, streaming read, bad input named', (t) => {
  const d = dir(t);
  const entries = [0, 1, 2].map((i) => ({ key: k(i), value: Buffer.alloc(i * 700_000, 1) }));
  const b = encodeSimSst(entries);
  assert.equal(b.subarray(0, 9).toString('latin1'), 'LTSIMSST\x01');
  assert.deepEqual([...decodeSimSst(b)].map((e) => e.value.length), [0, 700_000, 1_400_000]);
  writeSimSst(join(d, 'x.sst'), entries);
  assert.deepEqual([...readSimSstFile(join(d, 'x.sst'))].map((e) => e.key.toString()), entries.map((e) => e.key.toString()));
  assert.throws(() => [...decodeSimSst(Buffer.from('not an sst'), 'upload')], /upload is not a simulator SST/);
  assert.throws(() => [...decodeSimSst(b.subarray(0, b.length - 3))], /truncated record/);
});

test('MVCC data keys: z ‖ EncodeBytes(key) ‖ ^ts for every key length; write records round-trip', async () => {
  const { dataKey, splitDataKey, encodeWrite, decodeWrite } = await import('./sim/mvcc.js');
  const { encodeBytes } = await import('../../src/cluster/keys.js');
  const ts = 0x0123456789abcdefn;
  for (const n of [0, 1, 7, 8, 9, 16, 19, 40]) {
    const key = Buffer.alloc(n, 0xab);
    const want = Buffer.alloc(8);
    want.writeBigUInt64BE(~ts & ((1n << 64n) - 1n));
    assert.deepEqual(dataKey(key, ts), Buffer.concat([Buffer.from('z'), encodeBytes(key), want]));
    assert.deepEqual(splitDataKey(dataKey(key, ts)), { rawKey: key, commitTs: ts });
  }
  assert.deepEqual(decodeWrite(encodeWrite('P', 300n, Buffer.from('abc'), 7n)), { type: 'P', startTs: 300n, shortValue: Buffer.from('abc'), txnSource: 7n });
  assert.deepEqual([...encodeWrite('D', 5n, undefined)], [0x44, 5]);
});
