// ImportSST/Download with RewriteRule key rewriting (seed 004: BR restores a backup into new table ids by
// rewriting the encoded key prefix inside TiKV) and the legacy Upload stream, through the src/cluster client.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimCluster, type SimCluster } from './sim/index.js';
import { writeSimSst, encodeSimSst } from './sim/kv/sim-sst.js';
import { dataKey, encodeWrite } from './sim/mvcc.js';
import { clientsFor, kv, writeAllPeers, type Clients } from './helpers.js';
import { encodeBytes, regionContext, type RegionInfo, type pb } from '../../src/cluster/index.js';
import { RpcClient } from '../../src/cluster/rpc.js';
import { recordKey } from '../../src/encode/tablecodec.js';
import { crc64Update } from '../../src/encode/crc64.js';
import { Codes, LightningError } from '../../src/errors.js';

const rowKey = (table: number, h: number) => recordKey(table, { int: h });
const recordPrefix = (table: number) => rowKey(table, 0).subarray(0, 11);

/** BR's encodeKeyPrefix: whole 8-byte groups memcomparable-encoded, the remainder raw (a prefix of every encoded key) */
function encodeKeyPrefix(key: Buffer): Buffer {
  const ungrouped = key.length % 8;
  const enc = encodeBytes(key.subarray(0, key.length - ungrouped));
  return Buffer.concat([enc.subarray(0, enc.length - 9), key.subarray(key.length - ungrouped)]);
}

interface Env { sim: SimCluster; c: Clients; info: RegionInfo; dir: string; ts: bigint; rows: { key: Buffer; value: Buffer }[] }

