// Lightning's verification.KVChecksum: XOR of crc64(key‖val) per pair, pair count, Σ(len key + len val).
// These are the numbers ADMIN CHECKSUM TABLE returns; chunks combine by XOR and addition.
import { crc64UpdateHalves, crc64XorInto, type Crc64State } from './crc64.js';

/** the plain-object form (crosses worker boundaries, goes into checkpoints) */
export interface KVChecksumParts { hi: number; lo: number; kvs: number; bytes: number }

export class KVChecksum {
  /** XOR of the per-pair CRCs as two u32 halves */
  private readonly acc: Crc64State = { hi: 0, lo: 0 };
  kvs = 0;
  bytes = 0;
  private readonly st: Crc64State = { hi: 0, lo: 0 };

  update(key: Uint8Array, val: Uint8Array): void {
    const st = this.st;
    st.hi = 0;
    st.lo = 0;
    crc64UpdateHalves(st, key);
    crc64UpdateHalves(st, val);
    this.acc.hi = (this.acc.hi ^ st.hi) >>> 0;
    this.acc.lo = (this.acc.lo ^ st.lo) >>> 0;
    this.kvs++;
    this.bytes += key.length + val.length;
  }

  /** same as update() for a key and value stored back to back in buf[start, end) */
  updateRange(buf: Uint8Array, start: number, end: number): void {
    crc64XorInto(this.acc, buf, start, end);
    this.kvs++;
    this.bytes += end - start;
  }

  add(other: KVChecksum | KVChecksumParts): void {
    const o = other instanceof KVChecksum ? other.parts() : other;
    this.acc.hi = (this.acc.hi ^ o.hi) >>> 0;
    this.acc.lo = (this.acc.lo ^ o.lo) >>> 0;
    this.kvs += o.kvs;
    this.bytes += o.bytes;
  }

  parts(): KVChecksumParts {
    return { hi: this.acc.hi, lo: this.acc.lo, kvs: this.kvs, bytes: this.bytes };
  }

  static from(p: KVChecksumParts): KVChecksum {
    const c = new KVChecksum();
    c.add(p);
    return c;
  }

  get sum(): bigint {
    return (BigInt(this.acc.hi) << 32n) | BigInt(this.acc.lo);
  }

  toJSON(): { checksum: string; kvs: number; bytes: number } {
    return { checksum: this.sum.toString(), kvs: this.kvs, bytes: this.bytes };
  }
}
