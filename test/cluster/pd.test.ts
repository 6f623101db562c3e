// PD conformance through src/cluster's PdClient (protocol.md §3, §10 items 1–9).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { startSimCluster } from './sim/index.js';
import { PdClient, encodeBytes, extractLogical, extractPhysical, grpcCodeOf } from '../../src/cluster/index.js';
import { Codes, LightningError } from '../../src/errors.js';
import { RpcClient } from '../../src/cluster/rpc.js';

test('start to ready under 2 s; stop releases everything', async () => {
  const t0 = performance.now();
  const sim = await startSimCluster({ stores: 3 });
  const ms = performance.now() - t0;
  await sim.stop();
  await sim.stop(); // idempotent
  assert.ok(ms < 2000, `ready in ${ms} ms`);
});

test('GetMembers: cluster id and leader client URL; wrong cluster id → FailedPrecondition', async (t) => {
  const sim = await startSimCluster({ stores: 1, testContext: t, clusterId: 42n });
  const pd = await PdClient.connect(`http://${sim.pdAddr}`);
  t.after(() => pd.close());
  assert.equal(pd.clusterId, 42n);
  const m = await pd.getMembers();
  assert.equal(m.clusterId, 42n);
  assert.deepEqual(m.leader?.clientUrls, [`http://${sim.pdAddr}`]);

  // a client speaking with the wrong cluster id
  class Raw extends RpcClient { call(req: object) { return this.unary('GetAllStores', req); } }
  const raw = new Raw(sim.pdAddr, 'pdpb.PD', Codes.PDRequest);
  t.after(() => raw.close());
  const e = await raw.call({ header: { cluster_id: 7 } }).catch((x: unknown) => x);
  assert.ok(e instanceof LightningError);
  assert.equal(grpcCodeOf(e), grpc.status.FAILED_PRECONDITION);
  assert.match(e.message, /mismatch cluster id, need 42 but got 7/);
});

test('Tso: one answer per request, in order, count echoed, logical is the last of the batch, strictly increasing', async (t) => {
  const sim = await startSimCluster({ stores: 1, testContext: t });
  const pd = await PdClient.connect(sim.pdAddr);
  t.after(() => pd.close());
  const firsts = await Promise.all([pd.getTS(1), pd.getTS(10), pd.getTS(1), pd.getTS(5)]);
  // batches do not overlap: each first is beyond the previous batch's last
  assert.ok(firsts[1]! > firsts[0]!);
  assert.ok(firsts[2]! >= firsts[1]! + 10n);
  assert.ok(firsts[3]! > firsts[2]!);
  let prev = 0n;
  for (let i = 0; i < 50; i++) { const ts = await pd.getTS(); assert.ok(ts > prev); prev = ts; }
  const phys = Number(extractPhysical(prev));
  assert.ok(Math.abs(phys - Date.now()) < 5000);
  assert.ok(extractLogical(prev) < 1n << 18n);
});

test('Tso stream error rejects pending requests; a new stream is opened afterwards', async (t) => {
  const sim = await startSimCluster({ stores: 1, testContext: t });
  const pd = await PdClient.connect(sim.pdAddr);
  t.after(() => pd.close());
  sim.inject({ rpc: 'Tso', error: { kind: 'grpc', code: grpc.status.UNAVAILABLE, message: 'tso down' } });
  await assert.rejects(pd.getTS(), (e: unknown) => e instanceof LightningError && e.code === Codes.PDRequest && e.retryable);
  assert.ok((await pd.getTS()) > 0n);
});

test('GetStore / GetAllStores: addresses of the simulated TiKV gRPC and status ports; tombstones excluded on request', async (t) => {
  const sim = await startSimCluster({ stores: 3, testContext: t });
  const pd = await PdClient.connect(sim.pdAddr);
  t.after(() => pd.close());
  const s2 = await pd.getStore(2);
  assert.equal(s2.address, sim.storeAddrs[1]);
  assert.equal(s2.statusAddress, sim.store(2).statusAddress);
  assert.equal(s2.version, '8.5.0');
  const conf = await (await fetch(`http://${s2.statusAddress}/config`)).json() as { coprocessor: Record<string, unknown> };
  assert.equal(conf.coprocessor['region-split-size'], '96MiB');
  assert.equal(conf.coprocessor['region-split-keys'], 960000);
  await assert.rejects(pd.getStore(99), (e: unknown) => e instanceof LightningError && e.code === Codes.PDRequest && /invalid store ID 99, not found/.test(e.message));
  assert.equal((await pd.getAllStores()).length, 3);
  sim.state.stores.get(3)!.state = 'Tombstone';
  assert.deepEqual((await pd.getAllStores(true)).map((s) => s.id), [1, 2]);
  assert.equal((await pd.getAllStores(false)).length, 3);
});

