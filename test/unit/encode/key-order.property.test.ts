// Property: memcomparable index keys sort exactly as TiDB orders the values. For strings "TiDB's order" is
// built from the collation's definition and TiDB's own bytes, never from our encoder: every collation here
// compares strings as sequences of per-character weights (no contractions in TiDB), after dropping trailing
// spaces for PAD SPACE collations; the weights of each character are TiDB's key for that one character (the
// single-character collation-key vectors). Pairs of whole vector inputs are also compared by TiDB's keys.
// Numbers, times and durations must sort numerically. 2,000 pairs per case by default;
// LIGHTNING_RELIABILITY=full runs 100,000.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import fc from 'fast-check';
import { encodeKey, K, type Datum } from '../../../src/encode/datum.js';
import { pack } from '../../../src/encode/codec/time.js';
import { parseDecimal } from '../../../src/encode/codec/decimal.js';
import { Tp } from '../../../src/encode/types.js';

const RUNS = process.env.LIGHTNING_RELIABILITY === 'full' ? 100_000 : 2_000;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const file = path.join(root, '..', 'shared', 'vectors', 'collation-key.json');

interface Vec { collation: string; input: string; expect: string }

const NO_PAD = new Set(['binary', 'utf8mb4_0900_ai_ci', 'utf8mb4_0900_bin']);
const BYTE_ORDER = new Set(['binary', 'ascii_bin', 'latin1_bin', 'utf8mb4_bin', 'utf8_bin', 'utf8mb4_0900_bin']);

/** TiDB's weights as numbers: u16 for the UCA/general_ci family, 1-or-2-byte codes for gbk, bytes otherwise */
function weights(coll: string, key: Buffer): number[] {
  const out: number[] = [];
  if (coll.startsWith('gbk')) {
    for (let i = 0; i < key.length;) {
      if (key[i]! >= 0x81 && i + 1 < key.length) { out.push((key[i]! << 8) | key[i + 1]!); i += 2; } else out.push(key[i++]!);
    }
  } else if (BYTE_ORDER.has(coll)) out.push(...key);
  else for (let i = 0; i + 1 < key.length; i += 2) out.push((key[i]! << 8) | key[i + 1]!);
  return out;
}

function lexCompare(a: number[], b: number[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return Math.sign(a.length - b.length);
}

const strDatum = (coll: string, s: Buffer): Datum => (coll === 'binary' ? { k: K.Bytes, v: s } : { k: K.String, v: s, coll });
const keyCmp = (a: Datum[], b: Datum[]): number => Math.sign(Buffer.compare(encodeKey(a), encodeKey(b)));

const vectors: Vec[] = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Vec[]) : [];
const collations = [...new Set(vectors.map((v) => v.collation))];
const allChars = [...new Set(vectors.flatMap((v) => [...Buffer.from(v.input, 'hex').toString('utf8')]))].filter((c) => c !== '\ufffd');

test('collation keys sort in TiDB order (per-character weights from TiDB, random strings)', { skip: vectors.length === 0 && 'no vectors' }, () => {
  assert.ok(collations.length >= 13);
  for (const [ci, coll] of collations.entries()) {
    const pad = !NO_PAD.has(coll);
    // the alphabet: characters TiDB gave a key for on their own (a lone space is trimmed by PAD SPACE: skip it)
    const alphabet = new Map<string, number[]>();
    for (const v of vectors) {
      if (v.collation !== coll) continue;
      const input = Buffer.from(v.input, 'hex');
      const s = input.toString('utf8');
      if ([...s].length !== 1 || !Buffer.from(s, 'utf8').equals(input) || (pad && s === ' ')) continue;
      alphabet.set(s, weights(coll, Buffer.from(v.expect, 'hex')));
    }
    if (BYTE_ORDER.has(coll)) {
      // _bin/binary collations are defined as byte order of the (UTF-8) string: any character will do
      for (const ch of allChars) if (!(pad && ch === ' ') && (coll !== 'ascii_bin' || ch < '\x80')) alphabet.set(ch, [...Buffer.from(ch)]);
    }
    assert.ok(alphabet.size >= 20, `${coll}: only ${alphabet.size} characters with known weights`);
    const chars = [...alphabet.keys()];
    const str = fc.tuple(fc.array(fc.constantFrom(...chars), { maxLength: 10 }), fc.integer({ min: 0, max: 3 }));
    // NO PAD collations count trailing spaces like any character (only when TiDB told us the space weight)
    const useSpaces = pad || alphabet.has(' ');
    const space = alphabet.get(' ') ?? [];
    const tidbWeights = ([cs, n]: [string[], number]): number[] =>
      [...cs.flatMap((c) => alphabet.get(c)!), ...(pad || !useSpaces ? [] : Array.from({ length: n }, () => space).flat())];
    const text = ([cs, n]: [string[], number]): Buffer => Buffer.from(cs.join('') + (useSpaces ? ' '.repeat(n) : ''));
    fc.assert(fc.property(str, str, fc.integer({ min: -3, max: 3 }), fc.integer({ min: -3, max: 3 }), (a, b, i, j) => {
      const want = lexCompare(tidbWeights(a), tidbWeights(b));
      const sa = strDatum(coll, text(a)), sb = strDatum(coll, text(b));
      if (keyCmp([sa], [sb]) !== want) return false;
      // composite key (string, int): the string must fully decide before the int is looked at
      return keyCmp([sa, { k: K.Int, v: i }], [sb, { k: K.Int, v: j }]) === (want !== 0 ? want : Math.sign(i - j));
    }), { numRuns: RUNS, seed: 0xc011 + ci });
  }
});

