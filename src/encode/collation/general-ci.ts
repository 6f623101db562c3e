// utf8mb4_general_ci: one u16 weight per rune from MySQL's case-folding planes (my_unicase_default). Runes
// without a table entry weigh their own code point; runes above U+FFFF weigh 0xFFFD (TiDB). The pairs are
// generated (gen/gen_general_ci.py) from Unicode 3.0-era data, which is what MySQL's planes hold.
import { GENERAL_CI_PAIRS } from './general-ci-data.js';

let table: Uint16Array | null = null;

export function generalCIWeights(): Uint16Array {
  if (table) return table;
  const t = new Uint16Array(0x10000);
  for (let r = 0; r < 0x10000; r++) t[r] = r;
  for (let i = 0; i < GENERAL_CI_PAIRS.length; i += 2) t[GENERAL_CI_PAIRS[i]!] = GENERAL_CI_PAIRS[i + 1]!;
  return (table = t);
}
