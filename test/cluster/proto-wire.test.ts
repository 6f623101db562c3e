// Encodes known messages with protobufjs over our proto/ files and checks the bytes field by field
// (tag = field_number << 3 | wire_type), so a wrong field number or type in proto/ fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { protoRoot, protoDir, packageDefinition, serviceDef, messageCodec } from '../../src/cluster/proto.js';

const VARINT = 0, LEN = 2; // no message here uses fixed64/fixed32
const tag = (field: number, wire: number): number[] => varint((field << 3) | wire);
function varint(n: number | bigint): number[] {
  let v = BigInt(n);
  const out: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) b |= 0x80;
    out.push(b);
  } while (v > 0n);
  return out;
}
const bytesField = (field: number, b: number[]): number[] => [...tag(field, LEN), ...varint(b.length), ...b];
const enc = (type: string, obj: object): number[] => {
  const t = protoRoot().lookupType(type);
  const err = t.verify(obj);
  // verify() only rejects 64-bit values given as strings, which fromObject accepts (the loader's longs: String)
  if (err && !/integer\|Long expected/.test(err)) assert.fail(`${type}: ${err}`);
  return [...t.encode(t.fromObject(obj)).finish()];
};

test('proto dir is found and every service loads', () => {
  assert.match(protoDir(), /proto$/);
  for (const s of ['pdpb.PD', 'import_sstpb.ImportSST', 'import_kvpb.ImportKV', 'tikvpb.Tikv'] as const) assert.ok(serviceDef(s));
  const pd = serviceDef('pdpb.PD');
  assert.equal(pd.Tso!.path, '/pdpb.PD/Tso');
  assert.ok(pd.Tso!.requestStream && pd.Tso!.responseStream);
  const sst = serviceDef('import_sstpb.ImportSST');
  assert.ok(sst.Write!.requestStream && !sst.Write!.responseStream);
  assert.equal(sst.MultiIngest!.path, '/import_sstpb.ImportSST/MultiIngest');
  assert.equal(serviceDef('tikvpb.Tikv').SplitRegion!.path, '/tikvpb.Tikv/SplitRegion');
  assert.ok(packageDefinition()['tipb.ChecksumRequest']);
});

test('metapb.Region: id=1 varint, start_key=2, end_key=3, region_epoch=4 {conf_ver=1, version=2}, peers=5 {id=1, store_id=2, role=3}', () => {
  const got = enc('metapb.Region', {
    id: 7, start_key: Buffer.from('a'), end_key: Buffer.from('b'), region_epoch: { conf_ver: 3, version: 5 },
    peers: [{ id: 9, store_id: 2, role: 1 }],
  });
  assert.deepEqual(got, [
    ...tag(1, VARINT), 7,
    ...bytesField(2, [0x61]), ...bytesField(3, [0x62]),
    ...bytesField(4, [...tag(1, VARINT), 3, ...tag(2, VARINT), 5]),
    ...bytesField(5, [...tag(1, VARINT), 9, ...tag(2, VARINT), 2, ...tag(3, VARINT), 1]),
  ]);
  assert.deepEqual(tag(5, LEN), [0x2a]);
});

test('metapb.Store address=2, state=3, version=5, status_address=7, node_state=13', () => {
  assert.deepEqual(enc('metapb.Store', { id: 1, address: 'x', state: 1, version: 'v', status_address: 's', node_state: 1 }), [
    ...tag(1, VARINT), 1, ...bytesField(2, [0x78]), ...tag(3, VARINT), 1, ...bytesField(5, [0x76]), ...bytesField(7, [0x73]),
    ...tag(13, VARINT), 1,
  ]);
});

