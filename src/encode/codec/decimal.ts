// MySQL/TiDB decimals as digit strings (types/mydecimal.go semantics): parse, round half away from zero,
// and the binary form decimal2bin (MyDecimal.WriteBin) used in keys, values and row v2.
import type { Writer } from './writer.js';

export interface Dec {
  neg: boolean;
  /** integer digits without leading zeros ('' for 0) */
  int: string;
  /** fraction digits (may have trailing zeros) */
  frac: string;
}

const DIG2BYTES = [0, 1, 1, 2, 2, 3, 3, 4, 4, 4];
const RE = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** Parse decimal text (leading/trailing spaces allowed); null if not a number. */
export function parseDecimal(text: string): Dec | null {
  const m = RE.exec(text.trim());
  if (!m) return null;
  let int = m[2] ?? '';
  let frac = m[3] ?? '';
  if (int === '' && frac === '') return null;
  const exp = m[4] ? parseInt(m[4], 10) : 0;
  if (exp > 0) {
    const move = frac.slice(0, exp).padEnd(exp, '0');
    int += move;
    frac = frac.slice(exp);
  } else if (exp < 0) {
    const k = -exp;
    const padded = int.padStart(k, '0');
    frac = padded.slice(padded.length - k) + frac;
    int = padded.slice(0, padded.length - k);
  }
  int = int.replace(/^0+/, '');
  const d: Dec = { neg: m[1] === '-', int, frac };
  if (isZero(d)) d.neg = false;
  return d;
}

export function isZero(d: Dec): boolean {
  return d.int === '' && /^0*$/.test(d.frac);
}

/** Round to `frac` digits, half away from zero (ModeHalfUp in TiDB). */
export function roundDec(d: Dec, frac: number): Dec {
  if (d.frac.length <= frac) return { neg: d.neg, int: d.int, frac: d.frac.padEnd(frac, '0') };
  const keep = d.frac.slice(0, frac);
  const up = d.frac.charCodeAt(frac) >= 0x35; // '5'
  let digits = d.int + keep;
  if (up) {
    const arr = digits.split('');
    let i = arr.length - 1;
    for (; i >= 0; i--) {
      if (arr[i] === '9') arr[i] = '0';
      else { arr[i] = String.fromCharCode(arr[i]!.charCodeAt(0) + 1); break; }
    }
    digits = (i < 0 ? '1' : '') + arr.join('');
  }
  const intLen = digits.length - frac;
  const r: Dec = { neg: d.neg, int: digits.slice(0, intLen).replace(/^0+/, ''), frac: digits.slice(intLen) };
  if (isZero(r)) r.neg = false;
  return r;
}

export function decToString(d: Dec): string {
  return (d.neg ? '-' : '') + (d.int || '0') + (d.frac ? '.' + d.frac : '');
}

/** Largest value of DECIMAL(prec, frac). */
export function maxDec(prec: number, frac: number, neg: boolean): Dec {
  return { neg, int: '9'.repeat(prec - frac), frac: '9'.repeat(frac) };
}

/** decimal2bin: 9-digit words, partial words by DIG2BYTES, negatives inverted, top bit flipped. */
export function writeDecimalBin(w: Writer, d: Dec, prec: number, frac: number): void {
  const intg = prec - frac;
  const ints = intg === 0 ? '' : d.int.padStart(intg, '0').slice(-intg);
  const fracs = d.frac.padEnd(frac, '0').slice(0, frac);
  const mask = d.neg ? 0xff : 0;
  const start = w.pos;
  const lead = intg % 9;
  let p = 0;
  if (lead > 0) {
    writeWord(w, parseInt(ints.slice(0, lead), 10), DIG2BYTES[lead]!, mask);
    p = lead;
  }
  for (; p < intg; p += 9) writeWord(w, parseInt(ints.slice(p, p + 9), 10), 4, mask);
  const fullFrac = Math.floor(frac / 9) * 9;
  for (let q = 0; q < fullFrac; q += 9) writeWord(w, parseInt(fracs.slice(q, q + 9), 10), 4, mask);
  const trail = frac % 9;
  if (trail > 0) writeWord(w, parseInt(fracs.slice(fullFrac), 10), DIG2BYTES[trail]!, mask);
  if (w.pos > start) w.buf[start] = w.buf[start]! ^ 0x80;
}

function writeWord(w: Writer, v: number, n: number, mask: number): void {
  for (let i = n - 1; i >= 0; i--) w.u8(((v / 2 ** (8 * i)) & 0xff) ^ mask);
}

export function decimalBinSize(prec: number, frac: number): number {
  const intg = prec - frac;
  return Math.floor(intg / 9) * 4 + DIG2BYTES[intg % 9]! + Math.floor(frac / 9) * 4 + DIG2BYTES[frac % 9]!;
}

export function readDecimalBin(b: Uint8Array, off: number, prec: number, frac: number): [Dec, number] {
  const size = decimalBinSize(prec, frac);
  if (off + size > b.length) throw new RangeError('decimal: insufficient data');
  const buf = Buffer.from(b.subarray(off, off + size));
  const neg = (buf[0]! & 0x80) === 0;
  buf[0] = buf[0]! ^ 0x80;
  if (neg) for (let i = 0; i < size; i++) buf[i] = buf[i]! ^ 0xff;
  let p = 0;
  const read = (n: number): number => {
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 256 + buf[p++]!;
    return v;
  };
  const intg = prec - frac;
  let ints = '';
  const lead = intg % 9;
  if (lead > 0) ints += String(read(DIG2BYTES[lead]!)).padStart(lead, '0');
  for (let i = lead; i < intg; i += 9) ints += String(read(4)).padStart(9, '0');
  let fracs = '';
  for (let i = 0; i < Math.floor(frac / 9); i++) fracs += String(read(4)).padStart(9, '0');
  const trail = frac % 9;
  if (trail > 0) fracs += String(read(DIG2BYTES[trail]!)).padStart(trail, '0');
  const d: Dec = { neg, int: ints.replace(/^0+/, ''), frac: fracs };
  if (isZero(d)) d.neg = false;
  return [d, size];
}
