// CRC-64/XZ = Go's crc64.Update with crc64.MakeTable(crc64.ECMA): reflected polynomial 0xC96C5795D7870F42,
// ^crc on entry and exit. Slicing-by-8 on int32 halves, no BigInt in the loop: ~800 MB/s per core on KV-sized
// inputs (measured on 30- and 200-byte pairs; bench/encode prints it), well above the encode budget: no native addon.

const POLY_HI = 0xc96c5795 | 0;
const POLY_LO = 0xd7870f42 | 0;

// T[k][b] as interleaved (hi, lo) int32 pairs at T[(k*256+b)*2]: signed int32 keeps every value in a machine
// register (uint32 values >= 2^31 fall out of V8's int32 fast path), one index per lookup, one cache line
// for both halves. Measured 2.3x the speed of separate Uint32Array tables with >>> 0 (820 vs 360 MB/s).
const T = new Int32Array(8 * 256 * 2);

(function build() {
  for (let i = 0; i < 256; i++) {
    let hi = 0;
    let lo = i;
    for (let j = 0; j < 8; j++) {
      const bit = lo & 1;
      lo = (lo >>> 1) | (hi << 31);
      hi = hi >>> 1;
      if (bit) { hi ^= POLY_HI; lo ^= POLY_LO; }
    }
    T[i * 2] = hi;
    T[i * 2 + 1] = lo;
  }
  for (let k = 1; k < 8; k++) {
    for (let i = 0; i < 256; i++) {
      const ph = T[((k - 1) * 256 + i) * 2]!;
      const pl = T[((k - 1) * 256 + i) * 2 + 1]!;
      // next = T0[prev & 0xff] ^ (prev >> 8)
      const idx = (pl & 0xff) * 2;
      T[(k * 256 + i) * 2] = T[idx]! ^ (ph >>> 8);
      T[(k * 256 + i) * 2 + 1] = T[idx + 1]! ^ ((pl >>> 8) | (ph << 24));
    }
  }
})();

/** Running CRC state as two u32 halves (already inverted: the "inside" form). */
export interface Crc64State { hi: number; lo: number }

// result halves of the last crcRaw() call (int32): module state instead of a returned object (no allocation per KV)
let outHi = 0;
let outLo = 0;

/** raw table update of the inside-form state (hi, lo) over p[start, end); result in outHi/outLo */
function crcRaw(hi: number, lo: number, p: Uint8Array, start: number, end: number): void {
  hi |= 0;
  lo |= 0;
  let i = start;
  const end8 = end - ((end - start) & 7);
  while (i < end8) {
    const l = lo ^ (p[i]! | (p[i + 1]! << 8) | (p[i + 2]! << 16) | (p[i + 3]! << 24));
    const h = hi ^ (p[i + 4]! | (p[i + 5]! << 8) | (p[i + 6]! << 16) | (p[i + 7]! << 24));
    const a = (7 * 256 + (l & 0xff)) << 1, b = (6 * 256 + ((l >>> 8) & 0xff)) << 1;
    const c = (5 * 256 + ((l >>> 16) & 0xff)) << 1, d = (4 * 256 + (l >>> 24)) << 1;
    const e = (3 * 256 + (h & 0xff)) << 1, f = (2 * 256 + ((h >>> 8) & 0xff)) << 1;
    const g = (256 + ((h >>> 16) & 0xff)) << 1, k = (h >>> 24) << 1;
    hi = T[a]! ^ T[b]! ^ T[c]! ^ T[d]! ^ T[e]! ^ T[f]! ^ T[g]! ^ T[k]!;
    lo = T[a + 1]! ^ T[b + 1]! ^ T[c + 1]! ^ T[d + 1]! ^ T[e + 1]! ^ T[f + 1]! ^ T[g + 1]! ^ T[k + 1]!;
    i += 8;
  }
  while (i < end) {
    const idx = ((lo ^ p[i]!) & 0xff) << 1;
    lo = ((lo >>> 8) | (hi << 24)) ^ T[idx + 1]!;
    hi = (hi >>> 8) ^ T[idx]!;
    i++;
  }
  outHi = hi;
  outLo = lo;
}

/** Go crc64.Update(crc, ECMA, p) on (hi, lo) halves; returns the new (outside) CRC halves in `out`. */
export function crc64UpdateHalves(out: Crc64State, p: Uint8Array, start = 0, end = p.length): Crc64State {
  crcRaw(~out.hi >>> 0, ~out.lo >>> 0, p, start, end);
  out.hi = ~outHi >>> 0;
  out.lo = ~outLo >>> 0;
  return out;
}

/**
 * crc64(p[start, end)) from a zero CRC, XORed into acc (acc.hi/acc.lo): the per-pair step of the KV checksum,
 * allocation-free.
 */
export function crc64XorInto(acc: Crc64State, p: Uint8Array, start: number, end: number): void {
  crcRaw(-1, -1, p, start, end);
  acc.hi = (acc.hi ^ ~outHi) >>> 0;
  acc.lo = (acc.lo ^ ~outLo) >>> 0;
}

/** crc64.Update(crc, ECMA, data) with BigInt in/out (convenience; the hot path uses halves). */
export function crc64Update(crc: bigint, data: Uint8Array): bigint {
  const st = { hi: Number(crc >> 32n), lo: Number(crc & 0xffffffffn) };
  crc64UpdateHalves(st, data);
  return (BigInt(st.hi) << 32n) | BigInt(st.lo);
}

export function crc64(data: Uint8Array): bigint {
  return crc64Update(0n, data);
}
