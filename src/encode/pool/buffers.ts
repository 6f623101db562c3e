// A small free list of ArrayBuffers. Fresh large ArrayBuffers cost a page fault per 4 KiB on first write;
// the encode bench measured ~1.5–2 ms of CPU per MiB that way (more than encoding the MiB), so packed rows
// and KV batches travel back to where they are filled next instead of being dropped.
export class BufferPool {
  private readonly free: ArrayBuffer[] = [];
  constructor(private readonly maxKept = 8) {}

  /** a buffer of at least `min` bytes (contents undefined) */
  take(min: number): ArrayBuffer {
    for (let i = 0; i < this.free.length; i++) {
      if (this.free[i]!.byteLength >= min) return this.free.splice(i, 1)[0]!;
    }
    return new ArrayBuffer(min);
  }

  /** hand a buffer back (ignored when detached, i.e. transferred away, already kept, or enough are kept) */
  give(b: ArrayBuffer | undefined | null): void {
    if (!b || b.byteLength === 0 || this.free.includes(b)) return;
    if (this.free.length >= this.maxKept) this.free.shift();
    this.free.push(b);
  }

  /** hand out up to `max` kept buffers (to transfer them to another thread); detached ones are dropped */
  drain(max = Infinity): ArrayBuffer[] {
    const out: ArrayBuffer[] = [];
    while (out.length < max && this.free.length) {
      const b = this.free.shift()!;
      if (b.byteLength > 0) out.push(b);
    }
    return out;
  }

  get size(): number {
    return this.free.length;
  }
}
