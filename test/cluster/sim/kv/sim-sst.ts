// The simulator's external SST format, for what real TiKV reads as RocksDB SST files: Download (BR backups in
// external storage) and the legacy Upload stream. A real RocksDB SST is out of reach here, so files carry the
// magic `LTSIMSST\x01` followed by [u32 klen][u32 vlen][key][value] records in strictly ascending key order.
// Keys are TiKV data keys ('z' ++ EncodeBytes(key) ++ !ts), as in the SSTs BR writes.
import { closeSync, openSync, readSync, writeFileSync } from 'node:fs';
import type { Entry } from './run.js';

export const SIM_SST_MAGIC = Buffer.from('LTSIMSST\x01', 'latin1');

export function encodeSimSst(entries: Iterable<Entry>): Buffer {
  const parts: Buffer[] = [SIM_SST_MAGIC];
  for (const e of entries) {
    const h = Buffer.allocUnsafe(8);
    h.writeUInt32BE(e.key.length, 0);
    h.writeUInt32BE(e.value.length, 4);
    parts.push(h, e.key, e.value);
  }
  return Buffer.concat(parts);
}

export function writeSimSst(path: string, entries: Iterable<Entry>): void {
  writeFileSync(path, encodeSimSst(entries));
}

export class SimSstError extends Error {}

/** Parses sim-SST bytes (Upload keeps the whole body; files are small in tests). */
export function* decodeSimSst(b: Buffer, what = 'sst'): Generator<Entry> {
  if (b.length < SIM_SST_MAGIC.length || !b.subarray(0, SIM_SST_MAGIC.length).equals(SIM_SST_MAGIC)) {
    throw new SimSstError(`${what} is not a simulator SST (magic LTSIMSST\\x01 expected)`);
  }
  let o = SIM_SST_MAGIC.length;
  while (o < b.length) {
    if (o + 8 > b.length) throw new SimSstError(`${what}: truncated record header at offset ${o}`);
    const kl = b.readUInt32BE(o), vl = b.readUInt32BE(o + 4);
    if (o + 8 + kl + vl > b.length) throw new SimSstError(`${what}: truncated record at offset ${o}`);
    yield { key: b.subarray(o + 8, o + 8 + kl), value: b.subarray(o + 8 + kl, o + 8 + kl + vl) };
    o += 8 + kl + vl;
  }
}

/** Streams a sim-SST file in 1 MiB reads. */
export function* readSimSstFile(path: string): Generator<Entry> {
  const fd = openSync(path, 'r');
  try {
    let buf = Buffer.alloc(0);
    let pos = 0;
    let eof = false;
    const fill = (need: number) => {
      while (!eof && buf.length < need) {
        const chunk = Buffer.allocUnsafe(Math.max(1 << 20, need));
        const n = readSync(fd, chunk, 0, chunk.length, pos);
        if (n === 0) { eof = true; break; }
        pos += n;
        buf = buf.length ? Buffer.concat([buf, chunk.subarray(0, n)]) : chunk.subarray(0, n);
      }
      return buf.length >= need;
    };
    if (!fill(SIM_SST_MAGIC.length) || !buf.subarray(0, SIM_SST_MAGIC.length).equals(SIM_SST_MAGIC)) {
      throw new SimSstError(`${path} is not a simulator SST (magic LTSIMSST\\x01 expected)`);
    }
    buf = buf.subarray(SIM_SST_MAGIC.length);
    for (;;) {
      if (!fill(8)) { if (buf.length) throw new SimSstError(`${path}: truncated record header`); return; }
      const kl = buf.readUInt32BE(0), vl = buf.readUInt32BE(4);
      if (!fill(8 + kl + vl)) throw new SimSstError(`${path}: truncated record`);
      yield { key: buf.subarray(8, 8 + kl), value: buf.subarray(8 + kl, 8 + kl + vl) };
      buf = buf.subarray(8 + kl + vl);
    }
  } finally {
    closeSync(fd);
  }
}
