// utf8mb4_general_ci: one u16 weight per rune from MySQL's case-folding planes (my_unicase_default:
// planes 00-05, 1E, 1F, 21, 24, FF carry tables; other BMP runes weigh their own code point; runes above
// U+FFFF weigh 0xFFFD). MySQL's table is "upper case, accents stripped": we derive it from the JS
// engine's Unicode data (toUpperCase, then the base of a canonical decomposition).
const PLANES = new Set([0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x1e, 0x1f, 0x21, 0x24, 0xff]);
let table: Uint16Array | null = null;

function build(): Uint16Array {
  const t = new Uint16Array(0x10000);
  for (let r = 0; r < 0x10000; r++) t[r] = r;
  for (const p of PLANES) {
    for (let r = p << 8; r < (p + 1) << 8; r++) {
      if (r >= 0xd800 && r <= 0xdfff) continue;
      const up = String.fromCharCode(r).toUpperCase();
      let w = up.codePointAt(0)!;
      const nfd = up.normalize('NFD');
      if (nfd.length > 1 || (up.length > 1 && nfd.length >= 1)) w = nfd.codePointAt(0)!;
      t[r] = w > 0xffff ? r : w;
    }
  }
  return t;
}

export function generalCIWeights(): Uint16Array {
  return (table ??= build());
}