test('errorpb.Error field numbers 1..22 incl. CamelCase RecoveryInProgress=16', () => {
  const e = (obj: object) => enc('errorpb.Error', obj);
  assert.deepEqual(e({ message: 'm' }), bytesField(1, [0x6d]));
  assert.deepEqual(e({ not_leader: { region_id: 4, leader: { id: 5, store_id: 6 } } }),
    bytesField(2, [...tag(1, VARINT), 4, ...bytesField(2, [...tag(1, VARINT), 5, ...tag(2, VARINT), 6])]));
  assert.deepEqual(e({ region_not_found: { region_id: 4 } }), bytesField(3, [...tag(1, VARINT), 4]));
  assert.deepEqual(e({ key_not_in_region: { key: [1], region_id: 2, start_key: [3], end_key: [4] } }),
    bytesField(4, [...bytesField(1, [1]), ...tag(2, VARINT), 2, ...bytesField(3, [3]), ...bytesField(4, [4])]));
  assert.deepEqual(e({ epoch_not_match: { current_regions: [{ id: 1 }] } }), bytesField(5, bytesField(1, [...tag(1, VARINT), 1])));
  assert.deepEqual(e({ server_is_busy: { reason: 'r', backoff_ms: 300, estimated_wait_ms: 2, applied_index: 3 } }),
    bytesField(6, [...bytesField(1, [0x72]), ...tag(2, VARINT), ...varint(300), ...tag(3, VARINT), 2, ...tag(4, VARINT), 3]));
  assert.deepEqual(e({ stale_command: {} }), bytesField(7, []));
  assert.deepEqual(e({ store_not_match: { request_store_id: 1, actual_store_id: 2 } }), bytesField(8, [...tag(1, VARINT), 1, ...tag(2, VARINT), 2]));
  assert.deepEqual(e({ read_index_not_ready: { reason: 'x', region_id: 2 } }), bytesField(11, [...bytesField(1, [0x78]), ...tag(2, VARINT), 2]));
  assert.deepEqual(e({ disk_full: { store_id: [1, 2], reason: 'f' } }), bytesField(15, [...bytesField(1, [1, 2]), ...bytesField(2, [0x66])]));
  assert.deepEqual(e({ RecoveryInProgress: { region_id: 1 } }), bytesField(16, [...tag(1, VARINT), 1]));
  assert.deepEqual(e({ undetermined_result: { message: 'u' } }), bytesField(22, bytesField(1, [0x75])));
  assert.deepEqual(tag(22, LEN), [0xb2, 0x01]);
});

test('kvrpcpb.Context: region_id=1, region_epoch=2, peer=3, priority=6, request_source=24, txn_source=25, resource_control_context=28, cluster_id=35', () => {
  const got = enc('kvrpcpb.Context', {
    region_id: 2, region_epoch: { conf_ver: 1, version: 1 }, peer: { id: 3, store_id: 1 }, priority: 1,
    request_source: 'l', txn_source: 9, resource_control_context: { resource_group_name: 'g' }, cluster_id: 4,
  });
  assert.deepEqual(got, [
    ...tag(1, VARINT), 2, ...bytesField(2, [8, 1, 16, 1]), ...bytesField(3, [8, 3, 16, 1]), ...tag(6, VARINT), 1,
    ...bytesField(24, [0x6c]), ...tag(25, VARINT), 9, ...bytesField(28, bytesField(1, [0x67])), ...tag(35, VARINT), 4,
  ]);
  assert.deepEqual(tag(24, LEN), [0xc2, 0x01]);
});

test('pdpb: headers, Tso, ScanRegions, ScatterRegion, GetOperator, UpdateServiceGCSafePoint', () => {
  const hdr = bytesField(1, [...tag(1, VARINT), 7]);
  assert.deepEqual(enc('pdpb.TsoRequest', { header: { cluster_id: 7 }, count: 3, dc_location: 'g' }),
    [...hdr, ...tag(2, VARINT), 3, ...bytesField(3, [0x67])]);
  const phys = 1_700_000_000_000n;
  assert.deepEqual(enc('pdpb.TsoResponse', { count: 1, timestamp: { physical: phys.toString(), logical: 5 } }),
    [...tag(2, VARINT), 1, ...bytesField(3, [...tag(1, VARINT), ...varint(phys), ...tag(2, VARINT), 5])]);
  assert.deepEqual(enc('pdpb.ScanRegionsRequest', { header: { cluster_id: 7 }, start_key: [1], limit: 128, end_key: [2] }),
    [...hdr, ...bytesField(2, [1]), ...tag(3, VARINT), ...varint(128), ...bytesField(4, [2])]);
  assert.deepEqual(enc('pdpb.ScanRegionsResponse', { region_metas: [{ id: 1 }], leaders: [{ id: 2 }], regions: [{ region: { id: 1 }, leader: { id: 2 } }] }),
    [...bytesField(2, [8, 1]), ...bytesField(3, [8, 2]), ...bytesField(4, [...bytesField(1, [8, 1]), ...bytesField(2, [8, 2])])]);
  assert.deepEqual(enc('pdpb.ScatterRegionRequest', { region_id: 4, group: 'g', regions_id: [5, 6], retry_limit: 1, skip_store_limit: true }),
    [...tag(2, VARINT), 4, ...bytesField(5, [0x67]), ...bytesField(6, [5, 6]), ...tag(7, VARINT), 1, ...tag(8, VARINT), 1]);
  assert.deepEqual(enc('pdpb.GetOperatorResponse', { region_id: 4, desc: [0x64], status: 4, kind: [0x6b] }),
    [...tag(2, VARINT), 4, ...bytesField(3, [0x64]), ...tag(4, VARINT), 4, ...bytesField(5, [0x6b])]);
  assert.deepEqual(enc('pdpb.UpdateServiceGCSafePointRequest', { service_id: [0x73], TTL: 600, safe_point: 9 }),
    [...bytesField(2, [0x73]), ...tag(3, VARINT), ...varint(600), ...tag(4, VARINT), 9]);
  assert.deepEqual(enc('pdpb.GetRegionResponse', { region: { id: 1 }, leader: { id: 2 }, pending_peers: [{ id: 3 }] }),
    [...bytesField(2, [8, 1]), ...bytesField(3, [8, 2]), ...bytesField(6, [8, 3])]);
  assert.deepEqual(enc('pdpb.ResponseHeader', { cluster_id: 7, error: { type: 6, message: 'm' } }),
    [...tag(1, VARINT), 7, ...bytesField(2, [...tag(1, VARINT), 6, ...bytesField(2, [0x6d])])]);
});

