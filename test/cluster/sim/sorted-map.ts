// An ordered Buffer→Buffer map on a sorted array: binary-search point ops and in-order range scans. Enough for
// simulator-sized data; spilling to disk is a later item.
export interface Entry { key: Buffer; value: Buffer }

export class SortedMap {
  private entries: Entry[] = [];

  get size(): number { return this.entries.length; }

  /** index of the first entry with key >= k */
  lowerBound(k: Buffer): number {
    let lo = 0, hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (Buffer.compare(this.entries[mid]!.key, k) < 0) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  get(k: Buffer): Buffer | undefined {
    const i = this.lowerBound(k);
    const e = this.entries[i];
    return e && e.key.equals(k) ? e.value : undefined;
  }

  set(k: Buffer, v: Buffer): void {
    const i = this.lowerBound(k);
    const e = this.entries[i];
    if (e && e.key.equals(k)) e.value = v; else this.entries.splice(i, 0, { key: k, value: v });
  }

  /** merges an already sorted batch (an ingested SST) in one pass */
  merge(sorted: Entry[]): void {
    if (sorted.length < 16) { for (const e of sorted) this.set(e.key, e.value); return; }
    const out: Entry[] = [];
    let i = 0, j = 0;
    const a = this.entries;
    while (i < a.length || j < sorted.length) {
      if (j >= sorted.length) out.push(a[i++]!);
      else if (i >= a.length) out.push(sorted[j++]!);
      else {
        const c = Buffer.compare(a[i]!.key, sorted[j]!.key);
        if (c < 0) out.push(a[i++]!);
        else if (c > 0) out.push(sorted[j++]!);
        else { out.push(sorted[j++]!); i++; }
      }
    }
    this.entries = out;
  }

  /** entries with start <= key < end (end empty = unbounded) */
  *range(start: Buffer, end: Buffer): Generator<Entry> {
    for (let i = this.lowerBound(start); i < this.entries.length; i++) {
      const e = this.entries[i]!;
      if (end.length > 0 && Buffer.compare(e.key, end) >= 0) return;
      yield e;
    }
  }
}
