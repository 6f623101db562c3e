// tikvpb.Tikv conformance through TikvClient: SplitRegion and the checksum coprocessor (protocol.md §5.3, §6, §10 14–15).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSimCluster } from './sim/index.js';
import { clientsFor, kv, writeAllPeers } from './helpers.js';
import { RegionError, regionContext, encodeBytes, COP_TP_CHECKSUM } from '../../src/cluster/index.js';
import { Codes, LightningError } from '../../src/errors.js';
import { crc64Update } from '../../src/encode/crc64.js';

test('CRC-64/XZ (Go crc64.ECMA) check value', () => {
  // the catalogue check value of CRC-64/XZ over "123456789"
  assert.equal(crc64Update(0n, Buffer.from('123456789')), 0x995dc9bbdf1939fan);
  assert.equal(crc64Update(crc64Update(0n, Buffer.from('1234')), Buffer.from('56789')), 0x995dc9bbdf1939fan);
});

test('SplitRegion: raw keys encoded by the server, all regions returned in key order, versions bumped, PD updated', async (t) => {
  const sim = await startSimCluster({ stores: 3, testContext: t });
  const c = await clientsFor(sim);
  t.after(() => c.close());
  const info = (await c.pd.getRegion(encodeBytes(Buffer.alloc(0))))!;
  const regions = await c.tikv(info.leader!.storeId).splitRegion(info.region, info.leader!, [Buffer.from('g'), Buffer.from('p')]);
  assert.equal(regions.length, 3);
  assert.deepEqual(regions.map((r) => r.startKey), [Buffer.alloc(0), encodeBytes(Buffer.from('g')), encodeBytes(Buffer.from('p'))]);
  assert.ok(regions.every((r) => r.epoch.version === info.region.epoch.version + 2));
  // right-derive: the original id keeps the right-most part; new ids elsewhere; same stores, new peer ids
  assert.equal(regions[2]!.id, info.region.id);
  assert.ok(regions[0]!.id !== info.region.id && regions[1]!.id !== info.region.id);
  assert.deepEqual(regions[0]!.peers.map((p) => p.storeId), info.region.peers.map((p) => p.storeId));
  assert.ok(regions[0]!.peers.every((p) => !info.region.peers.some((q) => q.id === p.id)));
  const scanned = await c.pd.scanRegions(Buffer.alloc(0), Buffer.alloc(0), 0);
  assert.deepEqual(scanned.map((r) => r.region), regions);
  assert.ok(scanned.every((r) => r.leader?.storeId === info.leader!.storeId));
});

test('SplitRegion errors: follower → not_leader with hint; stale epoch → epoch_not_match; key outside → key_not_in_region; injected busy', async (t) => {
  const sim = await startSimCluster({ stores: 3, testContext: t });
  const c = await clientsFor(sim);
  t.after(() => c.close());
  const info = (await c.pd.getRegion(encodeBytes(Buffer.alloc(0))))!;
  const follower = info.region.peers.find((p) => p.storeId !== info.leader!.storeId)!;
  await assert.rejects(c.tikv(follower.storeId).splitRegion(info.region, follower, [Buffer.from('g')]),
    (e: unknown) => e instanceof RegionError && e.code === Codes.KVNotLeader && e.leaderHint?.storeId === info.leader!.storeId);
  const [left] = await c.tikv(info.leader!.storeId).splitRegion(info.region, info.leader!, [Buffer.from('g')]);
  await assert.rejects(c.tikv(info.leader!.storeId).splitRegion(info.region, info.leader!, [Buffer.from('x')]),
    (e: unknown) => e instanceof RegionError && e.code === Codes.KVEpochNotMatch && e.currentRegions.length === 1);
  await assert.rejects(c.tikv(info.leader!.storeId).splitRegion(left!, info.leader!, [Buffer.from('x')]),
    (e: unknown) => e instanceof RegionError && e.code === Codes.KVKeyNotInRegion);
  sim.inject({ rpc: 'Tikv/SplitRegion', error: { kind: 'serverIsBusy' } });
  await assert.rejects(c.tikv(info.leader!.storeId).splitRegion(left!, info.leader!, [Buffer.from('c')]),
    (e: unknown) => e instanceof RegionError && e.code === Codes.KVServerIsBusy);
  assert.equal((await c.tikv(info.leader!.storeId).splitRegion(left!, info.leader!, [Buffer.from('c')])).length, 2);
});

