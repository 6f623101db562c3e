// gbk_bin and gbk_chinese_ci (TiDB new-collation framework). gbk_bin: the GBK bytes of each rune ('?' when a
// rune has no GBK mapping). gbk_chinese_ci: a u16 weight per rune (1 byte if <= 0xFF) — single-byte GBK
// codes use MySQL's sort_order_gbk (ASCII upper-cased, with its '['/'\\'/']'/'~' quirks), two-byte codes
// need MySQL's gbk_order table (see ./gbk-order.ts).
import iconv from 'iconv-lite';
import { decodeRune } from './utf8.js';
import { gbkOrderWeight } from './gbk-order.js';

let enc: Int32Array | null = null; // rune → GBK code (1 or 2 bytes), -1 = unmappable

function table(): Int32Array {
  if (enc) return enc;
  const t = new Int32Array(0x10000).fill(-1);
  for (let r = 0; r < 0x80; r++) t[r] = r;
  // decode every two-byte GBK code and invert (the decoder is the source of truth for valid codes)
  for (let hi = 0x81; hi <= 0xfe; hi++) {
    for (let lo = 0x40; lo <= 0xfe; lo++) {
      if (lo === 0x7f) continue;
      const s = iconv.decode(Buffer.from([hi, lo]), 'gbk');
      if (s.length !== 1) continue;
      const r = s.charCodeAt(0);
      if (r === 0xfffd || r < 0x80) continue;
      if (t[r] === -1) t[r] = (hi << 8) | lo;
    }
  }
  return (enc = t);
}

/** GBK code for a rune, or -1 */
export function gbkCode(r: number): number {
  if (r > 0xffff) return -1;
  return table()[r]!;
}

export function gbkBinKey(s: Buffer): Buffer {
  const out = Buffer.allocUnsafe(s.length * 2);
  let o = 0;
  for (let i = 0; i < s.length;) {
    const rw = decodeRune(s, i);
    i += rw & 7;
    const c = gbkCode(Math.floor(rw / 8));
    if (c < 0) out[o++] = 0x3f;
    else if (c < 0x100) out[o++] = c;
    else { out[o++] = c >> 8; out[o++] = c & 0xff; }
  }
  return out.subarray(0, o);
}

// MySQL sort_order_gbk for 0x00-0x7F: identity except a-z → A-Z and these quirks.
function singleWeight(c: number): number {
  if (c >= 0x61 && c <= 0x7a) return c - 0x20;
  if (c === 0x5b) return 0x5c;
  if (c === 0x5d) return 0x5b;
  if (c === 0x7e) return 0x59;
  return c;
}

export function gbkChineseCIKey(s: Buffer): Buffer {
  const out = Buffer.allocUnsafe(s.length * 2);
  let o = 0;
  for (let i = 0; i < s.length;) {
    const rw = decodeRune(s, i);
    i += rw & 7;
    const r = Math.floor(rw / 8);
    const c = gbkCode(r);
    let w: number;
    if (c < 0) w = 0x3f;
    else if (c < 0x100) w = singleWeight(c);
    else w = gbkOrderWeight(c);
    if (w > 0xff) out[o++] = w >> 8;
    out[o++] = w & 0xff;
  }
  return out.subarray(0, o);
}
