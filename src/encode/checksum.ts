// Lightning's verification.KVChecksum: XOR of crc64(key‖val) per pair, pair count, Σ(len key + len val).
// These are the numbers ADMIN CHECKSUM TABLE returns; chunks combine by XOR and addition.
import { crc64UpdateHalves, type Crc64State } from './crc64.js';

export class KVChecksum {
  private hi = 0;
  private lo = 0;
  kvs = 0;
  bytes = 0;
  private readonly st: Crc64State = { hi: 0, lo: 0 };

  update(key: Uint8Array, val: Uint8Array): void {
    const st = this.st;
    st.hi = 0;
    st.lo = 0;
    crc64UpdateHalves(st, key);
    crc64UpdateHalves(st, val);
    this.hi = (this.hi ^ st.hi) >>> 0;
    this.lo = (this.lo ^ st.lo) >>> 0;
    this.kvs++;
    this.bytes += key.length + val.length;
  }

  /** same as update() for a key and value stored back to back in one buffer */
  updateRange(buf: Uint8Array, kStart: number, kEnd: number, vEnd: number): void {
    const st = this.st;
    st.hi = 0;
    st.lo = 0;
    crc64UpdateHalves(st, buf, kStart, vEnd);
    this.hi = (this.hi ^ st.hi) >>> 0;
    this.lo = (this.lo ^ st.lo) >>> 0;
    this.kvs++;
    this.bytes += vEnd - kStart;
    void kEnd;
  }

  add(other: KVChecksum): void {
    this.hi = (this.hi ^ other.hi) >>> 0;
    this.lo = (this.lo ^ other.lo) >>> 0;
    this.kvs += other.kvs;
    this.bytes += other.bytes;
  }

  get sum(): bigint {
    return (BigInt(this.hi) << 32n) | BigInt(this.lo);
  }

  toJSON(): { checksum: string; kvs: number; bytes: number } {
    return { checksum: this.sum.toString(), kvs: this.kvs, bytes: this.bytes };
  }
}
