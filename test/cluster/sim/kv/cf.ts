// A column family as a stack of ingested runs (like RocksDB levels after IngestExternalFile, without compaction):
// ingest is O(1), reads merge the runs that overlap the asked range, and on equal keys the newest run wins.
// Lightning's jobs ingest mostly disjoint key ranges, so the merge rarely has more than one run active.
import type { Entry, Run } from './run.js';

interface Source { run: Run; seq: number }
interface Cursor { it: Iterator<Entry>; cur: Entry; seq: number }

export class ColumnFamily {
  private readonly sources: Source[] = [];
  private seq = 0;

  get runCount(): number { return this.sources.length; }
  get bytes(): number { return this.sources.reduce((n, s) => n + s.run.bytes, 0); }

  ingest(run: Run): void {
    if (run.count > 0) this.sources.push({ run, seq: this.seq++ });
  }

  get(key: Buffer): Buffer | undefined {
    for (let i = this.sources.length - 1; i >= 0; i--) {
      const v = this.sources[i]!.run.get(key);
      if (v) return v;
    }
    return undefined;
  }

  /** entries with start <= key < end (end empty = unbounded), merged across runs, newest run first on ties */
  *range(start: Buffer, end: Buffer): Generator<Entry> {
    const effStart = (r: Run) => (Buffer.compare(r.minKey, start) > 0 ? r.minKey : start);
    const pending = this.sources
      .filter((s) => Buffer.compare(s.run.maxKey, start) >= 0 && (end.length === 0 || Buffer.compare(s.run.minKey, end) < 0))
      .sort((a, b) => Buffer.compare(effStart(a.run), effStart(b.run)));
    const active: Cursor[] = [];
    let p = 0;
    const activate = (s: Source) => {
      const it = s.run.iter(start, end);
      const r = it.next();
      if (!r.done) active.push({ it, cur: r.value, seq: s.seq });
    };
    const min = (): Cursor | undefined => {
      let m: Cursor | undefined;
      for (const c of active) {
        const d = m ? Buffer.compare(c.cur.key, m.cur.key) : -1;
        if (d < 0 || (d === 0 && c.seq > m!.seq)) m = c;
      }
      return m;
    };
    try {
      for (;;) {
        let m = min();
        // a run starts taking part once the merge reaches its first key
        while (p < pending.length && (!m || Buffer.compare(effStart(pending[p]!.run), m.cur.key) <= 0)) {
          activate(pending[p++]!);
          m = min();
        }
        if (!m) return;
        const key = m.cur.key;
        yield m.cur;
        for (let i = active.length - 1; i >= 0; i--) {
          const c = active[i]!;
          if (!c.cur.key.equals(key)) continue;
          const r = c.it.next();
          if (r.done) active.splice(i, 1); else c.cur = r.value;
        }
      }
    } finally {
      for (const c of active) c.it.return?.(undefined);
    }
  }

  /** deletes the run files (store teardown) */
  drop(): void {
    for (const s of this.sources) s.run.unlink();
    this.sources.length = 0;
  }
}
