// Memcomparable bytes (groups of 8 + marker) and compact bytes (util/codec/bytes.go).
import type { Writer } from './writer.js';
import { encodeVarint, decodeVarint } from './number.js';

export function encodeBytes(w: Writer, data: Uint8Array): void {
  const n = data.length;
  w.ensure((Math.floor(n / 8) + 1) * 9);
  const buf = w.buf;
  let p = w.pos;
  for (let i = 0; i <= n; i += 8) {
    const rem = n - i;
    if (rem >= 8) {
      buf.set(data.subarray(i, i + 8), p);
      buf[p + 8] = 0xff;
      p += 9;
    } else {
      buf.set(data.subarray(i, n), p);
      buf.fill(0, p + rem, p + 8);
      buf[p + 8] = 0xff - (8 - rem);
      p += 9;
    }
  }
  w.pos = p;
}

/** returns [decoded bytes, bytes consumed] */
export function decodeBytes(b: Uint8Array, off: number): [Buffer, number] {
  const parts: Uint8Array[] = [];
  let p = off;
  for (;;) {
    if (p + 9 > b.length) throw new RangeError('bytes: insufficient data');
    const marker = b[p + 8]!;
    const pad = 0xff - marker;
    if (pad > 8) throw new RangeError(`bytes: invalid marker ${marker}`);
    parts.push(b.subarray(p, p + 8 - pad));
    for (let i = 8 - pad; i < 8; i++) if (b[p + i] !== 0) throw new RangeError('bytes: invalid padding');
    p += 9;
    if (pad !== 0) break;
  }
  return [Buffer.concat(parts), p - off];
}

export function encodeCompactBytes(w: Writer, data: Uint8Array): void {
  encodeVarint(w, data.length);
  w.bytes(data);
}

export function decodeCompactBytes(b: Uint8Array, off: number): [Buffer, number] {
  const [len, n] = decodeVarint(b, off);
  const l = Number(len);
  if (l < 0 || off + n + l > b.length) throw new RangeError('compact bytes: insufficient data');
  return [Buffer.from(b.subarray(off + n, off + n + l)), n + l];
}