test('import_sstpb: SSTMeta 1..12, WriteRequest oneof meta=1/batch=2 + context=3, Pair op=3, MultiIngest, IngestResponse', () => {
  const meta = { uuid: [0xaa], range: { start: [1], end: [2] }, crc32: 3, length: 4, cf_name: 'w', region_id: 5,
    region_epoch: { conf_ver: 1, version: 2 }, end_key_exclusive: true, total_kvs: 6, total_bytes: 7, api_version: 2, cipher_iv: [0xbb] };
  const metaBytes = [
    ...bytesField(1, [0xaa]), ...bytesField(2, [...bytesField(1, [1]), ...bytesField(2, [2])]), ...tag(3, VARINT), 3, ...tag(4, VARINT), 4,
    ...bytesField(5, [0x77]), ...tag(6, VARINT), 5, ...bytesField(7, [8, 1, 16, 2]), ...tag(8, VARINT), 1, ...tag(9, VARINT), 6,
    ...tag(10, VARINT), 7, ...tag(11, VARINT), 2, ...bytesField(12, [0xbb]),
  ];
  assert.deepEqual(enc('import_sstpb.SSTMeta', meta), metaBytes);
  assert.deepEqual(enc('import_sstpb.WriteRequest', { meta, context: { request_source: 'x' } }),
    [...bytesField(1, metaBytes), ...bytesField(3, bytesField(24, [0x78]))]);
  assert.deepEqual(enc('import_sstpb.WriteRequest', { batch: { commit_ts: 300, pairs: [{ key: [1], value: [2], op: 1 }] } }),
    bytesField(2, [...tag(1, VARINT), ...varint(300), ...bytesField(2, [...bytesField(1, [1]), ...bytesField(2, [2]), ...tag(3, VARINT), 1])]));
  assert.deepEqual(enc('import_sstpb.WriteResponse', { error: { message: 'e' }, metas: [{ region_id: 1 }] }),
    [...bytesField(1, bytesField(1, [0x65])), ...bytesField(2, [...tag(6, VARINT), 1])]);
  assert.deepEqual(enc('import_sstpb.MultiIngestRequest', { context: { region_id: 1 }, ssts: [{ region_id: 1 }] }),
    [...bytesField(1, [8, 1]), ...bytesField(2, [...tag(6, VARINT), 1])]);
  assert.deepEqual(enc('import_sstpb.IngestResponse', { error: { stale_command: {} } }), bytesField(1, bytesField(7, [])));
  assert.deepEqual(enc('import_sstpb.SwitchModeRequest', { mode: 1, ranges: [{ start: [1] }] }),
    [...tag(1, VARINT), 1, ...bytesField(2, bytesField(1, [1]))]);
  assert.deepEqual(enc('import_sstpb.RewriteRule', { old_key_prefix: [1], new_key_prefix: [2], new_timestamp: 3 }),
    [...bytesField(1, [1]), ...bytesField(2, [2]), ...tag(3, VARINT), 3]);
  assert.deepEqual(enc('import_sstpb.DownloadRequest', { sst: { region_id: 1 }, name: 'n', rewrite_rule: { new_timestamp: 1 }, context: {} }),
    [...bytesField(2, [...tag(6, VARINT), 1]), ...bytesField(9, [0x6e]), ...bytesField(13, [...tag(3, VARINT), 1]), ...bytesField(19, [])]);
  assert.deepEqual(enc('import_sstpb.CompactRequest', { output_level: -1 }), [...tag(2, VARINT), ...varint((1n << 64n) - 1n)]);
  // backup.StorageBackend { oneof backend { Noop noop = 1; Local local = 2 } }, Local.path = 1, DownloadRequest.storage_backend = 14
  assert.deepEqual(enc('import_sstpb.DownloadRequest', { storage_backend: { local: { path: 'p' } }, is_raw_kv: true }),
    [...bytesField(14, bytesField(2, bytesField(1, [0x70]))), ...tag(15, VARINT), 1]);
  assert.deepEqual(enc('backup.StorageBackend', { noop: {} }), bytesField(1, []));
});