test('GetRegion / GetRegionByID take and return encoded keys; a missing region is undefined (REGION_NOT_FOUND)', async (t) => {
  const sim = await startSimCluster({ stores: 3, testContext: t });
  const pd = await PdClient.connect(sim.pdAddr);
  t.after(() => pd.close());
  await sim.act({ kind: 'split', rawKeys: [Buffer.from('m')] });
  const left = await pd.getRegion(encodeBytes(Buffer.from('a')));
  const right = await pd.getRegion(encodeBytes(Buffer.from('x')));
  assert.ok(left && right);
  assert.deepEqual(left.region.endKey, encodeBytes(Buffer.from('m')));
  assert.deepEqual(right.region.startKey, encodeBytes(Buffer.from('m')));
  assert.equal(left.region.peers.length, 3);
  assert.ok(left.leader && left.region.peers.some((p) => p.id === left.leader!.id));
  const byId = await pd.getRegionByID(right.region.id);
  assert.deepEqual(byId?.region, right.region);
  assert.deepEqual(byId?.pendingPeers, []);
  assert.equal(await pd.getRegionByID(123456), undefined);
});

test('ScanRegions: starts at the region containing start_key, honours limit and end_key, fills regions and region_metas+leaders, contiguous', async (t) => {
  const sim = await startSimCluster({ stores: 3, testContext: t });
  const pd = await PdClient.connect(sim.pdAddr);
  t.after(() => pd.close());
  await sim.act({ kind: 'split', rawKeys: ['b', 'd', 'f', 'h'].map((k) => Buffer.from(k)) });
  const all = await pd.scanRegions(Buffer.alloc(0), Buffer.alloc(0), 0);
  assert.equal(all.length, 5);
  for (let i = 1; i < all.length; i++) assert.deepEqual(all[i]!.region.startKey, all[i - 1]!.region.endKey);
  const from = await pd.scanRegions(encodeBytes(Buffer.from('c')), encodeBytes(Buffer.from('g')), 10);
  assert.deepEqual(from.map((r) => r.region.startKey), ['b', 'd', 'f'].map((k) => encodeBytes(Buffer.from(k))));
  assert.equal((await pd.scanRegions(Buffer.alloc(0), Buffer.alloc(0), 2)).length, 2);
  assert.equal((await pd.scanRegionsAll(Buffer.alloc(0), Buffer.alloc(0), 2)).length, 5);
  // the deprecated parallel arrays, read with a raw call
  class Raw extends RpcClient { call(req: object) { return this.unary<object, { region_metas: unknown[]; leaders: unknown[]; regions: unknown[] }>('ScanRegions', req); } }
  const raw = new Raw(sim.pdAddr, 'pdpb.PD', Codes.PDRequest);
  t.after(() => raw.close());
  const res = await raw.call({ header: { cluster_id: sim.clusterId.toString() }, limit: 0 });
  assert.equal(res.region_metas.length, 5);
  assert.equal(res.leaders.length, 5);
  assert.equal(res.regions.length, 5);
});

test('SplitRegions and SplitAndScatterRegions (encoded keys): new ids, versions bumped', async (t) => {
  const sim = await startSimCluster({ stores: 3, testContext: t });
  const pd = await PdClient.connect(sim.pdAddr);
  t.after(() => pd.close());
  const r = await pd.splitRegions([encodeBytes(Buffer.from('k'))]);
  assert.equal(r.finishedPercentage, 100);
  assert.equal(r.regionIds.length, 1);
  const s = await pd.splitAndScatterRegions([encodeBytes(Buffer.from('c')), encodeBytes(Buffer.from('p'))], 'g');
  assert.equal(s.splitFinishedPercentage, 100);
  assert.equal(s.scatterFinishedPercentage, 100);
  assert.equal(s.regionIds.length, 2);
  const regions = sim.regions();
  assert.equal(regions.length, 4);
  assert.ok(regions.every((x) => x.epoch.version >= 2));
});

test('ScatterRegion batch → 100%, leaders move, GetOperator RUNNING then SUCCESS; no operator → undefined', async (t) => {
  const sim = await startSimCluster({ stores: 3, testContext: t });
  const pd = await PdClient.connect(sim.pdAddr);
  t.after(() => pd.close());
  await sim.act({ kind: 'split', rawKeys: [Buffer.from('m')] });
  const ids = sim.regions().map((r) => r.id);
  const before = sim.regions().map((r) => r.leaderStoreId);
  assert.equal(await pd.getOperator(ids[0]!), undefined);
  const res = await pd.scatterRegions(ids);
  assert.equal(res.finishedPercentage, 100);
  assert.deepEqual(res.failedRegionIds, []);
  assert.notDeepEqual(sim.regions().map((r) => r.leaderStoreId), before);
  const op1 = await pd.getOperator(ids[0]!);
  assert.deepEqual([op1?.desc, op1?.status], ['scatter-region', 'RUNNING']);
  assert.equal((await pd.getOperator(ids[0]!))?.status, 'SUCCESS');
  const partial = await pd.scatterRegions([ids[0]!, 99999]);
  assert.equal(partial.finishedPercentage, 50);
  assert.deepEqual(partial.failedRegionIds, [99999]);
  const info = await pd.getRegionByID(ids[1]!);
  assert.equal((await pd.scatterRegion(info!.region, info!.leader)).finishedPercentage, 100);
});

