// Store-level state of the simulated TiKV (protocol.md §4.1, §4.4, §10 items 10, 13, 17): mode bookkeeping and
// the Import-mode timeout, suspended imports, ingest file conflicts under a slow apply, a split landing while
// an ingest is being applied, disk full on both paths, force-partition ranges, store restart.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { startSimCluster, type SimCluster, type SimOptions } from './sim/index.js';
import { clientsFor, kv, writeAllPeers, type Clients } from './helpers.js';
import { RegionError, encodeBytes, grpcCodeOf, regionContext, type RegionInfo } from '../../src/cluster/index.js';
import { RpcClient } from '../../src/cluster/rpc.js';
import { Codes, LightningError } from '../../src/errors.js';

async function setup(t: TestContext, opts: SimOptions = {}): Promise<{ sim: SimCluster; c: Clients; info: RegionInfo; ts: bigint }> {
  const sim = await startSimCluster({ stores: 3, testContext: t, ...opts });
  const c = await clientsFor(sim);
  t.after(() => c.close());
  return { sim, c, info: (await c.pd.getRegion(encodeBytes(Buffer.from('a'))))!, ts: await c.pd.getTS() };
}
class RawSst extends RpcClient { call(m: string, r: object) { return this.unary(m, r); } }
/** resolves once the store holds files in a slow apply, i.e. an ingest is between its checks and its apply */
async function applying(sim: SimCluster, store: number): Promise<void> {
  for (let i = 0; i < 400 && sim.store(store).ingesting.size === 0; i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(sim.store(store).ingesting.size > 0, 'the ingest never reached its apply');
}
const regionErr = (code: string, extra: (e: RegionError) => boolean = () => true) => (e: unknown) => e instanceof RegionError && e.code === code && extra(e);

test('mode bookkeeping: the mode at the first Write, the final mode, events in order; Import lapses after the timeout', async (t) => {
  const { sim, c, info, ts } = await setup(t, { importModeTimeoutMs: 150 });
  for (const id of sim.storeIds) await c.sst(id).switchMode('Import');
  await writeAllPeers(c, info, [kv('a', '1')], ts);
  for (const id of sim.storeIds) assert.equal(sim.store(id).modeAtFirstWrite, 'Import');
  assert.deepEqual(sim.store(1).events.map((e) => e.kind), ['mode', 'write']);
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(await c.sst(1).getMode(), 'Normal');
  assert.deepEqual(sim.store(1).events.at(-1), { kind: 'mode', mode: 'Normal', reason: 'timeout' });
  // the history lists requested switches only; a store written in Normal mode says so
  assert.deepEqual(sim.store(1).modeHistory, ['Import']);
  const fresh = await setup(t);
  await writeAllPeers(fresh.c, fresh.info, [kv('a', '1')], fresh.ts);
  assert.equal(fresh.sim.store(1).modeAtFirstWrite, 'Normal');
  assert.equal(fresh.sim.store(2).modeAtFirstWrite, 'Normal');
});

test('suspended imports → server_is_busy with backoff; a slow apply makes a concurrent ingest of the same files a conflict', async (t) => {
  const { sim, c, info, ts } = await setup(t, { applyDelayMs: 300 });
  const metas = await writeAllPeers(c, info, [kv('a', '1')], ts);
  const leader = info.leader!.storeId;
  const ingest = () => c.sst(leader).multiIngest(regionContext(info.region, info.leader!), metas);
  await sim.act({ kind: 'suspendImports', store: leader, ms: 5000 });
  await assert.rejects(ingest(), regionErr(Codes.KVServerIsBusy, (e) => /imports are suspended for 5s/.test(e.message) && Number(e.regionError.server_is_busy?.backoff_ms) > 4000));
  sim.store(leader).suspendedUntil = 0;
  const first = ingest();
  await applying(sim, leader);
  await assert.rejects(ingest(), regionErr(Codes.KVIngestFailed, (e) => /ingest file conflict/.test(e.message)));
  await first;
  assert.equal(sim.data(leader).length, 1);
});

test('a split that lands while the ingest is being applied → apply-time epoch_not_match, nothing applied', async (t) => {
  const { sim, c, info, ts } = await setup(t, { applyDelayMs: 300 });
  const metas = await writeAllPeers(c, info, [kv('a', '1'), kv('q', '2')], ts);
  const pending = c.sst(info.leader!.storeId).multiIngest(regionContext(info.region, info.leader!), metas);
  await applying(sim, info.leader!.storeId);
  await sim.act({ kind: 'split', rawKeys: [Buffer.from('m')] });
  await assert.rejects(pending, regionErr(Codes.KVEpochNotMatch, (e) => /EpochNotMatch conf_ver: 1 version: 1 != conf_ver: 1 version: 2/.test(e.message)));
  assert.equal(sim.data(info.leader!.storeId).length, 0);
});

test('disk full: Write → Unknown DiskSpaceNotEnough (not retryable), Ingest → disk_full (not retryable); normal again → both work', async (t) => {
  const { sim, c, info, ts } = await setup(t);
  const metas = await writeAllPeers(c, info, [kv('a', '1')], ts);
  await sim.act({ kind: 'disk', store: info.leader!.storeId, state: 'full' });
  await assert.rejects(writeAllPeers(c, info, [kv('b', '1')], ts), (e: unknown) => e instanceof LightningError && e.code === Codes.KVWriteFailed &&
    grpcCodeOf(e) === grpc.status.UNKNOWN && /DiskSpaceNotEnough/.test(e.message) && !e.retryable);
  await assert.rejects(c.sst(info.leader!.storeId).multiIngest(regionContext(info.region, info.leader!), metas),
    regionErr(Codes.KVDiskFull, (e) => !e.retryable && /store ids \[\d\], errmsg disk is full/.test(e.message)));
  await sim.act({ kind: 'disk', store: info.leader!.storeId, state: 'normal' });
  await c.sst(info.leader!.storeId).multiIngest(regionContext(info.region, info.leader!), metas);
  assert.equal(sim.data(1).length, 1);
});

test('AddForcePartitionRange / RemoveForcePartitionRange keep raw ranges per store with a TTL (0 → 3600 s)', async (t) => {
  const { sim } = await setup(t);
  const raw = new RawSst(sim.storeAddrs[0]!, 'import_sstpb.ImportSST', Codes.KVRpc);
  t.after(() => raw.close());
  const range = { start: Buffer.from('t\x80'), end: Buffer.from('t\x81') };
  assert.deepEqual(await raw.call('AddForcePartitionRange', { range, ttl_seconds: 0 }), {});
  const got = [...sim.store(1).forcePartitions.values()];
  assert.equal(got.length, 1);
  assert.deepEqual(got[0]!.start, range.start);
  assert.ok(got[0]!.expireAt - Date.now() > 3500_000);
  await raw.call('RemoveForcePartitionRange', { range });
  assert.equal(sim.store(1).forcePartitions.size, 0);
});

test('store restart: down now, up again by itself; a client retrying through UNAVAILABLE gets through', async (t) => {
  const { sim, c } = await setup(t);
  await sim.act({ kind: 'storeRestart', store: 2, afterMs: 200 });
  await assert.rejects(c.sst(2).getMode(), (e: unknown) => grpcCodeOf(e) === grpc.status.UNAVAILABLE);
  for (let i = 0; ; i++) {
    try { assert.equal(await c.sst(2).getMode(), 'Normal'); break; } catch (e) {
      if (i > 60 || grpcCodeOf(e) !== grpc.status.UNAVAILABLE) throw e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  assert.ok(sim.store(2).up);
});

test('a failed import still ends in Normal mode: the history shows Import before the first Write and Normal last', async (t) => {
  const { sim, c, info, ts } = await setup(t);
  for (const id of sim.storeIds) await c.sst(id).switchMode('Import');
  sim.inject({ rpc: 'ImportSST/MultiIngest', error: { kind: 'diskFull' } });
  const metas = await writeAllPeers(c, info, [kv('a', '1')], ts);
  await assert.rejects(c.sst(info.leader!.storeId).multiIngest(regionContext(info.region, info.leader!), metas), (e: unknown) => e instanceof RegionError && !e.retryable);
  // what Lightning's deferred switch-back does, failure or not
  for (const id of sim.storeIds) await c.sst(id).switchMode('Normal');
  for (const id of sim.storeIds) {
    const s = sim.store(id);
    assert.equal(s.modeAtFirstWrite, 'Import');
    assert.deepEqual(s.modeHistory, ['Import', 'Normal']);
    assert.equal(s.mode, 'Normal');
  }
});
