// Import of a closed local engine into the simulated cluster, once clean and once per injected fault: afterwards
// every store holds exactly the engine's pairs (sim.data on each store), whatever had to be retried.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { startSimCluster, type Fault, type SimCluster } from './sim/index.js';
import { PdClient } from '../../src/cluster/index.js';
import { StoreClients } from '../../src/cluster/store-clients.js';
import { LocalEngine, batchOf, type KvPair } from '../../src/sort/index.js';
import { importEngine, type ImportOptions } from '../../src/backend/local/import-engine.js';
import { Codes, LightningError } from '../../src/errors.js';

const FAST: ImportOptions = {
  regionSplitSize: 24 << 10, regionSplitKeys: 1 << 20, sendKvSize: 4 << 10, rangeConcurrency: 4,
  retryBackoff: { attempts: 30, firstMs: 2, maxMs: 40 }, ingestRetries: 3,
  split: { retry: { attempts: 10, firstMs: 5, maxMs: 50 }, wait: { attempts: 50, firstMs: 2, maxMs: 20 }, scan: { attempts: 20, firstMs: 5, maxMs: 50 } },
};

function pairs(n: number): KvPair[] {
  const out: KvPair[] = [];
  for (let i = 0; i < n; i++) {
    const key = Buffer.from(`t\x80\x00\x00\x00\x00\x00\x00\x01_r${String(i).padStart(8, '0')}`, 'latin1');
    // some values are long (> 255 bytes: default CF on TiKV)
    out.push({ key, value: Buffer.alloc(i % 7 === 0 ? 400 : 60, i & 0xff) });
  }
  return out;
}

interface Setup { sim: SimCluster; clients: StoreClients; engine: LocalEngine; data: KvPair[]; ts: bigint }

