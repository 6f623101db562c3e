// Collation sort keys (TiDB util/collate with new collations enabled): Key(str) per collation name.
import { decodeRune, trimTrailingSpace } from './utf8.js';
import { generalCIWeights } from './general-ci.js';
import { gbkBinKey, gbkChineseCIKey } from './gbk.js';
import { unicodeCIKey, uca0900Key } from './uca.js';
import { LightningError, Codes } from '../../errors.js';

export type CollationKeyFn = (s: Buffer) => Buffer;

const identity: CollationKeyFn = (s) => s;

function generalCI(s: Buffer): Buffer {
  s = trimTrailingSpace(s);
  const t = generalCIWeights();
  const out = Buffer.allocUnsafe(s.length * 2);
  let o = 0;
  for (let i = 0; i < s.length;) {
    const c = s[i]!;
    let r: number;
    if (c < 0x80) { r = c; i++; } else { const rw = decodeRune(s, i); i += rw & 7; r = Math.floor(rw / 8); }
    const w = r > 0xffff ? 0xfffd : t[r]!;
    out[o++] = w >> 8;
    out[o++] = w & 0xff;
  }
  return out.subarray(0, o);
}

const COLLATIONS: Record<string, CollationKeyFn> = {
  binary: identity,
  utf8mb4_bin: trimTrailingSpace,
  utf8_bin: trimTrailingSpace,
  latin1_bin: trimTrailingSpace,
  ascii_bin: trimTrailingSpace,
  utf8mb4_general_ci: generalCI,
  utf8_general_ci: generalCI,
  utf8mb4_unicode_ci: (s) => unicodeCIKey(trimTrailingSpace(s)),
  utf8_unicode_ci: (s) => unicodeCIKey(trimTrailingSpace(s)),
  utf8mb4_0900_ai_ci: uca0900Key,
  utf8mb4_0900_bin: identity,
  gbk_bin: (s) => gbkBinKey(trimTrailingSpace(s)),
  gbk_chinese_ci: (s) => gbkChineseCIKey(trimTrailingSpace(s)),
};

export function collatorFor(name: string): CollationKeyFn {
  const f = COLLATIONS[name.toLowerCase()];
  if (!f) throw new LightningError(Codes.NotImplemented, `collation ${name} is not supported`);
  return f;
}

export function collationKey(name: string, s: Buffer): Buffer {
  return collatorFor(name)(s);
}

/** TiDB collate.IsBinCollation (v7.4+ also utf8mb4_0900_bin) */
export function isBinCollation(name: string): boolean {
  const n = name.toLowerCase();
  return n === 'utf8mb4_bin' || n === 'utf8_bin' || n === 'latin1_bin' || n === 'ascii_bin' || n === 'binary' || n === 'utf8mb4_0900_bin';
}

export function isCICollation(name: string): boolean {
  return name.toLowerCase().endsWith('_ci');
}

export function supportedCollations(): string[] {
  return Object.keys(COLLATIONS);
}
