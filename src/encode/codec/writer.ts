// A growable byte writer on one preallocated Buffer: the hot encode paths append here instead of building
// arrays of small Buffers (one allocation per KV batch, not per field).
export class Writer {
  buf: Buffer;
  pos = 0;
  constructor(cap = 256) {
    this.buf = Buffer.allocUnsafe(cap);
  }
  reset(): this {
    this.pos = 0;
    return this;
  }
  ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const nb = Buffer.allocUnsafe(cap);
    this.buf.copy(nb, 0, 0, this.pos);
    this.buf = nb;
  }
  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }
  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
  u16be(v: number): void {
    this.ensure(2);
    this.buf.writeUInt16BE(v, this.pos);
    this.pos += 2;
  }
  u16le(v: number): void {
    this.ensure(2);
    this.buf.writeUInt16LE(v, this.pos);
    this.pos += 2;
  }
  u32be(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32BE(v >>> 0, this.pos);
    this.pos += 4;
  }
  u32le(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32LE(v >>> 0, this.pos);
    this.pos += 4;
  }
  /** a copy of what was written (safe to keep after reset) */
  take(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.pos));
  }
  view(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}
