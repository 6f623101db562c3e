// Prometheus metrics with the Go tool's names, labels and buckets (pkg/lightning/metric), so the published
// Grafana dashboard for TiDB Lightning works unchanged. They are fed by the orchestrator's Progress events.
//
// Differences from Go, on purpose: work a resumed run finds already done (bytes, rows, chunks, engines) is
// added to the "done" series when the table is planned, so restored/total_restore and finished/estimated reach
// 100 % on a resumed run too; and in server mode the series of the last task stay until the next task starts
// (Go unregisters them when a task ends, so a scrape after the end never sees the final values).
import { collectDefaultMetrics, Counter, exponentialBuckets, Gauge, Histogram, Registry } from 'prom-client';
import { CheckpointStatus, metricName, statusName } from '../checkpoint/status.js';
import { totalFraction, type Progress, type ProgressEvents } from '../import/progress.js';

const NS = 'lightning';

/** Progress status text (statusName) → Go's MetricName(), e.g. 'checksummed' → 'checksum'. */
const METRIC_OF_STATUS = new Map(Object.values(CheckpointStatus).map((s) => [statusName(s), metricName(s)]));

type Listener<K extends keyof ProgressEvents> = (...args: ProgressEvents[K]) => void;

export class LightningMetrics {
  readonly registry = new Registry();
  readonly tables: Counter<'state' | 'result'>;
  readonly engines: Counter<'state' | 'result'>;
  readonly chunks: Counter<'state'>;
  readonly bytes: Counter<'state'>;
  readonly rows: Counter<'state' | 'table'>;
  readonly progress: Gauge<'phase'>;
  readonly importSeconds: Histogram;
  readonly rowReadBytes: Histogram;
  readonly blockDeliverBytes: Histogram<'kind'>;
  readonly blockDeliverKvPairs: Histogram<'kind'>;
  readonly checksumSeconds: Histogram;
  private detach?: () => void;
  private source?: { progress: Progress; backend: string };

