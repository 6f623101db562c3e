// CRC-32 (IEEE, the one MySQL's CRC32() computes), slicing-by-8, over a byte range of any Buffer without making
// a view. Why not zlib.crc32: the content checksum hashes every field of every row, and one native call per
// field (plus a subarray) was 2.7x slower than this loop on 200-byte sysbench rows (bench/crc32).
// State convention: start from CRC32_INIT, update, then crc32Final() gives the value CRC32() returns.

const T = new Int32Array(256 * 8);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  T[n] = c;
}
for (let n = 0; n < 256; n++) for (let t = 1; t < 8; t++) T[t * 256 + n] = T[T[(t - 1) * 256 + n]! & 0xff]! ^ (T[(t - 1) * 256 + n]! >>> 8);

export const CRC32_INIT = -1;

export function crc32Update(crc: number, b: Uint8Array, start: number, end: number): number {
  let i = start;
  for (; i + 8 <= end; i += 8) {
    const a = (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) ^ crc;
    crc = T[1792 + (a & 0xff)]! ^ T[1536 + ((a >>> 8) & 0xff)]! ^ T[1280 + ((a >>> 16) & 0xff)]! ^ T[1024 + (a >>> 24)]! ^
      T[768 + b[i + 4]!]! ^ T[512 + b[i + 5]!]! ^ T[256 + b[i + 6]!]! ^ T[b[i + 7]!]!;
  }
  for (; i < end; i++) crc = T[(crc ^ b[i]!) & 0xff]! ^ (crc >>> 8);
  return crc;
}

export function crc32Byte(crc: number, byte: number): number {
  return T[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
}

export function crc32Final(crc: number): number {
  return ~crc >>> 0;
}
