// ImportSST conformance through ImportSstClient (protocol.md §4, §10 items 10–13, 17), with each injected error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { startSimCluster, type SimCluster } from './sim/index.js';
import { clientsFor, kv, sstMeta, writeAllPeers, type Clients } from './helpers.js';
import { RegionError, grpcCodeOf, regionContext, encodeBytes, type RegionInfo } from '../../src/cluster/index.js';
import { Codes, LightningError } from '../../src/errors.js';
import type { TestContext } from 'node:test';

async function setup(t: TestContext, stores = 3): Promise<{ sim: SimCluster; c: Clients; info: RegionInfo; ts: bigint }> {
  const sim = await startSimCluster({ stores, testContext: t });
  const c = await clientsFor(sim);
  t.after(() => c.close());
  const info = (await c.pd.getRegion(encodeBytes(Buffer.from('a'))))!;
  return { sim, c, info, ts: await c.pd.getTS() };
}
const isRegionErr = (code: string, extra: (e: RegionError) => boolean = () => true) =>
  (e: unknown) => e instanceof RegionError && e.code === code && extra(e);

test('SwitchMode/GetMode per store, history kept', async (t) => {
  const { sim, c } = await setup(t);
  for (const id of sim.storeIds) await c.sst(id).switchMode('Import');
  assert.equal(await c.sst(1).getMode(), 'Import');
  await c.sst(1).switchMode('Normal');
  assert.equal(await c.sst(1).getMode(), 'Normal');
  assert.deepEqual(sim.store(1).modeHistory, ['Import', 'Normal']);
  assert.equal(sim.store(2).mode, 'Import');
});

test('Write: short values → one write-CF meta; long values → default then write; meta copied with cf_name', async (t) => {
  const { c, info, ts, sim } = await setup(t);
  const leader = info.leader!.storeId;
  const meta = sstMeta(info, [kv('a', 'x')]);
  const w = await c.sst(leader).write(meta);
  await w.writeBatch(ts, [kv('a', 'short'), kv('b', Buffer.alloc(300, 7))]);
  await w.writeBatch(ts, [{ ...kv('c', ''), op: 'Delete' }]);
  const metas = await w.close();
  assert.deepEqual(metas.map((m) => m.cf_name), ['default', 'write']);
  assert.deepEqual(metas[0]!.uuid, meta.uuid);
  assert.equal(Number(metas[1]!.region_id), info.region.id);
  assert.equal(sim.store(leader).files.size, 2);
  const w2 = await c.sst(leader).write(sstMeta(info, [kv('a', 'x')]));
  await w2.writeBatch(ts, [kv('a', 'short')]);
  assert.deepEqual((await w2.close()).map((m) => m.cf_name), ['write']);
});

