// Memcomparable float64 (util/codec/float.go): sign bit set for f >= 0 (so -0 equals +0), all bits
// inverted for negatives. Also the row-v2 float form.
import type { Writer } from './writer.js';

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer); // little-endian hosts: [lo, hi]

export function encodeFloat(w: Writer, f: number): void {
  f64[0] = f;
  let hi = u32[1]!;
  let lo = u32[0]!;
  if (f >= 0) {
    hi = (hi | 0x80000000) >>> 0;
    if (f === 0) { hi = 0x80000000; lo = 0; } // -0 encodes like +0
  } else {
    hi = ~hi >>> 0;
    lo = ~lo >>> 0;
  }
  w.u32be(hi);
  w.u32be(lo);
}

export function decodeFloat(b: Uint8Array, off: number): number {
  let hi = ((b[off]! << 24) | (b[off + 1]! << 16) | (b[off + 2]! << 8) | b[off + 3]!) >>> 0;
  let lo = ((b[off + 4]! << 24) | (b[off + 5]! << 16) | (b[off + 6]! << 8) | b[off + 7]!) >>> 0;
  if (hi & 0x80000000) hi = (hi & 0x7fffffff) >>> 0;
  else { hi = ~hi >>> 0; lo = ~lo >>> 0; }
  u32[1] = hi;
  u32[0] = lo;
  return f64[0]!;
}