/** imports table 5, then backs its two CFs up from the leader like BR (files backup_write.sst / backup_default.sst) */
async function setup(t: TestContext): Promise<Env> {
  const sim = await startSimCluster({ stores: 3, testContext: t });
  const c = await clientsFor(sim);
  t.after(() => c.close());
  const dir = mkdtempSync(join(tmpdir(), 'sim-backup-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const info = (await c.pd.getRegion(encodeBytes(Buffer.alloc(0))))!;
  const ts = await c.pd.getTS();
  const rows = Array.from({ length: 20 }, (_, i) => ({ key: rowKey(5, i + 1), value: i % 4 === 0 ? Buffer.alloc(300, i) : Buffer.from(`row ${i}`) }));
  await c.sst(info.leader!.storeId).multiIngest(regionContext(info.region, info.leader!), await writeAllPeers(c, info, rows, ts));
  const leader = sim.store(info.leader!.storeId);
  for (const cf of ['write', 'default'] as const) writeSimSst(join(dir, `backup_${cf}.sst`), leader.exportCf(cf, recordPrefix(5), recordPrefix(6)));
  return { sim, c, info, dir, ts, rows };
}

function downloadReq(e: Env, cf: 'write' | 'default', uuid: Buffer, rule: pb.RewriteRulePb, range?: pb.RangePb): pb.DownloadRequestPb {
  return {
    sst: {
      uuid, cf_name: cf, region_id: e.info.region.id, region_epoch: { conf_ver: e.info.region.epoch.confVer, version: e.info.region.epoch.version },
      range: range ?? { start: encodeBytes(recordPrefix(9)), end: encodeBytes(recordPrefix(10)) }, end_key_exclusive: !range,
    },
    name: `backup_${cf}.sst`, storage_backend: { local: { path: e.dir } }, rewrite_rule: rule,
  };
}

/** Download on every peer (as BR does), then MultiIngest the leader's metas */
async function restore(e: Env, rule: pb.RewriteRulePb, range?: pb.RangePb): Promise<pb.DownloadResponsePb[]> {
  const uuid = Buffer.alloc(16, Math.floor(Math.random() * 255));
  let metas: pb.SSTMetaPb[] = [];
  let resps: pb.DownloadResponsePb[] = [];
  for (const p of e.info.region.peers) {
    const rs = [await e.c.sst(p.storeId).download(downloadReq(e, 'default', uuid, rule, range)), await e.c.sst(p.storeId).download(downloadReq(e, 'write', uuid, rule, range))];
    if (p.storeId === e.info.leader!.storeId) { resps = rs; metas = rs.filter((r) => !r.is_empty).flatMap((r) => r.ssts ?? []); }
  }
  if (metas.length > 0) await e.c.sst(e.info.leader!.storeId).multiIngest(regionContext(e.info.region, e.info.leader!), metas);
  return resps;
}

/** a whole table's records in the new key space, end inclusive */
const tableRange = (table: number): pb.RangePb => ({ start: encodeBytes(recordPrefix(table)), end: encodeBytes(rowKey(table, 1000)) });

const rule = (from: number, to: number, extra: Partial<pb.RewriteRulePb> = {}): pb.RewriteRulePb =>
  ({ old_key_prefix: encodeKeyPrefix(recordPrefix(from)), new_key_prefix: encodeKeyPrefix(recordPrefix(to)), ...extra });

test('Download rewrites t5 → t9 on every peer; ingest makes the rows visible under the new table id with the same values', async (t) => {
  const e = await setup(t);
  const [def, write] = await restore(e, rule(5, 9));
  assert.equal(write!.is_empty, false);
  // range: the first and last rewritten keys, encoded, end inclusive
  assert.deepEqual(write!.range?.start, encodeBytes(rowKey(9, 1)));
  assert.deepEqual(write!.range?.end, encodeBytes(rowKey(9, 20)));
  assert.equal(write!.ssts?.[0]?.cf_name, 'write');
  assert.ok(Number(write!.length) > 0 && def!.ssts?.[0]?.cf_name === 'default');
  for (const id of e.sim.storeIds) {
    const t9 = e.sim.data(id).filter((x) => x.key.subarray(0, 9).equals(rowKey(9, 0).subarray(0, 9)));
    assert.deepEqual(t9.map((x) => [x.key, x.value, x.commitTs]), e.rows.map((r, i) => [rowKey(9, i + 1), r.value, e.ts]));
    assert.equal(e.sim.data(id).length, 40); // the t5 rows are still there
  }
  // the coprocessor checksum of the restored table equals one computed from the source rows with the new keys
  const sum = await e.c.tikv(e.info.leader!.storeId).checksum(e.info.region, e.info.leader!, [{ start: recordPrefix(9), end: recordPrefix(10) }], await e.c.pd.getTS());
  const want = e.rows.reduce((x, r, i) => x ^ crc64Update(crc64Update(0n, rowKey(9, i + 1)), r.value), 0n);
  assert.deepEqual(sum, { checksum: want, totalKvs: 20n, totalBytes: BigInt(e.rows.reduce((n, r) => n + 19 + r.value.length, 0)) });
});

test('Download honours the range (new key space), new_timestamp and ignore_before/after_timestamp; nothing in range → is_empty', async (t) => {
  const e = await setup(t);
  const part = { start: encodeBytes(rowKey(9, 5)), end: encodeBytes(rowKey(9, 8)) };
  const [, w] = await restore(e, rule(5, 9), part);
  assert.deepEqual([w!.range?.start, w!.range?.end], [part.start, part.end]);
  assert.deepEqual(e.sim.data(1).filter((x) => x.key.subarray(0, 9).equals(rowKey(9, 0).subarray(0, 9))).map((x) => x.key), [5, 6, 7, 8].map((h) => rowKey(9, h)));

  const ts2 = await e.c.pd.getTS();
  await restore(e, rule(5, 11, { new_timestamp: ts2.toString() }), tableRange(11));
  const t11 = (ts: bigint) => e.sim.data(1, ts).filter((x) => x.key.subarray(0, 9).equals(rowKey(11, 0).subarray(0, 9)));
  assert.equal(t11(ts2).length, 20);
  assert.ok(t11(ts2).every((x) => x.commitTs === ts2));
  assert.equal(t11(ts2 - 1n).length, 0);
  // the long values (default CF) follow the re-stamped write records
  assert.equal(t11(ts2)[0]!.value.length, 300);

  const skipped = await restore(e, rule(5, 12, { ignore_after_timestamp: (e.ts - 1n).toString() }), tableRange(12));
  assert.ok(skipped.every((r) => r.is_empty));
  const kept = await restore(e, rule(5, 12, { ignore_before_timestamp: e.ts.toString() }), tableRange(12));
  assert.equal(kept[1]!.is_empty, false);
});

test('Download errors travel in DownloadResponse.error: wrong key prefix, missing file, no storage backend', async (t) => {
  const e = await setup(t);
  const s = e.c.sst(e.info.leader!.storeId);
  const isErr = (re: RegExp) => (x: unknown) => x instanceof LightningError && x.code === Codes.KVRpc && re.test(x.message);
  await assert.rejects(s.download(downloadReq(e, 'write', Buffer.alloc(16, 1), rule(7, 9))), isErr(/WrongKeyPrefix \{ what: "Key in SST"/));
  await assert.rejects(s.download({ ...downloadReq(e, 'write', Buffer.alloc(16, 1), rule(5, 9)), name: 'nope.sst' }), isErr(/NotFound.*nope\.sst/));
  await assert.rejects(s.download({ ...downloadReq(e, 'write', Buffer.alloc(16, 1), rule(5, 9)), storage_backend: { noop: {} } }), isErr(/storage backend/));
  e.sim.inject({ rpc: 'Download', error: { kind: 'serverIsBusy' } });
  await assert.rejects(s.download(downloadReq(e, 'write', Buffer.alloc(16, 1), rule(5, 9))), (x: unknown) => x instanceof LightningError && x.retryable);
});

class UploadClient extends RpcClient {
  upload(meta: pb.SSTMetaPb, data: Buffer) {
    const call = this.clientStream<object, object>('Upload');
    return call.write({ meta }).then(() => call.write({ data: data.subarray(0, 10) })).then(() => call.write({ data: data.subarray(10) })).then(() => call.finish());
  }
}

test('Upload (legacy): meta then the file bytes in chunks; the file ingests like a written one; a non-SST body is refused', async (t) => {
  const sim = await startSimCluster({ stores: 3, testContext: t });
  const c = await clientsFor(sim);
  t.after(() => c.close());
  const info = (await c.pd.getRegion(encodeBytes(Buffer.alloc(0))))!;
  const ts = await c.pd.getTS();
  const body = encodeSimSst([kv('a', '1'), kv('b', '2')].map((p) => ({ key: dataKey(p.key, ts), value: encodeWrite('P', ts, p.value) })));
  const meta: pb.SSTMetaPb = {
    uuid: Buffer.alloc(16, 3), cf_name: 'write', region_id: info.region.id, range: { start: encodeBytes(Buffer.from('a')), end: encodeBytes(Buffer.from('b')) },
    region_epoch: { conf_ver: info.region.epoch.confVer, version: info.region.epoch.version },
  };
  const clients = sim.storeAddrs.map((addr) => new UploadClient(addr, 'import_sstpb.ImportSST', Codes.KVRpc));
  t.after(() => clients.forEach((x) => x.close()));
  for (const u of clients) await u.upload(meta, body);
  await c.sst(info.leader!.storeId).multiIngest(regionContext(info.region, info.leader!), [meta]);
  for (const id of sim.storeIds) assert.deepEqual(sim.data(id).map((x) => x.key.toString()), ['a', 'b']);
  await assert.rejects(clients[0]!.upload(meta, Buffer.from('garbage bytes here')), /not a simulator SST/);
});
