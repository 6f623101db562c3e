// A grpc-js client whose message types are built here in code from the public kvproto field numbers (the
// reference's tables), independent of proto/ and src/cluster, talking to the simulator.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { startSimCluster } from './sim/index.js';

const { Type, Field, Root } = protobuf;
const root = new Root();
const msg = (name: string, fields: [string, number, string, ('repeated' | undefined)?][]) => {
  const t = new Type(name);
  for (const [n, id, type, rule] of fields) t.add(new Field(n, id, type, rule));
  root.add(t);
  return t;
};
msg('Epoch', [['conf_ver', 1, 'uint64'], ['version', 2, 'uint64']]);
msg('Peer', [['id', 1, 'uint64'], ['store_id', 2, 'uint64']]);
msg('Region', [['id', 1, 'uint64'], ['start_key', 2, 'bytes'], ['end_key', 3, 'bytes'], ['region_epoch', 4, 'Epoch'], ['peers', 5, 'Peer', 'repeated']]);
msg('ReqHeader', [['cluster_id', 1, 'uint64']]);
msg('PdError', [['type', 1, 'int32'], ['message', 2, 'string']]);
msg('RespHeader', [['cluster_id', 1, 'uint64'], ['error', 2, 'PdError']]);
msg('Member', [['name', 1, 'string'], ['client_urls', 4, 'string', 'repeated']]);
const GetMembersReq = msg('GetMembersReq', [['header', 1, 'ReqHeader']]);
const GetMembersResp = msg('GetMembersResp', [['header', 1, 'RespHeader'], ['leader', 3, 'Member']]);
const GetRegionReq = msg('GetRegionReq', [['header', 1, 'ReqHeader'], ['region_key', 2, 'bytes']]);
const GetRegionResp = msg('GetRegionResp', [['header', 1, 'RespHeader'], ['region', 2, 'Region'], ['leader', 3, 'Peer']]);
const TsoReq = msg('TsoReq', [['header', 1, 'ReqHeader'], ['count', 2, 'uint32']]);
msg('Timestamp', [['physical', 1, 'int64'], ['logical', 2, 'int64']]);
const TsoResp = msg('TsoResp', [['header', 1, 'RespHeader'], ['count', 2, 'uint32'], ['timestamp', 3, 'Timestamp']]);
msg('Range', [['start', 1, 'bytes'], ['end', 2, 'bytes']]);
msg('SSTMeta', [['uuid', 1, 'bytes'], ['range', 2, 'Range'], ['cf_name', 5, 'string'], ['region_id', 6, 'uint64'], ['region_epoch', 7, 'Epoch']]);
msg('Pair', [['key', 1, 'bytes'], ['value', 2, 'bytes'], ['op', 3, 'int32']]);
msg('Batch', [['commit_ts', 1, 'uint64'], ['pairs', 2, 'Pair', 'repeated']]);
const WriteReq = msg('WriteReq', [['meta', 1, 'SSTMeta'], ['batch', 2, 'Batch']]);
const WriteResp = msg('WriteResp', [['metas', 2, 'SSTMeta', 'repeated']]);
msg('Ctx', [['region_id', 1, 'uint64'], ['region_epoch', 2, 'Epoch'], ['peer', 3, 'Peer']]);
const MultiIngestReq = msg('MultiIngestReq', [['context', 1, 'Ctx'], ['ssts', 2, 'SSTMeta', 'repeated']]);
msg('NotLeader', [['region_id', 1, 'uint64'], ['leader', 2, 'Peer']]);
msg('RegionError', [['message', 1, 'string'], ['not_leader', 2, 'NotLeader']]);
const IngestResp = msg('IngestResp', [['error', 1, 'RegionError']]);
const SplitReq = msg('SplitReq', [['context', 1, 'Ctx'], ['split_keys', 3, 'bytes', 'repeated']]);
const SplitResp = msg('SplitResp', [['region_error', 1, 'RegionError'], ['regions', 4, 'Region', 'repeated']]);
msg('KeyRange', [['start', 1, 'bytes'], ['end', 2, 'bytes']]);
const CopReq = msg('CopReq', [['context', 1, 'Ctx'], ['tp', 2, 'int64'], ['data', 3, 'bytes'], ['ranges', 4, 'KeyRange', 'repeated'], ['start_ts', 7, 'uint64']]);
const CopResp = msg('CopResp', [['data', 1, 'bytes'], ['region_error', 2, 'RegionError'], ['other_error', 4, 'string']]);
const ChecksumReq = msg('ChecksumReq', [['scan_on', 2, 'int32'], ['algorithm', 3, 'int32']]);
const ChecksumResp = msg('ChecksumResp', [['checksum', 1, 'uint64'], ['total_kvs', 2, 'uint64'], ['total_bytes', 3, 'uint64']]);
root.resolveAll();

