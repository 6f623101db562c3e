import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { openDataFile } from '../../../src/source/open.js';
import { crc32c, snappyBlockDecode, SnappyFrameDecoder } from '../../../src/source/snappy.js';
import { Codes, LightningError } from '../../../src/errors.js';

let dir = '';
const data = Buffer.from(Array.from({ length: 300000 }, (_, i) => (i * 7919) % 251));

/** framing-format encoder using literal-only blocks (valid snappy; enough to test the reader) */
function snappyFrame(b: Buffer): Buffer {
  const parts = [Buffer.from([0xff, 6, 0, 0, 0x73, 0x4e, 0x61, 0x50, 0x70, 0x59])];
  for (let i = 0; i < b.length; i += 65536) {
    const d = b.subarray(i, i + 65536);
    const c = crc32c(d);
    const m = ((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) >>> 0;
    const varint: number[] = [];
    for (let n = d.length; ; n = Math.floor(n / 128)) { if (n < 128) { varint.push(n); break; } varint.push((n & 127) | 128); }
    const lit: Buffer[] = [];
    for (let k = 0; k < d.length; k += 65536) {
      const s = d.subarray(k, k + 65536);
      lit.push(Buffer.from([61 << 2, (s.length - 1) & 255, (s.length - 1) >> 8]), s);
    }
    const body = Buffer.concat([Buffer.alloc(4), Buffer.from(varint), ...lit]);
    body.writeUInt32LE(m, 0);
    const hdr = Buffer.from([0, body.length & 255, (body.length >> 8) & 255, body.length >> 16]);
    parts.push(hdr, body);
  }
  return Buffer.concat(parts);
}

async function readAll(it: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const b of it) parts.push(b);
  return Buffer.concat(parts);
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'open-'));
  writeFileSync(join(dir, 'a.sql'), data);
  writeFileSync(join(dir, 'a.sql.gz'), gzipSync(data));
  writeFileSync(join(dir, 'a.sql.snappy'), snappyFrame(data));
  execFileSync('zstd', ['-q', '-f', join(dir, 'a.sql'), '-o', join(dir, 'a.sql.zst')]);
  const gz = readFileSync(join(dir, 'a.sql.gz'));
  writeFileSync(join(dir, 'trunc.sql.gz'), gz.subarray(0, gz.length >> 1));
  const zs = readFileSync(join(dir, 'a.sql.zst'));
  writeFileSync(join(dir, 'trunc.sql.zst'), zs.subarray(0, zs.length - 10));
  const sn = readFileSync(join(dir, 'a.sql.snappy'));
  writeFileSync(join(dir, 'trunc.sql.snappy'), sn.subarray(0, sn.length - 10));
  const bad = Buffer.from(sn); bad[40] ^= 1;
  writeFileSync(join(dir, 'bad.sql.snappy'), bad);
});
after(() => rmSync(dir, { recursive: true, force: true }));

const files = [['a.sql', 'none'], ['a.sql.gz', 'gzip'], ['a.sql.zst', 'zstd'], ['a.sql.snappy', 'snappy']] as const;
for (const [path, compression] of files) {
  test(`open ${compression}: whole, from an offset, a byte range`, async () => {
    assert.deepEqual(await readAll(openDataFile(dir, { path, compression }, { readSize: 4096 })), data);
    assert.deepEqual(await readAll(openDataFile(dir, { path, compression }, { offset: 123457 })), data.subarray(123457));
    assert.deepEqual(await readAll(openDataFile(dir, { path, compression }, { offset: 1000, end: 70001 })), data.subarray(1000, 70001));
  });
}

for (const c of ['gzip', 'zstd', 'snappy'] as const) {
  test(`truncated ${c} is a Decompress error naming file and offset`, async () => {
    const path = `trunc.sql.${c === 'gzip' ? 'gz' : c === 'zstd' ? 'zst' : 'snappy'}`;
    await assert.rejects(readAll(openDataFile(dir, { path, compression: c })), (e: { code: string; context: Record<string, unknown> }) => {
      assert.equal(e.code, Codes.Decompress);
      assert.equal(e.context.file, path);
      assert.equal(typeof e.context.offset, 'number');
      return true;
    });
  });
}