test('Coprocessor checksum: crc64-xor over key‖value, kvs, bytes; snapshot ts; ranges clipped to the region; deletes skipped', async (t) => {
  const sim = await startSimCluster({ stores: 3, testContext: t });
  const c = await clientsFor(sim);
  t.after(() => c.close());
  const info = (await c.pd.getRegion(encodeBytes(Buffer.alloc(0))))!;
  const ts1 = await c.pd.getTS();
  const pairs = [kv('t1_r1', 'one'), kv('t1_r2', Buffer.alloc(300, 2)), kv('t1_r3', 'three'), kv('t2_r1', 'other')];
  const ctx = () => regionContext(info.region, info.leader!);
  await c.sst(info.leader!.storeId).multiIngest(ctx(), await writeAllPeers(c, info, pairs, ts1));
  const ts2 = await c.pd.getTS();
  await c.sst(info.leader!.storeId).multiIngest(ctx(), await writeAllPeers(c, info, [{ ...kv('t1_r3', ''), op: 'Delete' }], ts2));
  const expect = (ps: typeof pairs) => ({
    checksum: ps.reduce((x, p) => x ^ crc64Update(crc64Update(0n, p.key), p.value), 0n),
    totalKvs: BigInt(ps.length), totalBytes: BigInt(ps.reduce((n, p) => n + p.key.length + p.value.length, 0)),
  });
  const t1 = [{ start: Buffer.from('t1_'), end: Buffer.from('t1`') }];
  const leader = c.tikv(info.leader!.storeId);
  assert.deepEqual(await leader.checksum(info.region, info.leader!, t1, ts1), expect(pairs.slice(0, 3)));
  assert.deepEqual(await leader.checksum(info.region, info.leader!, t1, await c.pd.getTS()), expect(pairs.slice(0, 2)));
  assert.deepEqual(await leader.checksum(info.region, info.leader!, t1, ts1 - 1n), expect([]));
  // split at t1_r2: the left region only sees t1_r1 even when asked for the whole table
  const regions = await leader.splitRegion(info.region, info.leader!, [Buffer.from('t1_r2')]);
  assert.deepEqual(await leader.checksum(regions[0]!, info.leader!, t1, ts1), expect(pairs.slice(0, 1)));
  assert.deepEqual(await leader.checksum(regions[1]!, info.leader!, t1, ts1), expect(pairs.slice(1, 3)));
  // the same on a follower's copy of the data
  assert.deepEqual(sim.data(info.region.peers[1]!.storeId).map((x) => x.key.toString()), ['t1_r1', 't1_r2', 't2_r1']);
});

test('Coprocessor errors: stale epoch and wrong leader → region_error; unknown algorithm or tp → other_error; injected faults', async (t) => {
  const sim = await startSimCluster({ stores: 3, testContext: t });
  const c = await clientsFor(sim);
  t.after(() => c.close());
  const info = (await c.pd.getRegion(encodeBytes(Buffer.alloc(0))))!;
  const r = [{ start: Buffer.from('a'), end: Buffer.from('b') }];
  const ts = await c.pd.getTS();
  const follower = info.region.peers.find((p) => p.storeId !== info.leader!.storeId)!;
  await assert.rejects(c.tikv(follower.storeId).checksum(info.region, follower, r, ts), (e: unknown) => e instanceof RegionError && e.code === Codes.KVNotLeader);
  const stale = { ...info.region, epoch: { ...info.region.epoch, version: 0 } };
  await assert.rejects(c.tikv(info.leader!.storeId).checksum(stale, info.leader!, r, ts), (e: unknown) => e instanceof RegionError && e.code === Codes.KVEpochNotMatch);
  const leader = c.tikv(info.leader!.storeId);
  const bad = await leader.coprocessor({ context: regionContext(info.region, info.leader!), tp: COP_TP_CHECKSUM, data: Buffer.from([0x18, 0x07]), ranges: r, start_ts: ts.toString() });
  assert.match(bad.other_error ?? '', /unknown checksum algorithm/);
  const dag = await leader.coprocessor({ context: regionContext(info.region, info.leader!), tp: 103, data: Buffer.alloc(0), ranges: r, start_ts: ts.toString() });
  assert.match(dag.other_error ?? '', /unsupported request type 103/);
  for (const error of [{ kind: 'notLeader', hint: false }, { kind: 'epochNotMatch' }, { kind: 'regionNotFound' }, { kind: 'serverIsBusy' }] as const) {
    sim.inject({ rpc: 'Coprocessor', error });
    await assert.rejects(leader.checksum(info.region, info.leader!, r, ts), (e: unknown) => e instanceof LightningError && e.retryable, error.kind);
  }
  await leader.checksum(info.region, info.leader!, r, ts);
});