type T = protobuf.Type;

/** CRC-64/XZ bit by bit (Go crc64.ECMA as TiKV's checksum uses it), written here independently of the simulator */
function crc64(data: Buffer, crc = 0n): bigint {
  const mask = (1n << 64n) - 1n;
  let c = ~crc & mask;
  for (const b of data) { c ^= BigInt(b); for (let i = 0; i < 8; i++) c = c & 1n ? (c >> 1n) ^ 0xc96c5795d7870f42n : c >> 1n; }
  return ~c & mask;
}
const ser = (t: T) => (o: object) => Buffer.from(t.encode(t.fromObject(o)).finish());
const de = (t: T) => (b: Buffer) => t.toObject(t.decode(b), { longs: String, bytes: Buffer, defaults: true });
type Obj = Record<string, unknown>;

function unary(c: grpc.Client, path: string, req: T, res: T, body: object): Promise<Obj> {
  return new Promise((resolve, reject) => c.makeUnaryRequest(path, ser(req), de(res), body, (e, r) => (e ? reject(e) : resolve(r as Obj))));
}

test('independent grpc-js client: GetMembers, Tso, GetRegion, Write to all peers, MultiIngest at the leader and at a follower', async (t) => {
  const sim = await startSimCluster({ stores: 3, testContext: t });
  const pd = new grpc.Client(sim.pdAddr, grpc.credentials.createInsecure());
  t.after(() => pd.close());
  const members = await unary(pd, '/pdpb.PD/GetMembers', GetMembersReq, GetMembersResp, { header: { cluster_id: 0 } });
  const clusterId = (members.header as Obj).cluster_id as string;
  assert.equal(clusterId, sim.clusterId.toString());
  assert.deepEqual((members.leader as Obj).client_urls, [`http://${sim.pdAddr}`]);
  const header = { cluster_id: clusterId };

  const tso = pd.makeBidiStreamRequest('/pdpb.PD/Tso', ser(TsoReq), de(TsoResp));
  const got = new Promise<Obj>((resolve) => tso.once('data', (d: Obj) => resolve(d)));
  tso.write({ header, count: 4 });
  const ts = await got;
  tso.end();
  assert.equal(ts.count, 4);
  const commitTs = (BigInt((ts.timestamp as Obj).physical as string) << 18n) + BigInt((ts.timestamp as Obj).logical as string);

  // memcomparable encoding of "" is 8 zero bytes + 0xF7
  const enc0 = Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0xf7]);
  const reg = await unary(pd, '/pdpb.PD/GetRegion', GetRegionReq, GetRegionResp, { header, region_key: enc0 });
  const region = reg.region as Obj;
  const leader = reg.leader as Obj;
  const peers = region.peers as Obj[];
  assert.equal(peers.length, 3);

  const stores = sim.storeIds.map((id, i) => [id, new grpc.Client(sim.storeAddrs[i]!, grpc.credentials.createInsecure())] as const);
  t.after(() => stores.forEach(([, c]) => c.close()));
  const storeClient = (id: string) => stores.find(([sid]) => String(sid) === id)![1];
  const meta = {
    uuid: Buffer.alloc(16, 9), range: { start: Buffer.from('6b00000000000000f8', 'hex'), end: Buffer.from('6b00000000000000f8', 'hex') },
    region_id: region.id, region_epoch: region.region_epoch,
  };
  let leaderMetas: Obj[] = [];
  for (const p of peers) {
    const metas = await new Promise<Obj[]>((resolve, reject) => {
      const call = storeClient(p.store_id as string).makeClientStreamRequest('/import_sstpb.ImportSST/Write', ser(WriteReq), de(WriteResp),
        (e, r) => (e ? reject(e) : resolve((r as Obj).metas as Obj[])));
      call.write({ meta });
      call.write({ batch: { commit_ts: commitTs.toString(), pairs: [{ key: Buffer.from('k'), value: Buffer.from('v') }] } });
      call.end();
    });
    assert.deepEqual(metas.map((m) => m.cf_name), ['write']);
    if (p.store_id === leader.store_id) leaderMetas = metas;
  }
  const follower = peers.find((p) => p.store_id !== leader.store_id)!;
  const notLeader = await unary(storeClient(follower.store_id as string), '/import_sstpb.ImportSST/MultiIngest', MultiIngestReq, IngestResp,
    { context: { region_id: region.id, region_epoch: region.region_epoch, peer: follower }, ssts: leaderMetas });
  assert.equal((((notLeader.error as Obj).not_leader as Obj).leader as Obj).store_id, leader.store_id);
  const ok = await unary(storeClient(leader.store_id as string), '/import_sstpb.ImportSST/MultiIngest', MultiIngestReq, IngestResp,
    { context: { region_id: region.id, region_epoch: region.region_epoch, peer: leader }, ssts: leaderMetas });
  assert.equal(ok.error, null);
  for (const id of sim.storeIds) assert.deepEqual(sim.data(id).map((x) => [x.key.toString(), x.value.toString(), x.commitTs]), [['k', 'v', commitTs]]);

  // checksum coprocessor (tp 105) over raw [k, l): one pair, crc64(key ‖ value)
  const ctx = { region_id: region.id, region_epoch: region.region_epoch, peer: leader };
  const cop = await unary(storeClient(leader.store_id as string), '/tikvpb.Tikv/Coprocessor', CopReq, CopResp, {
    context: ctx, tp: 105, data: ser(ChecksumReq)({ scan_on: 0, algorithm: 0 }), ranges: [{ start: Buffer.from('k'), end: Buffer.from('l') }],
    start_ts: (commitTs + 1n).toString(),
  });
  const sum = de(ChecksumResp)(cop.data as Buffer);
  assert.deepEqual([sum.checksum, sum.total_kvs, sum.total_bytes], [crc64(Buffer.from('v'), crc64(Buffer.from('k'))).toString(), '1', '2']);

  // SplitRegion with raw keys: at a follower not_leader, at the leader all resulting regions, the original id on the right
  const refused = await unary(storeClient(follower.store_id as string), '/tikvpb.Tikv/SplitRegion', SplitReq, SplitResp,
    { context: { ...ctx, peer: follower }, split_keys: [Buffer.from('m')] });
  assert.ok(((refused.region_error as Obj).not_leader as Obj).leader);
  const split = await unary(storeClient(leader.store_id as string), '/tikvpb.Tikv/SplitRegion', SplitReq, SplitResp, { context: ctx, split_keys: [Buffer.from('m')] });
  const regions = split.regions as Obj[];
  assert.equal(regions.length, 2);
  assert.equal(regions[1]!.id, region.id);
  assert.deepEqual(regions[0]!.end_key, Buffer.from('6d00000000000000f8', 'hex')); // EncodeBytes("m")
});
