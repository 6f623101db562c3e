// Faults during a whole import (protocol.md §10 item 17, §5.2, §5.5), driven by the Lightning-style job loop in
// job-runner.ts: seeded chaos is reproducible from its seed, and a split, a leader transfer and a store restart
// in the middle of an import leave exactly the source rows on every store.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { startSimCluster, type FaultError, type SimCluster } from './sim/index.js';
import { clientsFor, type Clients } from './helpers.js';
import { importPairs } from './job-runner.js';
import { encodeBytes, type KvPair } from '../../src/cluster/index.js';
import { recordKey } from '../../src/encode/tablecodec.js';
import { crc64Update } from '../../src/encode/crc64.js';

const N = 240;
const source: KvPair[] = Array.from({ length: N }, (_, i) => ({ key: recordKey(7, { int: i + 1 }), value: i % 5 === 0 ? Buffer.alloc(300, i) : Buffer.from(`v${i}`) }));

/** four regions with leaders spread over the stores */
async function presplit(sim: SimCluster, c: Clients): Promise<void> {
  const info = (await c.pd.getRegion(encodeBytes(Buffer.alloc(0))))!;
  const regions = await c.tikv(info.leader!.storeId).splitRegion(info.region, info.leader!, [60, 120, 180].map((i) => source[i]!.key));
  await c.pd.scatterRegions(regions.map((r) => r.id));
  assert.equal(sim.regions().length, 4);
}

function assertExactlySource(sim: SimCluster): void {
  for (const id of sim.storeIds) {
    const got = sim.data(id);
    assert.equal(got.length, N, `store ${id}`);
    got.forEach((x, i) => { assert.deepEqual(x.key, source[i]!.key); assert.deepEqual(x.value, source[i]!.value); });
    // one MVCC version per key: re-ingests of the same job did not add versions
    assert.equal([...sim.store(id).exportCf('write', Buffer.alloc(0), Buffer.alloc(0))].length, N);
  }
}

const CHAOS_ERRORS: FaultError[] = [
  { kind: 'notLeader', hint: true }, { kind: 'notLeader', hint: false }, { kind: 'epochNotMatch' }, { kind: 'epochNotMatch', currentRegions: false },
  { kind: 'serverIsBusy', backoffMs: 5 }, { kind: 'regionNotFound' }, { kind: 'readIndexNotReady' }, { kind: 'proposalDropped' },
  { kind: 'staleCommand' }, { kind: 'keyNotInRegion' },
  { kind: 'grpc', code: grpc.status.UNAVAILABLE, message: 'connection refused' },
  { kind: 'grpc', code: grpc.status.UNKNOWN, message: 'RequestTooNew("request region 1 is ahead of local region")' },
];

async function chaosRun(seed: number): Promise<{ log: string[]; sim: SimCluster; c: Clients }> {
  const sim = await startSimCluster({ stores: 3 });
  const c = await clientsFor(sim);
  await presplit(sim, c);
  sim.faults.setChaos({ seed, rate: 0.2, rpcs: ['ImportSST/Write', 'ImportSST/MultiIngest'], errors: CHAOS_ERRORS });
  await importPairs(c, source, await c.pd.getTS(), 60);
  return { log: sim.faults.log.map((x) => `${x.rpc}@${x.store}/${x.region}:${x.fault.error?.kind}`), sim, c };
}

test('seeded chaos over Write and MultiIngest: the import converges to exactly the source; the same seed gives the same fault sequence', async (t) => {
  const runs = [];
  for (const seed of [42, 42, 7]) {
    const r = await chaosRun(seed);
    t.after(async () => { r.c.close(); await r.sim.stop(); });
    assertExactlySource(r.sim);
    runs.push(r.log);
  }
  assert.ok(runs[0]!.length >= 10, `faults injected: ${runs[0]!.length}`);
  assert.deepEqual(runs[0], runs[1]);
  assert.notDeepEqual(runs[0], runs[2]);
  const kinds = new Set(runs.flat().map((l) => l.split(':').pop()));
  for (const k of ['notLeader', 'epochNotMatch', 'serverIsBusy', 'grpc']) assert.ok(kinds.has(k), `${k} in ${[...kinds]}`);
});

test('a split, a leader transfer and a store restart in the middle of an import: nothing lost or doubled, checksum matches', async (t) => {
  const sim = await startSimCluster({ stores: 3, testContext: t });
  const c = await clientsFor(sim);
  t.after(() => c.close());
  await presplit(sim, c);
  const second = sim.state.regionByKey(encodeBytes(source[90]!.key))!;
  const other = second.peers.find((p) => p.storeId !== second.leaderStoreId)!.storeId;
  sim.inject({ rpc: 'ImportSST/Write', nth: 4, action: { kind: 'split', rawKeys: [source[30]!.key, source[150]!.key] } });
  sim.inject({ rpc: 'ImportSST/MultiIngest', nth: 2, action: { kind: 'transferLeader', region: second.id, toStore: other } });
  sim.inject({ rpc: 'ImportSST/Write', nth: 9, action: { kind: 'storeRestart', store: 3, afterMs: 150 } });
  const stats = await importPairs(c, source, await c.pd.getTS(), 60);
  assert.ok(stats.errors.some((e) => /RequestTooOld|EpochNotMatch/.test(e)), stats.errors.join('\n'));
  assert.ok(stats.errors.some((e) => /UNAVAILABLE/.test(e)), stats.errors.join('\n'));
  assert.equal(sim.regions().length, 6);
  assertExactlySource(sim);
  const info = (await c.pd.getRegion(encodeBytes(source[0]!.key)))!;
  let sum = 0n, kvs = 0n;
  for (const r of await c.pd.scanRegionsAll(Buffer.alloc(0), Buffer.alloc(0))) {
    const x = await c.tikv(r.leader!.storeId).checksum(r.region, r.leader!, [{ start: recordKey(7, { int: 0 }), end: recordKey(8, { int: 0 }) }], await c.pd.getTS());
    sum ^= x.checksum; kvs += x.totalKvs;
  }
  assert.ok(info);
  assert.equal(kvs, BigInt(N));
  assert.equal(sum, source.reduce((x, p) => x ^ crc64Update(crc64Update(0n, p.key), p.value), 0n));
});