  constructor(o: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    // Go registers the process and Go-runtime collectors; ours are process_* and nodejs_*.
    if (o.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    this.tables = new Counter({ name: `${NS}_tables`, help: 'count number of tables processed', labelNames: ['state', 'result'], registers });
    this.engines = new Counter({ name: `${NS}_engines`, help: 'count number of engines processed', labelNames: ['state', 'result'], registers });
    this.chunks = new Counter({ name: `${NS}_chunks`, help: 'count number of chunks processed', labelNames: ['state'], registers });
    this.bytes = new Counter({ name: `${NS}_bytes`, help: 'count of total bytes', labelNames: ['state'], registers });
    this.rows = new Counter({ name: `${NS}_rows`, help: 'count of total rows', labelNames: ['state', 'table'], registers });
    const source = () => this.source;
    this.progress = new Gauge({
      name: `${NS}_progress`, help: 'progress of lightning phase', labelNames: ['phase'], registers,
      // computed when scraped: a fraction is a gauge of the snapshot, not something to count
      collect() {
        const src = source();
        if (!src) return;
        const s = src.progress.snapshot();
        this.set({ phase: 'total' }, totalFraction(s, src.backend));
        this.set({ phase: 'restore' }, s.restoreFraction);
        if (src.backend !== 'tidb') this.set({ phase: 'import' }, s.importFraction);
      },
    });
    this.importSeconds = new Histogram({ name: `${NS}_import_seconds`, help: 'time needed to import a table', buckets: exponentialBuckets(0.125, 2, 6), registers });
    this.rowReadBytes = new Histogram({ name: `${NS}_row_read_bytes`, help: 'number of bytes being read out from data source', buckets: exponentialBuckets(1024, 2, 8), registers });
    this.blockDeliverBytes = new Histogram({ name: `${NS}_block_deliver_bytes`, help: 'number of bytes being sent out to importer', labelNames: ['kind'], buckets: exponentialBuckets(512, 2, 10), registers });
    this.blockDeliverKvPairs = new Histogram({ name: `${NS}_block_deliver_kv_pairs`, help: 'number of KV pairs being sent out to importer', labelNames: ['kind'], buckets: exponentialBuckets(1, 2, 10), registers });
    this.checksumSeconds = new Histogram({ name: `${NS}_checksum_seconds`, help: 'time needed to complete the checksum stage', buckets: exponentialBuckets(1, 2.2679331552660544, 10), registers });
  }

  private readonly lightningMetrics = () => [this.tables, this.engines, this.chunks, this.bytes, this.rows, this.progress,
    this.importSeconds, this.rowReadBytes, this.blockDeliverBytes, this.blockDeliverKvPairs, this.checksumSeconds];

  /** Follow one task's Progress; the series of a previous task are reset (a new task starts from zero, as in Go). */
  attach(progress: Progress, backend: string): void {
    this.detach?.();
    for (const m of this.lightningMetrics()) m.reset();
    this.source = { progress, backend };
    const started = new Map<string, number>();
    const checksumStart = new Map<string, number>();
    const lastState = new Map<string, string>();
    const on: { [K in keyof ProgressEvents]: Listener<K> } = {
      plan: (name, t, resumed) => {
        this.tables.inc({ state: 'pending', result: 'success' });
        this.chunks.inc({ state: 'estimated' }, t.chunksTotal);
        this.chunks.inc({ state: 'pending' }, t.chunksTotal - resumed.chunks);
        if (resumed.chunks) this.chunks.inc({ state: 'finished' }, resumed.chunks);
        this.engines.inc({ state: 'estimated', result: 'success' }, t.enginesTotal);
        this.engines.inc({ state: 'pending', result: 'success' }, t.enginesTotal - resumed.engines);
        if (resumed.engines) this.engines.inc({ state: 'imported', result: 'success' }, resumed.engines);
        this.bytes.inc({ state: 'total_restore' }, t.bytesTotal);
        this.bytes.inc({ state: 'restored' }, resumed.bytes);
        this.rows.inc({ state: 'restored', table: name }, resumed.rows);
      },
      advance: (name, bytes, rows) => {
        if (!started.has(name)) started.set(name, Date.now());
        this.bytes.inc({ state: 'restored' }, bytes);
        this.rows.inc({ state: 'restored', table: name }, rows);
        this.rowReadBytes.observe(bytes);
        this.blockDeliverBytes.observe({ kind: 'data' }, bytes);
        this.blockDeliverKvPairs.observe({ kind: 'data' }, rows);
      },
      chunk: () => this.chunks.inc({ state: 'finished' }),
      engine: () => this.engines.inc({ state: 'imported', result: 'success' }),
      status: (name, status) => {
        if (status === 'done') {
          this.tables.inc({ state: 'completed', result: 'success' });
          return;
        }
        if (status === 'failed') {
          this.tables.inc({ state: lastState.get(name) ?? 'pending', result: 'failure' });
          this.tables.inc({ state: 'completed', result: 'failure' });
          return;
        }
        const state = METRIC_OF_STATUS.get(status);
        if (!state || state === 'pending' || state === 'missing' || lastState.get(name) === state) return;
        lastState.set(name, state);
        this.tables.inc({ state, result: 'success' });
        if (state === 'index_imported') this.importSeconds.observe((Date.now() - (started.get(name) ?? Date.now())) / 1000);
        if (state === 'altered_auto_inc') checksumStart.set(name, Date.now());
        if (status === 'checksummed' && checksumStart.has(name)) this.checksumSeconds.observe((Date.now() - checksumStart.get(name)!) / 1000);
      },
      phase: () => undefined,
    };
    const keys = Object.keys(on) as Array<keyof ProgressEvents>;
    for (const k of keys) progress.on(k, on[k] as never);
    this.detach = () => {
      for (const k of keys) progress.off(k, on[k] as never);
    };
  }

  async text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
