// TiKV's MVCC layout as Write builds it (protocol.md §4.3): data key 'z' ++ EncodeBytes(key) ++ u64be(!commit_ts);
// write CF record 'P'|'D' ++ varint(start_ts) ++ ['v' len value] ++ ['S' varint(txn_source)]; long values in the
// default CF under the same data key.
import { encodeBytes, decodeBytes } from '../../../src/cluster/keys.js';

export const SHORT_VALUE_MAX = 255;
const U64 = (1n << 64n) - 1n;

/** the 8 bytes a data key ends with: u64be(!ts) */
export function tsSuffix(commitTs: bigint): Buffer {
  const b = Buffer.allocUnsafe(8);
  b.writeBigUInt64BE(~commitTs & U64);
  return b;
}

export function dataKey(rawKey: Uint8Array, commitTs: bigint | Buffer): Buffer {
  // EncodeBytes written in place: 8-byte groups + marker, the last group zero-padded (keys.ts has the reference)
  const groups = Math.floor(rawKey.length / 8) + 1;
  const out = Buffer.alloc(1 + groups * 9 + 8);
  out[0] = 0x7a; // 'z'
  for (let g = 0; g < groups; g++) {
    const n = Math.min(8, rawKey.length - g * 8);
    out.set(rawKey.subarray(g * 8, g * 8 + n), 1 + g * 9);
    out[1 + g * 9 + 8] = 0xff - (8 - n);
  }
  out.set(typeof commitTs === 'bigint' ? tsSuffix(commitTs) : commitTs, 1 + groups * 9);
  return out;
}

/** the 'z' ++ EncodeBytes(raw) prefix, the scan bound for a raw key */
export function dataPrefix(rawKey: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from('z'), encodeBytes(rawKey)]);
}

export function splitDataKey(k: Buffer): { rawKey: Buffer; commitTs: bigint } {
  const { key, read } = decodeBytes(k.subarray(1));
  return { rawKey: key, commitTs: ~k.readBigUInt64BE(1 + read) & U64 };
}

export function varint(n: bigint): number[] {
  const out: number[] = [];
  do { let b = Number(n & 0x7fn); n >>= 7n; if (n > 0n) b |= 0x80; out.push(b); } while (n > 0n);
  return out;
}

export interface WriteRecord { type: 'P' | 'D'; startTs: bigint; shortValue?: Buffer; txnSource: bigint }

export function encodeWrite(type: 'P' | 'D', startTs: bigint | number[], shortValue: Buffer | undefined, txnSource = 0n): Buffer {
  const ts = typeof startTs === 'bigint' ? varint(startTs) : startTs;
  const src = txnSource !== 0n ? varint(txnSource) : [];
  const out = Buffer.allocUnsafe(1 + ts.length + (shortValue ? 2 + shortValue.length : 0) + (src.length ? 1 + src.length : 0));
  let o = 0;
  out[o++] = type.charCodeAt(0);
  for (const b of ts) out[o++] = b;
  if (shortValue) { out[o++] = 0x76; out[o++] = shortValue.length; out.set(shortValue, o); o += shortValue.length; }
  if (src.length) { out[o++] = 0x53; for (const b of src) out[o++] = b; }
  return out;
}

export function decodeWrite(b: Buffer): WriteRecord {
  const type = String.fromCharCode(b[0]!) as 'P' | 'D';
  let i = 1, ts = 0n, shift = 0n;
  for (;;) { const x = b[i++]!; ts |= BigInt(x & 0x7f) << shift; shift += 7n; if (!(x & 0x80)) break; }
  const rec: WriteRecord = { type, startTs: ts, txnSource: 0n };
  while (i < b.length) {
    const flag = b[i++];
    if (flag === 0x76) { const n = b[i++]!; rec.shortValue = b.subarray(i, i + n); i += n; } else if (flag === 0x53) {
      let v = 0n; shift = 0n;
      for (;;) { const x = b[i++]!; v |= BigInt(x & 0x7f) << shift; shift += 7n; if (!(x & 0x80)) break; }
      rec.txnSource = v;
    } else break;
  }
  return rec;
}
