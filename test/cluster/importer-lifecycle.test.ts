// tikv-importer conformance (protocol.md §7.2, §10 item 20) through the ImportKV client of src/cluster: the
// engine lifecycle, its error texts and transport (UNKNOWN + Debug text, engine_not_found as an OK response),
// and imports into the simulated cluster.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { grpcCodeOf, uuidString } from '../../src/cluster/index.js';
import { engineUuid, formatUuid } from '../../src/cluster/engine-uuid.js';
import { Codes, LightningError } from '../../src/errors.js';
import { startSimCluster } from './sim/index.js';
import type { ImporterServer } from '../../src/importer/index.js';
import { client, pair, startImporter, tempDir } from './importer-fixture.js';

const uuid = (n: number) => engineUuid('`db`.`t`', n);

/** rejects with a gRPC UNKNOWN whose message contains `text` */
const unknown = (text: string) => (e: unknown) => {
  assert.ok(e instanceof LightningError, String(e));
  assert.equal(grpcCodeOf(e), grpc.status.UNKNOWN, e.message);
  assert.ok(e.message.includes(text), `${e.message} should contain ${text}`);
  return true;
};

/** the OK-with-error.engine_not_found answer, which the client maps to "Engine '<uuid>' not found" */
const engineNotFound = (u: Buffer) => (e: unknown) => {
  assert.ok(e instanceof LightningError && e.code === Codes.Importer, String(e));
  assert.equal(grpcCodeOf(e), undefined, 'not a gRPC error');
  assert.match(e.message, new RegExp(`Engine '${uuidString(u)}' not found`));
  return true;
};

test('open is idempotent; the 9th open engine fails "Too many open engines"; closing frees a slot', async (t) => {
  const s = await startImporter(t, { dir: tempDir(t, 'imp-open-') });
  const c = client(t, s.addr);
  for (let i = 0; i < 8; i++) await c.openEngine(uuid(i));
  await c.openEngine(uuid(0));
  await Promise.all([c.openEngine(uuid(3)), c.openEngine(uuid(3))]);
  await assert.rejects(c.openEngine(uuid(8)), unknown('ResourceTemporarilyUnavailable("Too many open engines")'));
  await c.closeEngine(uuid(0));
  await c.openEngine(uuid(8));
  assert.equal(s.importer.openCount, 8);
});

test('max-open-engines is configurable', async (t) => {
  const s = await startImporter(t, { dir: tempDir(t, 'imp-max-'), extra: 'max-open-engines = 2\n' });
  const c = client(t, s.addr);
  await c.openEngine(uuid(0));
  await c.openEngine(uuid(1));
  await assert.rejects(c.openEngine(uuid(2)), unknown('Too many open engines'));
});

test('WriteEngine: head first, then only batches; unknown engine → error.engine_not_found with an OK status; V3', async (t) => {
  const s = await startImporter(t, { dir: tempDir(t, 'imp-write-') });
  const c = client(t, s.addr);
  const u = uuid(0);
  await c.openEngine(u);
  const noHead = c.stream();
  await noHead.write({ batch: { commit_ts: '5', mutations: [] } });
  await assert.rejects(noHead.finish(), unknown('InvalidChunk'));
  const twoHeads = c.stream();
  await twoHeads.write({ head: { uuid: u } });
  await twoHeads.write({ head: { uuid: u } });
  await assert.rejects(twoHeads.finish(), unknown('InvalidChunk'));
  await assert.rejects(c.stream().finish(), unknown('InvalidChunk'), 'an empty stream has no head either');

  const other = uuid(99);
  await assert.rejects(c.writeEngine(other, 5n, [pair('a', '1')]), engineNotFound(other));
  await assert.rejects(c.writeEngineV3(other, 5n, [pair('a', '1')]), engineNotFound(other));
  await assert.rejects(c.closeEngine(other), engineNotFound(other));
  await assert.rejects(c.writeEngine(u, 0n, [pair('a', '1')]), unknown('invalid commit-ts 0'));
  await assert.rejects(c.openEngine(Buffer.alloc(3)), unknown('InvalidProtoMessage'));

  await c.writeEngine(u, 5n, [pair('a', '1'), pair('c', '3')]);
  await c.writeEngineV3(u, 5n, [pair('b', '2')]);
  await c.closeEngine(u);
});

