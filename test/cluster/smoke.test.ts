import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSimCluster } from './sim/index.js';
import { clientsFor, kv, writeAllPeers } from './helpers.js';
import { regionContext } from '../../src/cluster/index.js';

test('smoke: write to all peers, ingest at leader, checksum', async (t) => {
  const t0 = performance.now();
  const sim = await startSimCluster({ stores: 3, testContext: t });
  assert.ok(performance.now() - t0 < 2000);
  const c = await clientsFor(sim);
  t.after(() => c.close());
  const ts = await c.pd.getTS();
  const [info] = await c.pd.scanRegions(Buffer.alloc(0), Buffer.alloc(0), 128);
  const pairs = [kv('a', '1'), kv('b', '2')];
  const metas = await writeAllPeers(c, info!, pairs, ts);
  assert.equal(metas.length, 1);
  await c.sst(info!.leader!.storeId).multiIngest(regionContext(info!.region, info!.leader!), metas);
  for (const id of sim.storeIds) assert.equal(sim.data(id).length, 2);
  const sum = await c.tikv(info!.leader!.storeId).checksum(info!.region, info!.leader!, [{ start: Buffer.from('a'), end: Buffer.from('z') }], await c.pd.getTS());
  assert.equal(sum.totalKvs, 2n);
});