async function setup(t: TestContext, faults: Fault[] = [], n = 1200): Promise<Setup> {
  const sim = await startSimCluster({ stores: 3, testContext: t });
  const pd = await PdClient.connect(sim.pdAddr, { timeoutMs: 5000 });
  const clients = new StoreClients(pd, { timeoutMs: 5000 });
  t.after(() => { clients.close(); pd.close(); });
  const dir = await mkdtemp(join(tmpdir(), 'lts-import-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const engine = await LocalEngine.open(dir, 'engine', { propSizeDistance: 2048, propKeysDistance: 64 });
  const data = pairs(n);
  await engine.newWriter().append(batchOf([...data].reverse()));
  await engine.close();
  const ts = await pd.getTS();
  for (const f of faults) sim.inject(f);
  return { sim, clients, engine, data, ts };
}

function assertExact(s: Setup): void {
  const want = s.data.map((p) => `${p.key.toString('hex')}=${p.value.toString('hex')}`);
  for (const id of s.sim.storeIds) {
    const got = s.sim.data(id).map((p) => `${p.key.toString('hex')}=${p.value.toString('hex')}`);
    assert.equal(got.length, want.length, `store ${id} holds ${got.length} pairs, expected ${want.length}`);
    assert.deepEqual(got, want, `store ${id}`);
    assert.deepEqual(s.sim.store(id).applyFailures, []);
  }
}

test('clean import: ranges split and scattered, every store holds exactly the engine', async (t) => {
  const s = await setup(t);
  const stats = await importEngine(s.engine, s.clients, s.ts, FAST);
  assert.ok(stats.ranges > 5, `ranges ${stats.ranges}`);
  assert.ok(stats.newRegions >= stats.ranges - 1);
  assert.ok(s.sim.regions().length >= stats.ranges);
  assert.equal(stats.retries, 0);
  assertExact(s);
  for (const id of s.sim.storeIds) assert.ok(s.sim.data(id).every((p) => p.commitTs === s.ts));
});

const cases: { name: string; faults: Fault[]; minRetries?: number }[] = [
  { name: 'MultiIngest NotLeader with a hint', faults: [{ rpc: 'MultiIngest', nth: 2, error: { kind: 'notLeader', hint: true } }] },
  { name: 'MultiIngest NotLeader without a hint', faults: [{ rpc: 'MultiIngest', nth: 1, times: 2, error: { kind: 'notLeader', hint: false } }] },
  { name: 'MultiIngest EpochNotMatch with current_regions', faults: [{ rpc: 'MultiIngest', nth: 3, error: { kind: 'epochNotMatch' } }] },
  { name: 'MultiIngest EpochNotMatch without current_regions', faults: [{ rpc: 'MultiIngest', nth: 1, error: { kind: 'epochNotMatch', currentRegions: false } }] },
  { name: 'MultiIngest ServerIsBusy (burst of 4)', faults: [{ rpc: 'MultiIngest', nth: 2, times: 4, error: { kind: 'serverIsBusy', backoffMs: 5 } }], minRetries: 4 },
  { name: 'MultiIngest RegionNotFound', faults: [{ rpc: 'MultiIngest', nth: 4, error: { kind: 'regionNotFound' } }] },
  { name: 'MultiIngest KeyNotInRegion', faults: [{ rpc: 'MultiIngest', nth: 1, error: { kind: 'keyNotInRegion' } }] },
  { name: 'MultiIngest stale_command', faults: [{ rpc: 'MultiIngest', nth: 2, error: { kind: 'staleCommand' } }] },
  { name: 'MultiIngest raft proposal dropped / read index not ready', faults: [
    { rpc: 'MultiIngest', nth: 1, error: { kind: 'proposalDropped' } }, { rpc: 'MultiIngest', nth: 5, error: { kind: 'readIndexNotReady' } }] },
  { name: 'Write RequestTooNew (retry the same region)', faults: [
    { rpc: 'Write', nth: 2, error: { kind: 'grpc', code: grpc.status.UNKNOWN, message: 'RequestTooNew("request region 9 is ahead of local region")' } }] },
  { name: 'split behind the client\'s back during Write (RequestTooOld → rescan)', faults: [
    { rpc: 'Write', nth: 4, action: { kind: 'split', rawKeys: [pairs(1200)[1100]!.key, pairs(1200)[1150]!.key] } }] },
  { name: 'SplitRegion NotLeader with a hint, then ServerIsBusy', faults: [
    { rpc: 'SplitRegion', nth: 1, error: { kind: 'notLeader', hint: true } }, { rpc: 'SplitRegion', nth: 2, error: { kind: 'serverIsBusy' } }] },
  { name: 'SplitRegion EpochNotMatch (regions retried from a rescan)', faults: [{ rpc: 'SplitRegion', nth: 1, error: { kind: 'epochNotMatch' } }] },
  { name: 'Ingest UNAVAILABLE burst (gRPC-level, retried)', faults: [{ rpc: 'MultiIngest', nth: 2, times: 5, error: { kind: 'grpc', code: grpc.status.UNAVAILABLE, message: 'connection refused' } }], minRetries: 0 },
];

for (const c of cases) {
  test(`fault: ${c.name} → retried, exact data`, async (t) => {
    const s = await setup(t, c.faults);
    const stats = await importEngine(s.engine, s.clients, s.ts, FAST);
    assert.ok(s.sim.faults.log.length >= c.faults.length, `faults fired: ${s.sim.faults.log.length}`);
    // a split (SplitRegion) fault is retried inside the split step, every other error costs a job retry
    const jobFaults = c.faults.filter((f) => f.error && f.rpc !== 'SplitRegion').length;
    assert.ok(stats.retries >= (c.minRetries ?? Math.min(1, jobFaults)), `retries ${stats.retries}`);
    assertExact(s);
  });
}

test('fault: a follower store goes down during Write and comes back → exact data', async (t) => {
  const s = await setup(t);
  // down on its 3rd Write, back 300 ms later (timed from the fault, not from the test's start)
  s.sim.inject({ rpc: 'Write', store: 3, nth: 3, action: { kind: 'storeRestart', store: 3, afterMs: 300 } });
  const stats = await importEngine(s.engine, s.clients, s.ts, FAST);
  assert.ok(stats.retries > 0);
  assertExact(s);
});

test('fault: DiskFull is not retried (coded error); a second import with the same commit ts is exact (idempotent)', async (t) => {
  const s = await setup(t);
  s.sim.inject({ rpc: 'MultiIngest', nth: 6, error: { kind: 'diskFull' } });
  await assert.rejects(importEngine(s.engine, s.clients, s.ts, FAST),
    (e: unknown) => e instanceof LightningError && e.code === Codes.KVDiskFull && /disk is full/.test(e.message));
  const partial = s.sim.data(1).length;
  assert.ok(partial > 0 && partial < s.data.length, `partial import holds ${partial}`);
  await importEngine(s.engine, s.clients, s.ts, FAST);
  assertExact(s);
  // and once more: nothing doubles
  await importEngine(s.engine, s.clients, s.ts, FAST);
  assertExact(s);
});

test('retries are bounded: a region that never accepts ingest fails the import with the last error', async (t) => {
  const s = await setup(t, [], 100);
  s.sim.inject({ rpc: 'MultiIngest', times: 1000, error: { kind: 'serverIsBusy' } });
  await assert.rejects(importEngine(s.engine, s.clients, s.ts, { ...FAST, maxRetry: 3 }),
    (e: unknown) => e instanceof LightningError && e.code === Codes.KVServerIsBusy);
});
