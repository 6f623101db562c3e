// A growable byte writer on one preallocated Buffer: the hot encode paths append here instead of building
// arrays of small Buffers (one allocation per KV batch, not per field).
export class Writer {
  buf: Buffer;
  pos = 0;
  /**
   * `alloc` makes the buffers (initial and grown): KV batch writers use their own ArrayBuffers so the batch can
   * be transferred to another thread; `retire` receives outgrown buffers (to recycle them).
   */
  constructor(cap = 256, private readonly alloc: (n: number) => Buffer = Buffer.allocUnsafe, private readonly retire?: (b: Buffer) => void) {
    this.buf = alloc(cap);
  }
  reset(): this {
    this.pos = 0;
    return this;
  }
  ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    let cap = Math.max(this.buf.length * 2, 16);
    while (cap < need) cap *= 2;
    const nb = this.alloc(cap);
    this.buf.copy(nb, 0, 0, this.pos);
    this.retire?.(this.buf);
    this.buf = nb;
  }
  /** leave n bytes to be filled in later */
  skip(n: number): void {
    this.ensure(n);
    this.pos += n;
  }
  u8(v: number): void {
    if (this.pos >= this.buf.length) this.ensure(1);
    this.buf[this.pos++] = v;
  }
  bytes(b: Uint8Array): void {
    const n = b.length;
    this.ensure(n);
    const out = this.buf;
    let p = this.pos;
    if (n <= 32) for (let i = 0; i < n; i++) out[p++] = b[i]!; // short copies: a loop beats set()'s native call
    else { out.set(b, p); p += n; }
    this.pos = p;
  }
  // plain byte stores: Buffer#writeUInt*() validate their arguments on every call (hot path)
  u16be(v: number): void {
    this.ensure(2);
    const b = this.buf, p = this.pos;
    b[p] = v >>> 8;
    b[p + 1] = v;
    this.pos = p + 2;
  }
  u16le(v: number): void {
    this.ensure(2);
    const b = this.buf, p = this.pos;
    b[p] = v;
    b[p + 1] = v >>> 8;
    this.pos = p + 2;
  }
  u32be(v: number): void {
    this.ensure(4);
    const b = this.buf, p = this.pos;
    b[p] = v >>> 24;
    b[p + 1] = v >>> 16;
    b[p + 2] = v >>> 8;
    b[p + 3] = v;
    this.pos = p + 4;
  }
  u32le(v: number): void {
    this.ensure(4);
    const b = this.buf, p = this.pos;
    b[p] = v;
    b[p + 1] = v >>> 8;
    b[p + 2] = v >>> 16;
    b[p + 3] = v >>> 24;
    this.pos = p + 4;
  }
  /** 8 bytes big endian from two 32-bit halves */
  u64be(hi: number, lo: number): void {
    this.ensure(8);
    const b = this.buf, p = this.pos;
    b[p] = hi >>> 24;
    b[p + 1] = hi >>> 16;
    b[p + 2] = hi >>> 8;
    b[p + 3] = hi;
    b[p + 4] = lo >>> 24;
    b[p + 5] = lo >>> 16;
    b[p + 6] = lo >>> 8;
    b[p + 7] = lo;
    this.pos = p + 8;
  }
  /** a copy of what was written (safe to keep after reset) */
  take(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.pos));
  }
  view(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}