test('collation keys sort like TiDB keys for pairs of vector inputs', { skip: vectors.length === 0 && 'no vectors' }, () => {
  for (const [ci, coll] of collations.entries()) {
    const vs = vectors.filter((v) => v.collation === coll);
    fc.assert(fc.property(fc.constantFrom(...vs), fc.constantFrom(...vs), (a, b) => {
      const want = Math.sign(Buffer.compare(Buffer.from(a.expect, 'hex'), Buffer.from(b.expect, 'hex')));
      return keyCmp([strDatum(coll, Buffer.from(a.input, 'hex'))], [strDatum(coll, Buffer.from(b.input, 'hex'))]) === want;
    }), { numRuns: Math.min(RUNS, vs.length * vs.length), seed: 0xbeef + ci });
  }
});

test('numeric, time and duration keys sort numerically', () => {
  const runs = { numRuns: RUNS, seed: 0x0dd };
  const i64 = fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n });
  fc.assert(fc.property(i64, i64, (a, b) => keyCmp([{ k: K.Int, v: a }], [{ k: K.Int, v: b }]) === (a < b ? -1 : a > b ? 1 : 0)), runs);
  const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
  fc.assert(fc.property(u64, u64, (a, b) => keyCmp([{ k: K.Uint, v: a }], [{ k: K.Uint, v: b }]) === (a < b ? -1 : a > b ? 1 : 0)), runs);
  const dbl = fc.double({ noNaN: true });
  fc.assert(fc.property(dbl, dbl, (a, b) => keyCmp([{ k: K.Float, v: a }], [{ k: K.Float, v: b }]) === (a < b ? -1 : a > b ? 1 : 0)), runs);
  // DECIMAL(20,6): random digit strings, compared as exact rationals (scaled bigints)
  const dec = fc.tuple(fc.boolean(), fc.bigInt({ min: 0n, max: 10n ** 14n - 1n }), fc.bigInt({ min: 0n, max: 999999n }))
    .map(([neg, i, f]) => ({ text: `${neg ? '-' : ''}${i}.${f.toString().padStart(6, '0')}`, scaled: (neg ? -1n : 1n) * (i * 1000000n + f) }));
  const decDatum = (t: string): Datum => ({ k: K.Decimal, v: parseDecimal(t)!, prec: 20, frac: 6 });
  fc.assert(fc.property(dec, dec, (a, b) => keyCmp([decDatum(a.text)], [decDatum(b.text)]) === (a.scaled < b.scaled ? -1 : a.scaled > b.scaled ? 1 : 0)), runs);
  const dt = fc.date({ min: new Date('1000-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true });
  const timeDatum = (d: Date, micro: number): Datum => ({ k: K.Time, tp: Tp.Datetime, fsp: 6, v: pack({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds(), micro }) });
  const us = fc.integer({ min: 0, max: 999999 });
  fc.assert(fc.property(dt, us, dt, us, (a, ua, b, ub) => {
    // microseconds since the epoch exceed 2^53 near year 9999: compare as bigints
    const x = BigInt(Math.floor(a.getTime() / 1000)) * 1000000n + BigInt(ua), y = BigInt(Math.floor(b.getTime() / 1000)) * 1000000n + BigInt(ub);
    return keyCmp([timeDatum(a, ua)], [timeDatum(b, ub)]) === (x < y ? -1 : x > y ? 1 : 0);
  }), runs);
  const dur = fc.integer({ min: -3020399000000, max: 3020399000000 }).map((us2) => us2 * 1000);
  fc.assert(fc.property(dur, dur, (a, b) => keyCmp([{ k: K.Duration, v: a, fsp: 6 }], [{ k: K.Duration, v: b, fsp: 6 }]) === Math.sign(a - b)), runs);
});