test('UpdateServiceGCSafePoint: min over services, TTL 0 removes', async (t) => {
  const sim = await startSimCluster({ stores: 1, testContext: t });
  const pd = await PdClient.connect(sim.pdAddr);
  t.after(() => pd.close());
  assert.equal(await pd.updateServiceGCSafePoint('lightning-a', 600, 100n), 100n);
  assert.equal(await pd.updateServiceGCSafePoint('lightning-b', 600, 50n), 50n);
  assert.equal(await pd.updateServiceGCSafePoint('lightning-b', 0, 0n), 100n);
  assert.equal(sim.state.gcSafePoints.size, 1);
});

test('GetClusterConfig: cluster id and max_peer_count', async (t) => {
  const sim = await startSimCluster({ stores: 3, testContext: t, tidb: false });
  class Raw extends RpcClient { call(req: object) { return this.unary<object, { cluster: { id: string; max_peer_count: number } }>('GetClusterConfig', req); } }
  const raw = new Raw(sim.pdAddr, 'pdpb.PD', Codes.PDRequest);
  t.after(() => raw.close());
  const res = await raw.call({ header: { cluster_id: sim.clusterId.toString() } });
  assert.deepEqual([res.cluster.id, res.cluster.max_peer_count], [sim.clusterId.toString(), 3]);
});

test('PD faults: header error, gRPC Unavailable on the nth call, delay', async (t) => {
  const sim = await startSimCluster({ stores: 1, testContext: t });
  const pd = await PdClient.connect(sim.pdAddr);
  t.after(() => pd.close());
  sim.inject({ rpc: 'GetAllStores', error: { kind: 'pdError', type: 'NOT_BOOTSTRAPPED', message: 'cluster is not bootstrapped' } });
  await assert.rejects(pd.getAllStores(), /NOT_BOOTSTRAPPED: cluster is not bootstrapped/);
  sim.inject({ rpc: 'PD/GetStore', nth: 2, error: { kind: 'grpc', code: grpc.status.UNAVAILABLE, message: 'pd down' } });
  await pd.getStore(1);
  await assert.rejects(pd.getStore(1), (e: unknown) => grpcCodeOf(e) === grpc.status.UNAVAILABLE && (e as LightningError).retryable);
  await pd.getStore(1);
  sim.inject({ rpc: 'GetStore', error: { kind: 'delay', ms: 150 } });
  const t0 = performance.now();
  await pd.getStore(1);
  assert.ok(performance.now() - t0 >= 140);
});

test('PD HTTP: stores, version, replicate config, schedulers pause/resume', async (t) => {
  const sim = await startSimCluster({ stores: 3, testContext: t });
  const base = `http://${sim.pdHttpAddr}/pd/api/v1`;
  const stores = await (await fetch(`${base}/stores`)).json() as { count: number; stores: { store: Record<string, unknown>; status: Record<string, unknown> }[] };
  assert.equal(stores.count, 3);
  assert.equal(stores.stores[0]!.store.state_name, 'Up');
  assert.equal(stores.stores[0]!.store.address, sim.storeAddrs[0]);
  assert.equal(stores.stores[0]!.status.capacity, '1TiB');
  assert.equal(stores.stores[0]!.status.available, '512GiB');
  assert.equal(stores.stores[0]!.store.version, '8.5.0');
  assert.equal(stores.stores[0]!.store.status_address, sim.store(1).statusAddress);
  assert.equal(sim.pdHttpAddr, sim.pdAddr); // one port for gRPC and HTTP, as real PD
  assert.equal(((await (await fetch(`${base}/store/2`)).json()) as { store: { id: number } }).store.id, 2);
  assert.equal(((await (await fetch(`${base}/config/schedule`)).json()) as Record<string, number>)['leader-schedule-limit'], 4);
  assert.deepEqual(await (await fetch(`${base}/version`)).json(), { version: 'v8.5.0' });
  assert.equal((await (await fetch(`${base}/config/replicate`)).json() as Record<string, number>)['max-replicas'], 3);
  await fetch(`${base}/schedulers/balance-leader-scheduler`, { method: 'POST', body: JSON.stringify({ delay: 60 }) });
  assert.deepEqual(await (await fetch(`${base}/schedulers?status=paused`)).json(), ['balance-leader-scheduler']);
});
