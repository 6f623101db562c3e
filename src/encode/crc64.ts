// CRC-64/XZ = Go's crc64.Update with crc64.MakeTable(crc64.ECMA): reflected polynomial 0xC96C5795D7870F42,
// ^crc on entry and exit. Slicing-by-8 on 32-bit halves (no BigInt in the loop; anchors.md §2.4 measured
// ~400-640 MB/s this way, far above the encode budget, so no native addon).

const POLY_HI = 0xc96c5795;
const POLY_LO = 0xd7870f42;

// T[k][b] as (hi, lo) pairs: TH[k*256+b], TL[k*256+b]
const TH = new Uint32Array(8 * 256);
const TL = new Uint32Array(8 * 256);

(function build() {
  for (let i = 0; i < 256; i++) {
    let hi = 0;
    let lo = i;
    for (let j = 0; j < 8; j++) {
      const bit = lo & 1;
      lo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0;
      hi = hi >>> 1;
      if (bit) { hi = (hi ^ POLY_HI) >>> 0; lo = (lo ^ POLY_LO) >>> 0; }
    }
    TH[i] = hi;
    TL[i] = lo;
  }
  for (let k = 1; k < 8; k++) {
    for (let i = 0; i < 256; i++) {
      const ph = TH[(k - 1) * 256 + i]!;
      const pl = TL[(k - 1) * 256 + i]!;
      // next = T0[prev & 0xff] ^ (prev >> 8)
      const idx = pl & 0xff;
      const sl = ((pl >>> 8) | (ph << 24)) >>> 0;
      const sh = ph >>> 8;
      TH[k * 256 + i] = (TH[idx]! ^ sh) >>> 0;
      TL[k * 256 + i] = (TL[idx]! ^ sl) >>> 0;
    }
  }
})();

/** Running CRC state as two u32 halves (already inverted: the "inside" form). */
export interface Crc64State { hi: number; lo: number }

// result halves of the last crcRaw() call: module state instead of a returned object (no allocation per KV)
let outHi = 0;
let outLo = 0;

/** raw table update of the inside-form state (hi, lo) over p[start, end); result in outHi/outLo */
function crcRaw(hi: number, lo: number, p: Uint8Array, start: number, end: number): void {
  let i = start;
  const end8 = end - ((end - start) & 7);
  while (i < end8) {
    const l = (lo ^ (p[i]! | (p[i + 1]! << 8) | (p[i + 2]! << 16) | (p[i + 3]! << 24))) >>> 0;
    const h = (hi ^ (p[i + 4]! | (p[i + 5]! << 8) | (p[i + 6]! << 16) | (p[i + 7]! << 24))) >>> 0;
    const a = 7 * 256 + (l & 0xff), b = 6 * 256 + ((l >>> 8) & 0xff), c = 5 * 256 + ((l >>> 16) & 0xff), d = 4 * 256 + (l >>> 24);
    const e = 3 * 256 + (h & 0xff), f = 2 * 256 + ((h >>> 8) & 0xff), g = 256 + ((h >>> 16) & 0xff), k = h >>> 24;
    hi = (TH[a]! ^ TH[b]! ^ TH[c]! ^ TH[d]! ^ TH[e]! ^ TH[f]! ^ TH[g]! ^ TH[k]!) >>> 0;
    lo = (TL[a]! ^ TL[b]! ^ TL[c]! ^ TL[d]! ^ TL[e]! ^ TL[f]! ^ TL[g]! ^ TL[k]!) >>> 0;
    i += 8;
  }
  while (i < end) {
    const idx = (lo ^ p[i]!) & 0xff;
    lo = (((lo >>> 8) | (hi << 24)) ^ TL[idx]!) >>> 0;
    hi = ((hi >>> 8) ^ TH[idx]!) >>> 0;
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
  crcRaw(0xffffffff, 0xffffffff, p, start, end);
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
