// UCA-based collations. Key = every non-zero primary weight of every rune as u16be (no contractions, like
// TiDB). utf8mb4_unicode_ci: UCA 4.0.0, PAD SPACE (caller trims), runes above U+FFFF weigh 0xFFFD.
// utf8mb4_0900_ai_ci: DUCET 9.0.0, NO PAD, table up to U+2CEA1. Code points without a table entry get the
// UCA implicit weights (base FB40 core CJK, FB80 CJK extensions, FB00 Tangut (9.0), FBC0 otherwise).
import { DATA as DATA400 } from './uca400-data.js';
import { DATA as DATA900 } from './uca0900-data.js';
import { decodeRune } from './utf8.js';

interface UcaTable {
  /** per code point: offset into weights (with count in the top byte), or -1 = implicit */
  index: Int32Array;
  weights: Uint16Array;
}

function load(b64: string, maxCp: number): UcaTable {
  const blob = Buffer.from(b64, 'base64');
  const index = new Int32Array(maxCp + 1).fill(-1);
  const ws: number[] = [];
  for (let p = 0; p < blob.length;) {
    const cp = blob[p]! | (blob[p + 1]! << 8) | (blob[p + 2]! << 16);
    const n = blob[p + 3]!;
    p += 4;
    if (cp <= maxCp) index[cp] = ws.length | (n << 24);
    for (let i = 0; i < n; i++, p += 2) ws.push(blob[p]! | (blob[p + 1]! << 8));
  }
  return { index, weights: Uint16Array.from(ws) };
}

let t400: UcaTable | null = null;
let t900: UcaTable | null = null;

function implicit400(r: number): number {
  if (r >= 0x4e00 && r <= 0x9fa5) return 0xfb40;
  if ((r >= 0x3400 && r <= 0x4db5) || (r >= 0x20000 && r <= 0x2a6d6)) return 0xfb80;
  return 0xfbc0;
}

const CJK_COMPAT_UNIFIED = new Set([0xfa0e, 0xfa0f, 0xfa11, 0xfa13, 0xfa14, 0xfa1f, 0xfa21, 0xfa23, 0xfa24, 0xfa27, 0xfa28, 0xfa29]);
function implicit900(r: number): number {
  if (r > 0x2cea1) return 0xfbc0;
  if ((r >= 0x4e00 && r <= 0x9fd5) || CJK_COMPAT_UNIFIED.has(r)) return 0xfb40;
  if ((r >= 0x3400 && r <= 0x4db5) || (r >= 0x20000 && r <= 0x2a6d6) || (r >= 0x2a700 && r <= 0x2b734) ||
    (r >= 0x2b740 && r <= 0x2b81d) || (r >= 0x2b820 && r <= 0x2cea1)) return 0xfb80;
  return 0xfbc0;
}

function keyWith(s: Buffer, t: UcaTable, maxCp: number, big: (r: number) => number[] | null, implicitBase: (r: number) => number): Buffer {
  const out = Buffer.allocUnsafe(s.length * 4 + 16);
  let o = 0;
  const put = (w: number): void => {
    if (o + 2 > out.length) throw new RangeError('uca: key buffer overflow');
    out[o++] = w >> 8;
    out[o++] = w & 0xff;
  };
  let grow: Buffer[] | null = null;
  for (let i = 0; i < s.length;) {
    const rw = decodeRune(s, i);
    i += rw & 7;
    const r = Math.floor(rw / 8);
    const special = big(r);
    if (special) { for (const w of special) put(w); }
    else {
      const e = r <= maxCp ? t.index[r]! : -1;
      if (e >= 0) {
        const n = e >>> 24, off = e & 0xffffff;
        if (o + n * 2 > out.length) { (grow ??= []).push(Buffer.from(out.subarray(0, o))); o = 0; }
        for (let k = 0; k < n; k++) put(t.weights[off + k]!);
      } else {
        const base = implicitBase(r);
        if (base === 0xfb00) { put(0xfb00); put(((r - 0x17000) | 0x8000) & 0xffff); }
        else { put(base + (r >> 15)); put((r & 0x7fff) | 0x8000); }
      }
    }
    if (o + 32 > out.length && i < s.length) { (grow ??= []).push(Buffer.from(out.subarray(0, o))); o = 0; }
  }
  const tail = out.subarray(0, o);
  return grow ? Buffer.concat([...grow, tail]) : tail;
}

const FFFD = [0xfffd];
/** utf8mb4_unicode_ci key of an already space-trimmed string */
export function unicodeCIKey(s: Buffer): Buffer {
  t400 ??= load(DATA400, 0xffff);
  return keyWith(s, t400, 0xffff, (r) => (r > 0xffff ? FFFD : null), implicit400);
}

/** utf8mb4_0900_ai_ci key (NO PAD: nothing trimmed) */
export function uca0900Key(s: Buffer): Buffer {
  t900 ??= load(DATA900, 0x2cea1);
  return keyWith(s, t900, 0x2cea1, () => null, (r) => (r >= 0x17000 && r <= 0x18aff ? 0xfb00 : implicit900(r)));
}