test('snappy checksum mismatch is detected', async () => {
  await assert.rejects(readAll(openDataFile(dir, { path: 'bad.sql.snappy', compression: 'snappy' })), /checksum|snappy/);
});

test('snappy block copies (overlapping and not)', () => {
  // "abc" literal, then copy1 len 9 offset 3 => "abcabcabcabc"
  assert.equal(snappyBlockDecode(Buffer.from([12, 0x08, 0x61, 0x62, 0x63, ((9 - 4) << 2) | 1, 3])).toString(), 'abcabcabcabc');
  // copy2: len 3 offset 3
  assert.equal(snappyBlockDecode(Buffer.from([6, 0x08, 0x61, 0x62, 0x63, ((3 - 1) << 2) | 2, 3, 0])).toString(), 'abcabc');
  assert.throws(() => snappyBlockDecode(Buffer.from([6, 0x08, 0x61, 0x62, 0x63, ((3 - 1) << 2) | 2, 9, 0])), /out of range/);
  assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283);
  assert.throws(() => new SnappyFrameDecoder().push(Buffer.from([0, 5, 0, 0, 1, 2, 3, 4, 5])), /stream identifier/);
});

test('zstd: a frame header asking for a window above 128 MiB is a Decompress error before anything is allocated', async () => {
  const d = mkdtempSync(join(tmpdir(), 'zstd-win-'));
  // window descriptor exponent 31 → 2 GiB window; single-segment frame claiming a 3 GiB content size
  writeFileSync(join(d, 'a.sql.zst'), Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0xa8, 0x01, 0x00, 0x00]));
  writeFileSync(join(d, 'b.sql.zst'), Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0xa0, 0x00, 0x00, 0x00, 0xc0, 0x01, 0x00, 0x00]));
  for (const path of ['a.sql.zst', 'b.sql.zst']) {
    await assert.rejects(async () => { for await (const _ of openDataFile(d, { path, compression: 'zstd' })) { /* drain */ } },
      (e: unknown) => e instanceof LightningError && e.code === Codes.Decompress && e.context.file === path && /window/.test(e.message));
  }
  rmSync(d, { recursive: true, force: true });
});

test('snappy: a block or stored chunk longer than 64 KiB is corrupt input, not an allocation', () => {
  assert.throws(() => snappyBlockDecode(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f])), /larger than 65536/);
  const d = new SnappyFrameDecoder();
  d.push(Buffer.from([0xff, 0x06, 0x00, 0x00, 0x73, 0x4e, 0x61, 0x50, 0x70, 0x59]));
  const big = Buffer.alloc(4 + 4 + 70_000);
  big[0] = 0x01; big.writeUIntLE(4 + 70_000, 1, 3);
  assert.throws(() => d.push(big), /stored chunk of 70000 bytes/);
  // many tiny pushes decode the same as one (the decoder buffers without re-joining every time)
  const e = new SnappyFrameDecoder();
  const frame = Buffer.concat([Buffer.from([0xff, 0x06, 0x00, 0x00, 0x73, 0x4e, 0x61, 0x50, 0x70, 0x59, 0x01, 0x07, 0x00, 0x00]), Buffer.alloc(4), Buffer.from('abc')]);
  frame.writeUInt32LE((((crc32c(Buffer.from('abc')) >>> 15) | (crc32c(Buffer.from('abc')) << 17)) >>> 0) + 0xa282ead8 >>> 0, 14);
  const out: Buffer[] = [];
  for (const byte of frame) out.push(...e.push(Buffer.from([byte])));
  e.end();
  assert.equal(Buffer.concat(out).toString(), 'abc');
});