test('kvrpcpb.SplitRegion and coprocessor Request/Response', () => {
  assert.deepEqual(enc('kvrpcpb.SplitRegionRequest', { context: { region_id: 1 }, split_keys: [[1], [2]], is_raw_kv: true }),
    [...bytesField(1, [8, 1]), ...bytesField(3, [1]), ...bytesField(3, [2]), ...tag(4, VARINT), 1]);
  assert.deepEqual(enc('kvrpcpb.SplitRegionResponse', { region_error: { message: 'x' }, regions: [{ id: 1 }], errors: [{ message: 'y' }] }),
    [...bytesField(1, bytesField(1, [0x78])), ...bytesField(4, [8, 1]), ...bytesField(100, bytesField(1, [0x79]))]);
  assert.deepEqual(enc('coprocessor.Request', { context: {}, tp: 105, data: [1], ranges: [{ start: [2], end: [3] }], start_ts: 9 }),
    [...bytesField(1, []), ...tag(2, VARINT), 105, ...bytesField(3, [1]), ...bytesField(4, [...bytesField(1, [2]), ...bytesField(2, [3])]),
      ...tag(7, VARINT), 9]);
  assert.deepEqual(enc('coprocessor.Response', { data: [1], region_error: { message: 'r' }, other_error: 'o' }),
    [...bytesField(1, [1]), ...bytesField(2, bytesField(1, [0x72])), ...bytesField(4, [0x6f])]);
});

test('tipb ChecksumRequest is proto2: scan_on and algorithm are serialized even when 0', () => {
  const c = messageCodec<{ scan_on?: string; algorithm?: string }>('tipb.ChecksumRequest');
  assert.deepEqual([...c.encode({ scan_on: 'Table', algorithm: 'Crc64_Xor' })], [...tag(2, VARINT), 0, ...tag(3, VARINT), 0]);
  assert.deepEqual(enc('tipb.ChecksumResponse', { checksum: '18446744073709551615', total_kvs: 2, total_bytes: 3 }),
    [...tag(1, VARINT), ...varint((1n << 64n) - 1n), ...tag(2, VARINT), 2, ...tag(3, VARINT), 3]);
  const d = messageCodec<{ checksum: string }>('tipb.ChecksumResponse').decode(Buffer.from(enc('tipb.ChecksumResponse', { checksum: '18446744073709551615' })));
  assert.equal(d.checksum, '18446744073709551615');
});

test('import_kvpb: WriteEngineRequest oneof head=1/batch=2, Mutation op=1 key=2 value=3, Error.engine_not_found=1', () => {
  assert.deepEqual(enc('import_kvpb.WriteEngineRequest', { head: { uuid: [1] } }), bytesField(1, bytesField(1, [1])));
  assert.deepEqual(enc('import_kvpb.WriteEngineRequest', { batch: { commit_ts: 5, mutations: [{ op: 0, key: [1], value: [2] }] } }),
    // protobufjs writes a proto3 default (op = 0) when it is set explicitly; decoders accept either form
    bytesField(2, [...tag(1, VARINT), 5, ...bytesField(2, [...tag(1, VARINT), 0, ...bytesField(2, [1]), ...bytesField(3, [2])])]));
  assert.deepEqual(enc('import_kvpb.WriteEngineV3Request', { uuid: [1], commit_ts: 2, pairs: [{ key: [3], value: [4] }] }),
    [...bytesField(1, [1]), ...tag(2, VARINT), 2, ...bytesField(3, [...bytesField(1, [3]), ...bytesField(2, [4])])]);
  assert.deepEqual(enc('import_kvpb.WriteEngineResponse', { error: { engine_not_found: { uuid: [1] } } }), bytesField(1, bytesField(1, bytesField(1, [1]))));
  assert.deepEqual(enc('import_kvpb.SwitchModeRequest', { pd_addr: 'p', request: { mode: 1 } }), [...bytesField(1, [0x70]), ...bytesField(2, [8, 1])]);
  assert.deepEqual(enc('import_kvpb.GetVersionResponse', { version: 'v', commit: 'c' }), [...bytesField(1, [0x76]), ...bytesField(2, [0x63])]);
});
