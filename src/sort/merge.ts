// k-way merge of sorted record files with a binary heap on (key, input index). Equal keys: an identical value
// is dropped silently (a resumed chunk re-encodes KVs that were already durable); a different value is a
// conflict, reported and — unless the caller keeps conflicts for a later pass — dropped after the first.
import { RecordCursor } from './record-file.js';

export interface DuplicateSample { key: Buffer; kept: Buffer; dropped: Buffer }

export interface DuplicateReport {
  /** identical pairs dropped (re-encoded on resume) */
  identical: number;
  /** same key, different value */
  conflicts: number;
  /** first few conflicts */
  samples: DuplicateSample[];
}

export const MAX_DUPLICATE_SAMPLES = 16;

export function emptyDuplicates(): DuplicateReport {
  return { identical: 0, conflicts: 0, samples: [] };
}

export interface MergeOptions {
  /** keep conflicting pairs in the output (intermediate passes), so the final pass sees and reports them */
  keepConflicts?: boolean;
  bufSize?: number;
  dups?: DuplicateReport;
}

type Emit = (key: Buffer, value: Buffer) => Promise<void> | undefined;

/** Merges `paths` (each sorted) and calls `emit` in key order; returns the duplicate report. */
export async function mergeFiles(paths: string[], emit: Emit, opts: MergeOptions = {}): Promise<DuplicateReport> {
  const dups = opts.dups ?? emptyDuplicates();
  const cursors: RecordCursor[] = [];
  try {
    for (const p of paths) cursors.push(await RecordCursor.open(p, { bufSize: opts.bufSize }));
    const heap: number[] = [];
    const less = (a: number, b: number) => {
      const c = Buffer.compare(cursors[a]!.key, cursors[b]!.key);
      return c < 0 || (c === 0 && a < b);
    };
    const down = (i: number) => {
      const n = heap.length;
      for (;;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < n && less(heap[l]!, heap[m]!)) m = l;
        if (r < n && less(heap[r]!, heap[m]!)) m = r;
        if (m === i) return;
        [heap[i], heap[m]] = [heap[m]!, heap[i]!];
        i = m;
      }
    };
    for (let i = 0; i < cursors.length; i++) {
      let ok = cursors[i]!.next();
      if (typeof ok !== 'boolean') ok = await ok;
      if (ok) heap.push(i);
    }
    for (let i = (heap.length >> 1) - 1; i >= 0; i--) down(i);
    let lastKey: Buffer | undefined;
    let lastVal: Buffer | undefined;
    while (heap.length > 0) {
      const top = heap[0]!;
      const c = cursors[top]!;
      const key = c.key, value = c.value;
      if (lastKey && key.equals(lastKey)) {
        if (value.equals(lastVal!)) dups.identical++;
        else {
          dups.conflicts++;
          if (dups.samples.length < MAX_DUPLICATE_SAMPLES) dups.samples.push({ key: Buffer.from(key), kept: Buffer.from(lastVal!), dropped: Buffer.from(value) });
          if (opts.keepConflicts) { const p = emit(key, value); if (p) await p; }
        }
      } else {
        lastKey = key;
        lastVal = value;
        const p = emit(key, value);
        if (p) await p;
      }
      let ok = c.next();
      if (typeof ok !== 'boolean') ok = await ok;
      if (!ok) {
        const last = heap.pop()!;
        if (heap.length > 0) heap[0] = last;
      }
      down(0);
    }
    return dups;
  } finally {
    for (const c of cursors) await c.close();
  }
}
