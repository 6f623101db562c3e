// TiKV's MVCC layout as Write builds it (protocol.md §4.3): data key 'z' ++ EncodeBytes(key) ++ u64be(!commit_ts);
// write CF record 'P'|'D' ++ varint(start_ts) ++ ['v' len value] ++ ['S' varint(txn_source)]; long values in the
// default CF under the same data key.
import { encodeBytes, decodeBytes } from '../../../src/cluster/keys.js';

export const SHORT_VALUE_MAX = 255;
const U64 = (1n << 64n) - 1n;

export function dataKey(rawKey: Uint8Array, commitTs: bigint): Buffer {
  const enc = encodeBytes(rawKey);
  const out = Buffer.alloc(1 + enc.length + 8);
  out[0] = 0x7a; // 'z'
  enc.copy(out, 1);
  out.writeBigUInt64BE(~commitTs & U64, 1 + enc.length);
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

function varint(n: bigint): number[] {
  const out: number[] = [];
  do { let b = Number(n & 0x7fn); n >>= 7n; if (n > 0n) b |= 0x80; out.push(b); } while (n > 0n);
  return out;
}

export interface WriteRecord { type: 'P' | 'D'; startTs: bigint; shortValue?: Buffer; txnSource: bigint }

export function encodeWrite(type: 'P' | 'D', startTs: bigint, shortValue: Buffer | undefined, txnSource = 0n): Buffer {
  const parts: number[] = [type.charCodeAt(0), ...varint(startTs)];
  let out = Buffer.from(parts);
  if (shortValue) out = Buffer.concat([out, Buffer.from([0x76, shortValue.length]), shortValue]);
  if (txnSource !== 0n) out = Buffer.concat([out, Buffer.from([0x53, ...varint(txnSource)])]);
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
