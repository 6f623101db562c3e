// CRC-64/XZ: the ECMA-182 polynomial reflected, in Go's crc64.Update convention (what TiKV's checksum uses).
// A small table implementation so the simulator does not depend on the codec under development.
const POLY = 0xc96c5795d7870f42n;
const MASK = (1n << 64n) - 1n;
const TABLE: bigint[] = [];
for (let i = 0; i < 256; i++) {
  let c = BigInt(i);
  for (let k = 0; k < 8; k++) c = c & 1n ? (c >> 1n) ^ POLY : c >> 1n;
  TABLE.push(c);
}

export function crc64Update(crc: bigint, data: Uint8Array): bigint {
  let c = ~crc & MASK;
  for (const b of data) c = TABLE[Number((c ^ BigInt(b)) & 0xffn)]! ^ (c >> 8n);
  return ~c & MASK;
}
