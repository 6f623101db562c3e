// Snappy framing format (what Go's snappy.NewReader reads, and so what Lightning accepts for `.snappy`):
// stream identifier, then chunks `type(1) len(3 LE)`: 0x00 compressed / 0x01 uncompressed (each with a masked
// CRC-32C of the uncompressed data), 0xfe padding and 0x80-0xfd skippable. The block format decoder is small
// enough to keep here instead of depending on an unmaintained package.

const CRC_TABLE = (() => {
  const t = new Int32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[i] = c;
  }
  return t;
})();

export function crc32c(b: Uint8Array): number {
  let c = -1;
  for (let i = 0; i < b.length; i++) c = CRC_TABLE[(c ^ b[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

function masked(b: Uint8Array): number {
  const c = crc32c(b);
  return ((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

/** Framing-format limit on a chunk's uncompressed size: a larger length is corrupt input, not an allocation. */
export const SNAPPY_MAX_CHUNK = 65536;

/** Decode one raw snappy block of at most maxLen decoded bytes. */
export function snappyBlockDecode(src: Uint8Array, maxLen = SNAPPY_MAX_CHUNK): Buffer {
  let p = 0, len = 0, shift = 0;
  for (;;) {
    if (p >= src.length) throw new Error('snappy: truncated length');
    const c = src[p++]!;
    len += (c & 0x7f) * 2 ** shift;
    if (c < 0x80) break;
    shift += 7;
    if (shift > 32) throw new Error('snappy: bad length');
  }
  if (len > maxLen) throw new Error(`snappy: block of ${len} bytes is larger than ${maxLen}`);
  const out = Buffer.allocUnsafe(len);
  let o = 0;
  while (p < src.length) {
    const tag = src[p++]!;
    const t = tag & 3;
    if (t === 0) {
      let n = tag >>> 2;
      if (n >= 60) {
        const extra = n - 59;
        if (p + extra > src.length) throw new Error('snappy: truncated literal');
        n = 0;
        for (let k = 0; k < extra; k++) n |= src[p + k]! << (8 * k);
        n >>>= 0;
        p += extra;
      }
      n += 1;
      if (p + n > src.length || o + n > len) throw new Error('snappy: literal out of range');
      out.set(src.subarray(p, p + n), o);
      p += n; o += n;
      continue;
    }
    let n: number, off: number;
    if (t === 1) {
      if (p >= src.length) throw new Error('snappy: truncated copy');
      n = ((tag >>> 2) & 7) + 4; off = ((tag >>> 5) << 8) | src[p++]!;
    } else if (t === 2) {
      if (p + 2 > src.length) throw new Error('snappy: truncated copy');
      n = (tag >>> 2) + 1; off = src[p]! | (src[p + 1]! << 8); p += 2;
    } else {
      if (p + 4 > src.length) throw new Error('snappy: truncated copy');
      n = (tag >>> 2) + 1; off = (src[p]! | (src[p + 1]! << 8) | (src[p + 2]! << 16) | (src[p + 3]! << 24)) >>> 0; p += 4;
    }
    if (off === 0 || off > o || o + n > len) throw new Error('snappy: copy out of range');
    if (off >= n) { out.copyWithin(o, o - off, o - off + n); o += n; } else {
      for (let k = 0; k < n; k++, o++) out[o] = out[o - off]!;
    }
  }
  if (o !== len) throw new Error('snappy: decoded length mismatch');
  return out;
}

const STREAM_ID = Buffer.from([0xff, 0x06, 0x00, 0x00, 0x73, 0x4e, 0x61, 0x50, 0x70, 0x59]);

/** Incremental framing-format decoder: push compressed bytes, get decompressed buffers. */
export class SnappyFrameDecoder {
  // Unparsed input is kept as a list and joined only once a whole chunk is there: joining on every push is
  // quadratic when reads are small (a 64 KiB chunk read 1 byte at a time took seconds; found by fuzzing).
  private parts: Buffer[] = [];
  private have = 0;
  /** bytes needed before the next chunk can be decoded */
  private need = 4;
  private seenId = false;

  push(chunk: Buffer): Buffer[] {
    this.parts.push(chunk);
    this.have += chunk.length;
    if (this.have < this.need) return [];
    const b = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts);
    const out: Buffer[] = [];
    let p = 0;
    while (p + 4 <= b.length) {
      const type = b[p]!;
      const n = b[p + 1]! | (b[p + 2]! << 8) | (b[p + 3]! << 16);
      if (p + 4 + n > b.length) break;
      const body = b.subarray(p + 4, p + 4 + n);
      if (type === 0xff) {
        if (n !== 6 || !b.subarray(p, p + 10).equals(STREAM_ID)) throw new Error('snappy: bad stream identifier');
        this.seenId = true;
      } else {
        if (!this.seenId) throw new Error('snappy: missing stream identifier (not the framing format)');
        if (type === 0x00 || type === 0x01) {
          if (n < 4) throw new Error('snappy: chunk too short');
          if (type === 0x01 && n - 4 > SNAPPY_MAX_CHUNK) throw new Error(`snappy: stored chunk of ${n - 4} bytes is larger than ${SNAPPY_MAX_CHUNK}`);
          const crc = body.readUInt32LE(0);
          const data = type === 0 ? snappyBlockDecode(body.subarray(4)) : Buffer.from(body.subarray(4));
          if (masked(data) !== crc) throw new Error('snappy: checksum mismatch');
          out.push(data);
        } else if (type <= 0x7f) {
          throw new Error(`snappy: reserved unskippable chunk type 0x${type.toString(16)}`);
        } // 0x80-0xfe: skippable / padding
      }
      p += 4 + n;
    }
    const rest = b.subarray(p);
    this.parts = rest.length ? [rest] : [];
    this.have = rest.length;
    this.need = rest.length >= 4 ? 4 + (rest[1]! | (rest[2]! << 8) | (rest[3]! << 16)) : 4;
    return out;
  }

  end(): void {
    if (this.have) throw new Error('snappy: truncated stream');
  }
}
