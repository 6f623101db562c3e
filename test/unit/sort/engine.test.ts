// Local sorted engine: order, de-duplication, durability of acknowledged writes, recovery, quota, ranges.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, truncate, writeFile, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalEngine, DiskQuota, batchOf, type KvPair } from '../../../src/sort/index.js';
import { engineUuid, formatUuid } from '../../../src/cluster/engine-uuid.js';
import { Codes, LightningError } from '../../../src/errors.js';

async function tmp(t: { after(fn: () => unknown): void }): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'lts-sort-'));
  t.after(() => rm(d, { recursive: true, force: true }));
  return d;
}

/** deterministic pseudo-random bytes */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x; };
}

function randomPairs(n: number, seed: number): KvPair[] {
  const r = rng(seed);
  const out: KvPair[] = [];
  for (let i = 0; i < n; i++) {
    // random bytes, then the index: unique keys (collisions are the duplicates test's business)
    const key = Buffer.alloc(1 + (r() % 24) + 4);
    for (let j = 0; j < key.length - 4; j++) key[j] = r() & 0xff;
    key.writeUInt32BE(i, key.length - 4);
    const value = Buffer.alloc(r() % 300, r() & 0xff);
    out.push({ key, value });
  }
  return out;
}

async function readAll(e: LocalEngine, start: Buffer = Buffer.alloc(0), end: Buffer = Buffer.alloc(0), batch = 1000): Promise<KvPair[]> {
  const out: KvPair[] = [];
  for await (const b of e.scan(start, end, batch)) for (const p of b) out.push({ key: Buffer.from(p.key), value: Buffer.from(p.value) });
  return out;
}

function expected(pairs: KvPair[]): KvPair[] {
  const m = new Map<string, KvPair>();
  for (const p of pairs) if (!m.has(p.key.toString('hex'))) m.set(p.key.toString('hex'), p);
  return [...m.values()].sort((a, b) => Buffer.compare(a.key, b.key));
}

test('engine UUIDs are UUID v5 of "<table>:<engineID>" in Lightning\'s namespace', () => {
  // reference values from Python's uuid.uuid5 (RFC 4122, what Go's uuid.NewSHA1 computes)
  assert.equal(formatUuid(engineUuid('`db`.`t`', 0)), 'a65740db-8738-5be7-8167-cd5dc61a6d79');
  assert.equal(formatUuid(engineUuid('`db`.`t`', -1)), '6098a639-8c92-5a94-bc21-92d3c9e327d7');
  assert.equal(formatUuid(engineUuid('`test`.`tbl`', 2147483647)), '2725d5ca-d35a-5f7f-a438-ad5a96c89a13');
});

test('many writers, many runs, multi-pass merge: scan returns every key once in byte order', async (t) => {
  const root = await tmp(t);
  const e = await LocalEngine.open(root, engineUuid('`db`.`t`', 0), { memCacheSize: 8 << 10, mergeFanIn: 3, propSizeDistance: 4096, propKeysDistance: 50, readBufferSize: 4096 });
  const pairs = randomPairs(5000, 7);
  const writers = [e.newWriter(), e.newWriter(), e.newWriter()];
  const acks: Promise<void>[] = [];
  for (let i = 0; i < pairs.length; i += 100) acks.push(writers[(i / 100) % 3]!.append(batchOf(pairs.slice(i, i + 100))));
  await Promise.all(acks);
  assert.ok(e.runCount > 10, `expected many runs, got ${e.runCount}`);
  const meta = await e.close();
  const want = expected(pairs);
  assert.equal(meta.kvs, want.length);
  assert.equal(meta.bytes, want.reduce((s, p) => s + p.key.length + p.value.length, 0));
  assert.equal(meta.firstKey, want[0]!.key.toString('hex'));
  assert.equal(meta.lastKey, want[want.length - 1]!.key.toString('hex'));
  assert.deepEqual(await readAll(e), want);
  assert.deepEqual((await readdir(e.dir)).sort(), ['data.kv', 'data.props', 'engine.json']);

  // ranges: contiguous, cover everything, each within the limits (props are every ≤ 50 keys / 4 KiB)
  const ranges = e.ranges(32 << 10, 400);
  assert.ok(ranges.length > 3);
  assert.deepEqual(ranges[0]!.start, want[0]!.key);
  let total = 0;
  for (let i = 0; i < ranges.length; i++) {
    const r = ranges[i]!;
    if (i > 0) assert.deepEqual(r.start, ranges[i - 1]!.end);
    const got = await readAll(e, r.start, r.end);
    assert.ok(got.length <= 400, `range ${i} has ${got.length} keys`);
    assert.ok(got.reduce((s, p) => s + p.key.length + p.value.length, 0) <= 32 << 10);
    total += got.length;
  }
  assert.equal(total, want.length);
  // a scan from an arbitrary key (not a prop boundary)
  const mid = want[1234]!.key;
  assert.deepEqual(await readAll(e, mid, want[2000]!.key, 77), want.slice(1234, 2000));
});

