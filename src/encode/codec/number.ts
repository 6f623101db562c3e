// Memcomparable integers and Go's varint/uvarint (util/codec/number.go). int64/uint64 travel as
// `number` when they are safe integers (the hot path: no BigInt) and as `bigint` otherwise.
import type { Writer } from './writer.js';

export type Int64 = number | bigint;

const TWO32 = 0x100000000;
const SIGN = 0x8000000000000000n;
const MASK64 = 0xffffffffffffffffn;

/** EncodeInt: u64be(v XOR 1<<63) */
export function encodeInt(w: Writer, v: Int64): void {
  if (typeof v === 'number' && Number.isSafeInteger(v)) {
    // floor keeps two's complement in the high half for negatives; >>> 0 is v mod 2^32 for the low half
    w.u64be((Math.floor(v / TWO32) ^ 0x80000000) >>> 0, v >>> 0);
    return;
  }
  const b = BigInt.asUintN(64, BigInt(v));
  w.u64be((Number(b >> 32n) ^ 0x80000000) >>> 0, Number(b & 0xffffffffn));
}

export function encodeUint(w: Writer, v: Int64): void {
  if (typeof v === 'number' && Number.isSafeInteger(v)) {
    w.u64be(Math.floor(v / TWO32) >>> 0, v >>> 0);
    return;
  }
  const b = BigInt.asUintN(64, BigInt(v));
  w.u64be(Number(b >> 32n), Number(b & 0xffffffffn));
}

/** u64be(uint64(v)) without the sign flip (int handles inside index values) */
export function encodeU64BE(w: Writer, v: Int64): void {
  encodeUint(w, v);
}

export function decodeInt(b: Uint8Array, off: number): bigint {
  return BigInt.asIntN(64, readU64BE(b, off) ^ SIGN);
}
export function decodeUint(b: Uint8Array, off: number): bigint {
  return readU64BE(b, off);
}
export function readU64BE(b: Uint8Array, off: number): bigint {
  const hi = ((b[off]! << 24) | (b[off + 1]! << 16) | (b[off + 2]! << 8) | b[off + 3]!) >>> 0;
  const lo = ((b[off + 4]! << 24) | (b[off + 5]! << 16) | (b[off + 6]! << 8) | b[off + 7]!) >>> 0;
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/** Go binary.PutUvarint (LEB128) of a uint64 */
export function encodeUvarint(w: Writer, v: Int64): void {
  if (typeof v === 'number' && v >= 0 && v <= 0x7fffffff) {
    while (v >= 0x80) {
      w.u8((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    w.u8(v);
    return;
  }
  let b = BigInt.asUintN(64, BigInt(v));
  while (b >= 0x80n) {
    w.u8(Number(b & 0x7fn) | 0x80);
    b >>= 7n;
  }
  w.u8(Number(b));
}

/** Go binary.PutVarint: zigzag then uvarint */
export function encodeVarint(w: Writer, v: Int64): void {
  if (typeof v === 'number' && v >= -0x3fffffff && v <= 0x3fffffff) {
    encodeUvarint(w, v >= 0 ? v * 2 : -v * 2 - 1);
    return;
  }
  const b = BigInt(v);
  encodeUvarint(w, BigInt.asUintN(64, (b << 1n) ^ (b < 0n ? MASK64 : 0n)));
}

/** returns [value, bytes read] */
export function decodeUvarint(b: Uint8Array, off: number): [bigint, number] {
  let x = 0n;
  let s = 0n;
  for (let i = 0; i < 10; i++) {
    const c = b[off + i];
    if (c === undefined) throw new RangeError('uvarint: truncated');
    if (c < 0x80) return [x | (BigInt(c) << s), i + 1];
    x |= BigInt(c & 0x7f) << s;
    s += 7n;
  }
  throw new RangeError('uvarint: overflow');
}
export function decodeVarint(b: Uint8Array, off: number): [bigint, number] {
  const [u, n] = decodeUvarint(b, off);
  const x = u >> 1n;
  return [(u & 1n) === 0n ? x : -x - 1n, n];
}

/** number when it is a safe integer, else bigint: the canonical Int64 form */
export function normInt(v: bigint): Int64 {
  return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v;
}
