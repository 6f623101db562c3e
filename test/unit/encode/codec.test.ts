import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writer } from '../../../src/encode/codec/writer.js';
import { encodeInt, encodeUvarint, encodeVarint, decodeVarint, decodeUvarint } from '../../../src/encode/codec/number.js';
import { encodeBytes, decodeBytes } from '../../../src/encode/codec/bytes.js';
import { crc64 } from '../../../src/encode/crc64.js';
import { KVChecksum } from '../../../src/encode/checksum.js';
import { recordKey } from '../../../src/encode/tablecodec.js';
import { encodeKey, encodeValue, K } from '../../../src/encode/datum.js';
import { jsonToBinary } from '../../../src/encode/codec/json.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const w = (): Writer => new Writer(4);

test('EncodeBytes groups of 8 (encoding.md §2.2)', () => {
  const cases: [string, string][] = [['', '0000000000000000f7'], ['abc', '6162630000000000fa'], ['12345678', '3132333435363738ff0000000000000000f7']];
  for (const [s, want] of cases) {
    const x = w();
    encodeBytes(x, Buffer.from(s));
    assert.equal(hex(x.view()), want);
    assert.equal(decodeBytes(x.view(), 0)[0].toString(), s);
  }
});

test('int, varint, uvarint', () => {
  const x = w();
  encodeInt(x, -1);
  assert.equal(hex(x.view()), '7fffffffffffffff');
  for (const v of [0, 1, -1, 63, -64, 64, 300, -300, 2 ** 40, -(2 ** 40), 9007199254740991n * 1000n, -(2n ** 63n)]) {
    const y = w();
    encodeVarint(y, v);
    assert.equal(decodeVarint(y.view(), 0)[0], BigInt(v));
  }
  const z = w();
  encodeUvarint(z, 2n ** 64n - 1n);
  assert.equal(decodeUvarint(z.view(), 0)[0], 2n ** 64n - 1n);
});

test('CRC-64/XZ check values and checksum chaining', () => {
  assert.equal(crc64(Buffer.from('123456789')), 0x995dc9bbdf1939fan);
  assert.equal(crc64(Buffer.from('hello world!')), 0x8483c0fa32607d61n);
  const a = new KVChecksum();
  a.update(Buffer.from('12345'), Buffer.from('6789'));
  assert.equal(a.sum, 0x995dc9bbdf1939fan);
  assert.deepEqual(a.toJSON(), { checksum: String(0x995dc9bbdf1939fan), kvs: 1, bytes: 9 });
  // long inputs go through the 8-byte loop: compare to byte-at-a-time chaining
  const long = Buffer.alloc(1000).map((_, i) => (i * 31) & 0xff);
  const b = new KVChecksum();
  b.update(long.subarray(0, 3), long.subarray(3));
  assert.equal(b.sum, crc64(long));
});

test('record key example (encoding.md §1)', () => {
  assert.equal(hex(recordKey(73, { int: 1 })), '748000000000000049' + '5f72' + '8000000000000001');
  assert.equal(hex(recordKey(1, { int: -(2n ** 63n) })), '7480000000000000015f720000000000000000');
});

test('string datum key vs value (encoding.md §3)', () => {
  const d = { k: K.String, v: Buffer.from('K8s'), coll: 'utf8mb4_bin' } as const;
  assert.equal(hex(encodeKey([d])), '014b38730000000000fa');
  assert.equal(hex(encodeValue([d])), '02064b3873');
});

test('JSON binary example (encoding.md §5.4)', () => {
  const [tc, b] = jsonToBinary('[1,2]');
  assert.equal(tc, 3);
  assert.equal(hex(b), '02000000220000000912000000091a00000001000000000000000200000000000000');
});