test('duplicates: identical pairs (a resumed chunk) dropped silently; same key with another value reported', async (t) => {
  const root = await tmp(t);
  const e = await LocalEngine.open(root, 'e1', { memCacheSize: 1 << 10, mergeFanIn: 2 });
  const w = e.newWriter();
  const a = { key: Buffer.from('k1'), value: Buffer.from('v1') };
  await w.append(batchOf([a, { key: Buffer.from('k2'), value: Buffer.from('x') }]));
  await w.append(batchOf([a]));
  const w2 = e.newWriter();
  await w2.append(batchOf([a, { key: Buffer.from('k2'), value: Buffer.from('y') }]));
  await w2.append(batchOf([{ key: Buffer.from('k3'), value: Buffer.from('z') }]));
  const meta = await e.close();
  assert.equal(meta.kvs, 3);
  assert.equal(meta.duplicates.identical, 2);
  assert.equal(meta.duplicates.conflicts, 1);
  assert.deepEqual(meta.duplicates.samples, [{ key: Buffer.from('k2').toString('hex'), kept: Buffer.from('x').toString('hex'), dropped: Buffer.from('y').toString('hex') }]);
  assert.deepEqual((await readAll(e)).map((p) => p.value.toString()), ['v1', 'x', 'z']);
});

test('an acknowledged append is durable: a fresh process (reopen without close) finds it; temporaries are dropped', async (t) => {
  const root = await tmp(t);
  // no idle flush on its own: only sync() makes a run
  const e = await LocalEngine.open(root, 'e2', { memCacheSize: 1 << 30, flushDelayMs: 60_000 });
  const w = e.newWriter();
  const acked = w.append(batchOf([{ key: Buffer.from('b'), value: Buffer.from('2') }, { key: Buffer.from('a'), value: Buffer.from('1') }]));
  await w.sync();
  await acked;
  // not acknowledged yet: still in memory (the "crash" below loses it, and its chunk checkpoint never moved)
  void w.append(batchOf([{ key: Buffer.from('lost'), value: Buffer.from('?') }])).catch(() => undefined);
  await writeFile(join(e.dir, 'run-00000099.kv.tmp'), 'half a run');
  const again = await LocalEngine.open(root, 'e2');
  assert.equal(again.runCount, 1);
  const meta = await again.close();
  assert.equal(meta.kvs, 2);
  assert.deepEqual((await readAll(again)).map((p) => p.key.toString()), ['a', 'b']);
  assert.ok(!(await readdir(again.dir)).some((f) => f.endsWith('.tmp')));
  await w.sync();
});

test('a crash after the manifest but before runs were deleted: reopen drops the stale runs; close is idempotent', async (t) => {
  const root = await tmp(t);
  const e = await LocalEngine.open(root, 'e3');
  const w = e.newWriter();
  await w.append(batchOf([{ key: Buffer.from('a'), value: Buffer.from('1') }]));
  const run = (await readdir(e.dir)).find((f) => f.startsWith('run-'))!;
  await copyFile(join(e.dir, run), join(root, 'saved'));
  const m1 = await e.close();
  await copyFile(join(root, 'saved'), join(e.dir, run));
  const again = await LocalEngine.open(root, 'e3');
  assert.ok(again.isClosed);
  assert.equal(again.runCount, 0);
  assert.deepEqual(await again.close(), m1);
  assert.ok(!(await readdir(again.dir)).includes(run));
  assert.throws(() => again.newWriter(), (x: unknown) => x instanceof LightningError && x.code === Codes.EngineState);
});

test('disk-quota: a flush that would exceed it fails with ErrDiskQuota; cleanup releases the engine\'s bytes', async (t) => {
  const root = await tmp(t);
  const quota = new DiskQuota(4096, root);
  const e = await LocalEngine.open(root, 'e4', { quota, flushDelayMs: 1 });
  const w = e.newWriter();
  await w.append(batchOf([{ key: Buffer.from('a'), value: Buffer.alloc(1000) }]));
  assert.ok(quota.used > 1000 && quota.used < 1100, `used ${quota.used}`);
  await assert.rejects(w.append(batchOf([{ key: Buffer.from('b'), value: Buffer.alloc(4000) }])),
    (x: unknown) => x instanceof LightningError && x.code === Codes.DiskQuota && /disk-quota 4096/.test(x.message));
  assert.ok(!(await readdir(e.dir)).some((f) => f.endsWith('.tmp')));
  await e.cleanup();
  assert.equal(quota.used, 0);
  await assert.rejects(readdir(e.dir));
});

test('a truncated data file is a coded error, not a silent prefix', async (t) => {
  const root = await tmp(t);
  const e = await LocalEngine.open(root, 'e5');
  await e.newWriter().append(batchOf(randomPairs(100, 3)));
  await e.close();
  await truncate(join(e.dir, 'data.kv'), 500);
  await assert.rejects(readAll(e), (x: unknown) => x instanceof LightningError && x.code === Codes.SortedFile && /data\.kv/.test(x.message));
});

test('an empty engine closes to zero pairs and no ranges', async (t) => {
  const root = await tmp(t);
  const e = await LocalEngine.open(root, 'e6');
  e.newWriter();
  const meta = await e.close();
  assert.equal(meta.kvs, 0);
  assert.deepEqual(e.ranges(1 << 20, 1000), []);
  assert.deepEqual(await readAll(e), []);
});