test('Close while a stream is bound → EngineInUse; Close twice and Open after Close → FileExists', async (t) => {
  const dir = tempDir(t, 'imp-close-');
  const s = await startImporter(t, { dir });
  const c = client(t, s.addr);
  const u = uuid(1);
  await c.openEngine(u);
  const w = c.stream();
  await w.write({ head: { uuid: u } });
  await w.write({ batch: { commit_ts: '7', mutations: [{ op: 'Put', key: Buffer.from('k'), value: Buffer.from('v') }] } });
  await waitFor(() => s.importer.openCount === 1 && streamsOf(s, u) === 1);
  await assert.rejects(c.closeEngine(u), unknown(`EngineInUse(${formatUuid(u)})`));
  await assert.rejects(c.cleanupEngine(u), unknown('EngineInUse'));
  assert.deepEqual(await w.finish(), { error: null });
  await c.closeEngine(u);
  assert.ok(existsSync(join(dir, formatUuid(u))), 'moved to <import-dir>/<uuid>');
  assert.ok(!existsSync(join(dir, '.temp', formatUuid(u))), 'gone from .temp');
  await assert.rejects(c.closeEngine(u), unknown(`FileExists(${JSON.stringify(join(dir, formatUuid(u)))})`));
  await assert.rejects(c.openEngine(u), unknown('FileExists'));
  await assert.rejects(c.writeEngine(u, 7n, [pair('x', 'y')]), engineNotFound(u), 'a closed engine takes no writes');
});

test('a stream cancelled by its client unbinds: the engine closes afterwards', async (t) => {
  const s = await startImporter(t, { dir: tempDir(t, 'imp-cancel-') });
  const c = client(t, s.addr);
  const u = uuid(2);
  await c.openEngine(u);
  const w = c.stream();
  await w.write({ head: { uuid: u } });
  await waitFor(() => streamsOf(s, u) === 1);
  w.cancel();
  await waitFor(() => streamsOf(s, u) === 0);
  await c.closeEngine(u);
});

test('Import: EngineInUse while open or importing; the data reaches every store; repeatable; Cleanup removes everything', async (t) => {
  const sim = await startSimCluster({ stores: 3, tidb: false, testContext: t, applyDelayMs: 150 });
  const dir = tempDir(t, 'imp-import-');
  const s = await startImporter(t, { dir });
  const c = client(t, s.addr);
  const u = uuid(3);
  await c.openEngine(u);
  const pairs = Array.from({ length: 500 }, (_, i) => pair(`t\x80k${String(i).padStart(4, '0')}`, i % 7 ? `v${i}` : 'L'.repeat(300 + i)));
  await Promise.all([c.writeEngine(u, 100n, pairs.slice(0, 250)), c.writeEngine(u, 100n, pairs.slice(250))]);
  await c.writeEngine(u, 200n, pairs.slice(0, 10)); // re-sent pairs: same values, the engine's commit ts
  await assert.rejects(c.importEngine(u, sim.pdAddr), unknown(`EngineInUse(${formatUuid(u)})`));
  await c.closeEngine(u);

  const first = c.importEngine(u, sim.pdAddr);
  await waitFor(() => s.importer.importing === 1);
  await assert.rejects(c.importEngine(u, sim.pdAddr), unknown('EngineInUse'));
  await assert.rejects(c.cleanupEngine(u), unknown('EngineInUse'));
  await first;
  const want = pairs.map((p) => `${p.key.toString('hex')}=${p.value.toString('hex')}@100`).sort();
  for (const id of sim.storeIds) {
    assert.deepEqual(sim.data(id).map((kv) => `${kv.key.toString('hex')}=${kv.value.toString('hex')}@${kv.commitTs}`).sort(), want, `store ${id}`);
  }
  await c.importEngine(u, sim.pdAddr);
  for (const id of sim.storeIds) assert.equal(sim.data(id).length, pairs.length, 'a repeated import lands as the same versions');

  await c.cleanupEngine(u);
  assert.deepEqual(readdirSync(dir).filter((f) => f !== '.temp'), []);
  assert.deepEqual(readdirSync(join(dir, '.temp')), []);
  await c.cleanupEngine(u); // absent: fine
  await assert.rejects(c.importEngine(u, sim.pdAddr), unknown('FileNotExists'));
  await c.openEngine(u); // a new engine under the same uuid
  await c.closeEngine(u);
});

