// TiDB-shaped KV pairs for the sort and importer benchmarks: per row a 19-byte record key with a ~100-byte
// value and a 40-byte index key with value '0', keys shuffled by a fixed xorshift seed (same bytes every run).
export function* pairs(totalBytes: number): Generator<{ key: Buffer; value: Buffer }> {
  let x = 12345;
  const rnd = () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x; };
  let bytes = 0;
  for (let i = 0; bytes < totalBytes; i++) {
    const h = rnd();
    const rec = Buffer.alloc(19);
    rec.write('t\x80\x00\x00\x00\x00\x00\x00\x6c_r', 0, 'latin1');
    rec.writeUInt32BE(0x80000000, 11);
    rec.writeUInt32BE(h, 15);
    const value = Buffer.alloc(80 + (h % 40), h & 0xff);
    yield { key: rec, value };
    const idx = Buffer.alloc(40, 0x41 + (h % 26));
    idx.write('t\x80\x00\x00\x00\x00\x00\x00\x6c_i', 0, 'latin1');
    idx.writeUInt32BE(h, 28);
    yield { key: idx, value: Buffer.from('0') };
    bytes += rec.length + value.length + idx.length + 1;
  }
}
