// UTF-8 decoding like Go's utf8.DecodeRune: invalid sequences yield U+FFFD and advance one byte.

/** decodes the rune at b[i]; returns rune * 8 + width (width 1..4) to avoid allocating a pair */
export function decodeRune(b: Uint8Array, i: number): number {
  const c0 = b[i]!;
  if (c0 < 0x80) return c0 * 8 + 1;
  const n = b.length;
  if (c0 >= 0xc2 && c0 < 0xe0) {
    const c1 = b[i + 1];
    if (i + 1 < n && c1 !== undefined && (c1 & 0xc0) === 0x80) return (((c0 & 0x1f) << 6) | (c1 & 0x3f)) * 8 + 2;
  } else if (c0 >= 0xe0 && c0 < 0xf0) {
    const c1 = b[i + 1], c2 = b[i + 2];
    if (c1 !== undefined && c2 !== undefined && (c1 & 0xc0) === 0x80 && (c2 & 0xc0) === 0x80) {
      const r = ((c0 & 0x0f) << 12) | ((c1 & 0x3f) << 6) | (c2 & 0x3f);
      if (r >= 0x800 && (r < 0xd800 || r > 0xdfff)) return r * 8 + 3;
    }
  } else if (c0 >= 0xf0 && c0 < 0xf5) {
    const c1 = b[i + 1], c2 = b[i + 2], c3 = b[i + 3];
    if (c1 !== undefined && c2 !== undefined && c3 !== undefined && (c1 & 0xc0) === 0x80 && (c2 & 0xc0) === 0x80 && (c3 & 0xc0) === 0x80) {
      const r = ((c0 & 0x07) << 18) | ((c1 & 0x3f) << 12) | ((c2 & 0x3f) << 6) | (c3 & 0x3f);
      if (r >= 0x10000 && r <= 0x10ffff) return r * 8 + 4;
    }
  }
  return 0xfffd * 8 + 1;
}

/** number of runes (Go's utf8.RuneCount semantics) */
export function runeCount(b: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < b.length; n++) i += decodeRune(b, i) & 7;
  return n;
}

/** byte length of the first `chars` runes */
export function runePrefixLen(b: Uint8Array, chars: number): number {
  let i = 0;
  for (let n = 0; n < chars && i < b.length; n++) i += decodeRune(b, i) & 7;
  return i;
}

export function trimTrailingSpace(b: Buffer): Buffer {
  let e = b.length;
  while (e > 0 && b[e - 1] === 0x20) e--;
  return e === b.length ? b : b.subarray(0, e);
}