test('SwitchMode and CompactCluster reach every store through PD; GetVersion; GetMetrics and the status port', async (t) => {
  const sim = await startSimCluster({ stores: 2, tidb: false, testContext: t });
  const s = await startImporter(t, { dir: tempDir(t, 'imp-misc-') });
  const c = client(t, s.addr);
  await c.switchMode(sim.pdAddr, 'Import');
  for (const id of sim.storeIds) assert.deepEqual(sim.store(id).modeHistory, ['Import']);
  await c.switchMode(sim.pdAddr, 'Normal');
  for (const id of sim.storeIds) assert.deepEqual(sim.store(id).modeHistory, ['Import', 'Normal']);
  await c.compactCluster(sim.pdAddr, { start: Buffer.from('t'), end: Buffer.from('u') });
  await assert.rejects(c.switchMode('127.0.0.1:1', 'Import'), unknown(''));
  assert.match((await c.getVersion()).version, /^\d+\.\d+\.\d+/);
  const prom = await c.getMetrics();
  assert.match(prom, /tikv_import_rpc_duration_count\{request="switch_mode",result="ok"\} 2/);
  assert.match(prom, /tikv_import_rpc_duration_count\{request="switch_mode",result="error"\} 1/);
  const res = await fetch(`http://${s.statusAddr}/metrics`);
  assert.equal(res.status, 200);
  assert.match(await res.text(), /tikv_import_rpc_duration_count\{request="get_metrics",result="ok"\} 1/);
});

test('acknowledged writes survive a server that goes away without stopping: the engine reopens from .temp', async (t) => {
  const sim = await startSimCluster({ stores: 1, tidb: false, testContext: t });
  const dir = tempDir(t, 'imp-restart-');
  const s1 = await startImporter(t, { dir });
  const c1 = client(t, s1.addr);
  const u = uuid(4);
  await c1.openEngine(u);
  await c1.writeEngine(u, 300n, [pair('t\x80a', '1'), pair('t\x80b', '2')]);
  // a second server over the same directory, as after kill -9 of the first (acknowledged means fsynced)
  const s2 = await startImporter(t, { dir });
  const c2 = client(t, s2.addr);
  await assert.rejects(c2.writeEngine(u, 300n, [pair('t\x80c', '3')]), engineNotFound(u), 'open engines are not open in a new process');
  await c2.openEngine(u);
  await c2.writeEngine(u, 301n, [pair('t\x80c', '3')]);
  await c2.closeEngine(u);
  await c2.importEngine(u, sim.pdAddr);
  assert.deepEqual(sim.data(sim.storeIds[0]!).map((kv) => `${kv.key.toString()}=${kv.value}@${kv.commitTs}`),
    ['t\x80a=1@300', 't\x80b=2@300', 't\x80c=3@300']);
});

const streamsOf = (s: ImporterServer, u: Buffer): number => s.importer.streamsOf(u) ?? -1;

async function waitFor(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 10));
  }
}