test('Write errors: first message not meta → InvalidChunk; commit_ts 0; keys not ascending; RequestTooNew / RequestTooOld', async (t) => {
  const { c, info, ts, sim } = await setup(t);
  const leader = info.leader!.storeId;
  const unknownWith = (re: RegExp) => (e: unknown) => e instanceof LightningError && e.code === Codes.KVWriteFailed &&
    grpcCodeOf(e) === grpc.status.UNKNOWN && re.test(e.message);
  // batch first
  const raw = c.sst(leader) as unknown as { clientStream(n: string): { write(r: object): Promise<void>; finish(): Promise<unknown> } };
  const s = raw.clientStream('Write');
  await s.write({ batch: { commit_ts: 1, pairs: [] } });
  await assert.rejects(s.finish(), /InvalidChunk/);

  const w0 = await c.sst(leader).write(sstMeta(info, [kv('a', '')]));
  await w0.writeBatch(0n, [kv('a', '1')]).catch(() => undefined);
  await assert.rejects(w0.close(), unknownWith(/BadFormat\("invalid commit-ts 0"\)/));

  const w1 = await c.sst(leader).write(sstMeta(info, [kv('a', '')]));
  await w1.writeBatch(ts, [kv('b', '1'), kv('a', '2')]).catch(() => undefined);
  await assert.rejects(w1.close(), (e: unknown) => unknownWith(/Keys must be added in strict ascending order/)(e) && !(e as LightningError).retryable);

  const ahead = sstMeta(info, [kv('a', '')]);
  ahead.region_epoch = { conf_ver: info.region.epoch.confVer, version: info.region.epoch.version + 1 };
  const w2 = await c.sst(leader).write(ahead);
  await assert.rejects(w2.close(), (e: unknown) => unknownWith(/RequestTooNew\("request region \d+ is ahead of local region/)(e) && (e as LightningError).retryable);

  await sim.act({ kind: 'split', rawKeys: [Buffer.from('m')] });
  const w3 = await c.sst(leader).write(sstMeta(info, [kv('a', '')]));
  await assert.rejects(w3.close(), unknownWith(/RequestTooOld\("request region \d+ is staler than local region/));
});

test('MultiIngest at the leader lands on every peer; a second ingest of the same metas → stale_command', async (t) => {
  const { sim, c, info, ts } = await setup(t);
  const pairs = [kv('a', '1'), kv('b', Buffer.alloc(400, 1)), kv('c', '3')];
  const metas = await writeAllPeers(c, info, pairs, ts);
  assert.equal(metas.length, 2);
  const ctx = regionContext(info.region, info.leader!);
  await c.sst(info.leader!.storeId).multiIngest(ctx, metas);
  for (const id of sim.storeIds) {
    const d = sim.data(id);
    assert.deepEqual(d.map((x) => x.key.toString()), ['a', 'b', 'c']);
    assert.equal(d[1]!.value.length, 400);
    assert.equal(d[0]!.commitTs, ts);
    assert.equal(sim.store(id).files.size, 0);
  }
  await assert.rejects(c.sst(info.leader!.storeId).multiIngest(ctx, metas),
    isRegionErr(Codes.KVIngestFailed, (e) => !!e.regionError.stale_command && /The file which would be ingested doest not exist\./.test(e.message)));
});

test('Ingest (single SST) works too; data below the snapshot ts is invisible', async (t) => {
  const { sim, c, info, ts } = await setup(t);
  const [meta] = await writeAllPeers(c, info, [kv('k', 'v')], ts);
  await c.sst(info.leader!.storeId).ingest(regionContext(info.region, info.leader!), meta!);
  assert.equal(sim.data(1).length, 1);
  assert.equal(sim.data(1, ts - 1n).length, 0);
});

test('empty MultiIngest probe succeeds; write-stall fault → server_is_busy', async (t) => {
  const { sim, c } = await setup(t);
  await c.sst(1).multiIngest();
  sim.inject({ rpc: 'MultiIngest', store: 1, error: { kind: 'serverIsBusy', reason: 'too many sst files are ingesting' } });
  await assert.rejects(c.sst(1).multiIngest(), isRegionErr(Codes.KVServerIsBusy, (e) => e.regionError.server_is_busy?.reason === 'too many sst files are ingesting'));
  await c.sst(1).multiIngest();
});

test('ingest at a follower → not_leader with the leader as hint', async (t) => {
  const { c, info, ts } = await setup(t);
  const metas = await writeAllPeers(c, info, [kv('a', '1')], ts);
  const follower = info.region.peers.find((p) => p.storeId !== info.leader!.storeId)!;
  await assert.rejects(c.sst(follower.storeId).multiIngest(regionContext(info.region, follower), metas),
    isRegionErr(Codes.KVNotLeader, (e) => e.leaderHint?.storeId === info.leader!.storeId && /peer is not leader for region/.test(e.message)));
});

test('split behind the client\'s back → epoch_not_match with current regions covering the SSTs', async (t) => {
  const { sim, c, info, ts } = await setup(t);
  const metas = await writeAllPeers(c, info, [kv('a', '1'), kv('z', '2')], ts);
  await sim.act({ kind: 'split', rawKeys: [Buffer.from('m')] });
  await assert.rejects(c.sst(info.leader!.storeId).multiIngest(regionContext(info.region, info.leader!), metas),
    isRegionErr(Codes.KVEpochNotMatch, (e) => e.currentRegions.length === 2 && e.currentRegions.every((r) => r.epoch.version === 2)));
});

test('split triggered by the nth Write call (fault action) → Write sees RequestTooOld at later peers', async (t) => {
  const { sim, c, info, ts } = await setup(t);
  sim.inject({ rpc: 'ImportSST/Write', nth: 2, action: { kind: 'split', rawKeys: [Buffer.from('m')] } });
  await assert.rejects(writeAllPeers(c, info, [kv('a', '1')], ts), /RequestTooOld/);
});

test('SST epoch older than the region at apply (conf_ver) → epoch_not_match; range outside region → key_not_in_region', async (t) => {
  const { sim, c, info, ts } = await setup(t);
  const metas = await writeAllPeers(c, info, [kv('a', '1')], ts);
  sim.state.regionById(info.region.id)!.epoch.confVer++;
  await assert.rejects(c.sst(info.leader!.storeId).multiIngest(regionContext(info.region, info.leader!), metas),
    isRegionErr(Codes.KVEpochNotMatch, (e) => /EpochNotMatch conf_ver: 1 version: 1 != conf_ver: 2 version: 1/.test(e.message)));
  sim.state.regionById(info.region.id)!.epoch.confVer--;
  // after a split, an SST whose declared range runs past the region end fails the apply-time range check
  await sim.act({ kind: 'split', rawKeys: [Buffer.from('m')] });
  const left = (await c.pd.getRegion(encodeBytes(Buffer.from('a'))))!;
  const metas2 = await writeAllPeers(c, left, [kv('a', '1')], ts, { rangeEnd: Buffer.from('z') });
  await assert.rejects(c.sst(left.leader!.storeId).multiIngest(regionContext(left.region, left.leader!), metas2),
    isRegionErr(Codes.KVKeyNotInRegion, (e) => !!e.regionError.key_not_in_region && /is not in region key range/.test(e.message)));
});

test('ingest at a store that does not host the region → region_not_found', async (t) => {
  const { c, info, ts } = await setup(t, 4);
  const metas = await writeAllPeers(c, info, [kv('a', '1')], ts);
  assert.ok(!info.region.peers.some((p) => p.storeId === 4));
  await assert.rejects(c.sst(4).multiIngest(regionContext(info.region, info.leader!), metas),
    isRegionErr(Codes.KVRegionNotFound, (e) => /region \d+ not found/.test(e.message)));
});

test('a follower that never got the file cannot apply (recorded); the others have the data', async (t) => {
  const { sim, c, info, ts } = await setup(t);
  const follower = info.region.peers.find((p) => p.storeId !== info.leader!.storeId)!;
  const metas = await writeAllPeers(c, info, [kv('a', '1')], ts, { skipStore: follower.storeId });
  await c.sst(info.leader!.storeId).multiIngest(regionContext(info.region, info.leader!), metas);
  assert.equal(sim.data(follower.storeId).length, 0);
  assert.equal(sim.store(follower.storeId).applyFailures.length, 1);
  assert.equal(sim.data(info.leader!.storeId).length, 1);
});

test('injected ingest errors: notLeader with/without hint, epochNotMatch with/without regions, busy burst, regionNotFound, keyNotInRegion, readIndexNotReady, proposal dropped, diskFull', async (t) => {
  const { sim, c, info, ts } = await setup(t);
  const metas = await writeAllPeers(c, info, [kv('a', '1')], ts);
  const leader = info.leader!.storeId;
  const ingest = () => c.sst(leader).multiIngest(regionContext(info.region, info.leader!), metas);
  const cases: [Parameters<SimCluster['inject']>[0]['error'], (e: unknown) => boolean][] = [
    [{ kind: 'notLeader', hint: false }, isRegionErr(Codes.KVNotLeader, (e) => e.leaderHint === undefined)],
    [{ kind: 'epochNotMatch', currentRegions: true }, isRegionErr(Codes.KVEpochNotMatch, (e) => e.currentRegions.length === 1)],
    [{ kind: 'epochNotMatch', currentRegions: false }, isRegionErr(Codes.KVEpochNotMatch, (e) => e.currentRegions.length === 0)],
    [{ kind: 'regionNotFound' }, isRegionErr(Codes.KVRegionNotFound)],
    [{ kind: 'keyNotInRegion' }, isRegionErr(Codes.KVKeyNotInRegion)],
    [{ kind: 'staleCommand' }, isRegionErr(Codes.KVIngestFailed)],
    [{ kind: 'readIndexNotReady' }, isRegionErr(Codes.KVReadIndexNotReady)],
    [{ kind: 'proposalDropped' }, isRegionErr(Codes.KVRaftProposalDropped)],
    [{ kind: 'diskFull' }, isRegionErr(Codes.KVDiskFull, (e) => !e.retryable)],
  ];
  for (const [error, check] of cases) {
    sim.inject({ rpc: 'MultiIngest', region: info.region.id, error });
    await assert.rejects(ingest(), check, error!.kind);
  }
  // a burst of three busy answers, then success
  sim.inject({ rpc: 'MultiIngest', times: 3, error: { kind: 'serverIsBusy', backoffMs: 100 } });
  for (let i = 0; i < 3; i++) await assert.rejects(ingest(), isRegionErr(Codes.KVServerIsBusy, (e) => e.regionError.server_is_busy?.backoff_ms === '100'));
  await ingest();
  assert.equal(sim.data(leader).length, 1);
  assert.equal(sim.faults.log.length, 12);
});

test('injected NotLeader with hint moves the leader; retrying at the hinted store succeeds', async (t) => {
  const { sim, c, info, ts } = await setup(t);
  const metas = await writeAllPeers(c, info, [kv('a', '1')], ts);
  sim.inject({ rpc: 'MultiIngest', error: { kind: 'notLeader', hint: true } });
  const e = await c.sst(info.leader!.storeId).multiIngest(regionContext(info.region, info.leader!), metas).catch((x: unknown) => x);
  assert.ok(e instanceof RegionError && e.leaderHint);
  assert.notEqual(e.leaderHint.storeId, info.leader!.storeId);
  await c.sst(e.leaderHint.storeId).multiIngest(regionContext(info.region, e.leaderHint), metas);
  assert.equal(sim.data(info.leader!.storeId).length, 1);
});

test('injected Write faults: RequestTooNew / DiskSpaceNotEnough as gRPC Unknown', async (t) => {
  const { sim, c, info, ts } = await setup(t);
  sim.inject({ rpc: 'Write', error: { kind: 'grpc', code: grpc.status.UNKNOWN, message: 'RequestTooNew("request region 1 is ahead of local region")' } });
  await assert.rejects(writeAllPeers(c, info, [kv('a', '1')], ts), (e: unknown) => e instanceof LightningError && e.retryable && /RequestTooNew/.test(e.message));
  sim.inject({ rpc: 'Write', error: { kind: 'grpc', code: grpc.status.UNKNOWN, message: 'DiskSpaceNotEnough' } });
  await assert.rejects(writeAllPeers(c, info, [kv('a', '1')], ts), (e: unknown) => e instanceof LightningError && !e.retryable);
  sim.inject({ rpc: 'Write', error: { kind: 'serverIsBusy' } });
  await assert.rejects(writeAllPeers(c, info, [kv('a', '1')], ts), /resp error/);
});

test('store down → Unavailable (retryable); store up → served again, data kept', async (t) => {
  const { sim, c, info, ts } = await setup(t);
  const metas = await writeAllPeers(c, info, [kv('a', '1')], ts);
  const leader = info.leader!.storeId;
  await sim.act({ kind: 'storeDown', store: leader });
  await assert.rejects(c.sst(leader).getMode(), (e: unknown) => grpcCodeOf(e) === grpc.status.UNAVAILABLE && (e as LightningError).retryable);
  await sim.act({ kind: 'storeUp', store: leader });
  // the channel reconnects with backoff: retry like the local backend does
  for (let i = 0; ; i++) {
    try { await c.sst(leader).multiIngest(regionContext(info.region, info.leader!), metas); break; } catch (e) {
      if (i > 40 || grpcCodeOf(e) !== grpc.status.UNAVAILABLE) throw e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  assert.equal(sim.data(leader).length, 1);
});

test('Compact answers empty success; slow store (delay fault)', async (t) => {
  const { sim, c } = await setup(t);
  await c.sst(1).compact({ start: Buffer.alloc(0), end: Buffer.alloc(0) });
  sim.inject({ rpc: 'Compact', store: 1, error: { kind: 'delay', ms: 120 } });
  const t0 = performance.now();
  await c.sst(1).compact();
  assert.ok(performance.now() - t0 >= 110);
});

test('ingest check order (§4.4): not hosted > not leader > version > missing file; Ingest reports the same errors as MultiIngest', async (t) => {
  const { sim, c, info, ts } = await setup(t, 4);
  const leader = info.leader!;
  const follower = info.region.peers.find((p) => p.storeId !== leader.storeId)!;
  const gone = sstMeta(info, [kv('a', '1')]); // never written anywhere
  gone.cf_name = 'write';
  const stale = { ...info.region, epoch: { ...info.region.epoch, version: 0 } };
  await assert.rejects(c.sst(4).ingest(regionContext(info.region, leader), gone), isRegionErr(Codes.KVRegionNotFound));
  await assert.rejects(c.sst(follower.storeId).ingest(regionContext(stale, follower), gone), isRegionErr(Codes.KVNotLeader));
  await assert.rejects(c.sst(leader.storeId).ingest(regionContext(stale, leader), gone), isRegionErr(Codes.KVEpochNotMatch));
  await assert.rejects(c.sst(leader.storeId).ingest(regionContext(info.region, leader), gone),
    isRegionErr(Codes.KVIngestFailed, (e) => !!e.regionError.stale_command));
  sim.inject({ rpc: 'ImportSST/Ingest', error: { kind: 'notLeader', hint: false } });
  const [meta] = await writeAllPeers(c, info, [kv('a', '1')], ts);
  await assert.rejects(c.sst(leader.storeId).ingest(regionContext(info.region, leader), meta!), isRegionErr(Codes.KVNotLeader, (e) => !e.leaderHint));
  await c.sst(leader.storeId).ingest(regionContext(info.region, leader), meta!);
  // Write to a store without a peer of the region: RequestTooOld("region … is not found")
  const w = await c.sst(4).write(sstMeta(info, [kv('a', '1')]));
  await assert.rejects(w.close(), /RequestTooOld\("region \d+ is not found"\)/);
});
