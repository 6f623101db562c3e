// The periodic "progress" log line (`[cron] log-progress`), with the Go tool's field names so log searches and
// parsers keep working: total, tables, chunks, engines, restore-bytes, restore-rows, "encode speed(MiB/s)",
// state, remaining. Ours adds "write speed(MiB/s)": the rate over the last interval (Go's encode speed is the
// average since the start, which hides a slowdown). Both speeds and `remaining` count only this run's own
// work: bytes an earlier run imported before a resume are neither speed nor progress made now.
import { formatDuration } from '../config/units.js';
import type { Logger } from '../log.js';
import { totalFraction, type Progress, type ProgressSnapshot } from './progress.js';

const MiB = 1024 * 1024;
const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];

/** docker/go-units BytesSize: binary units, 4 significant digits ("62.83GiB", "1.928TiB"). */
export function bytesSize(n: number): string {
  let i = 0;
  let x = n;
  while (x >= 1024 && i < UNITS.length - 1) {
    x /= 1024;
    i++;
  }
  return `${Number(x.toPrecision(4))}${UNITS[i]}`;
}

/** " (25.0%)" or "" when the denominator is 0, as Go formats it. */
function ratio(done: number, total: number): string {
  return `${done}/${total}${total > 0 ? ` (${((done / total) * 100).toFixed(1)}%)` : ''}`;
}

/** Go's state field: preparing → writing → importing → post-processing. */
export function progressState(s: ProgressSnapshot): string {
  if (s.chunksTotal > 0 && s.chunksDone >= s.chunksTotal) return s.enginesDone < s.enginesTotal ? 'importing' : 'post-processing';
  if (s.chunksDone > 0 || s.bytesDone > s.resumedBytes) return 'writing';
  return 'preparing';
}

/** Go durations are rounded to the second in this line ("1h2m3s"). */
function remaining(ms: number): string {
  return formatDuration(Math.round(ms / 1000) * 1000);
}

export interface ProgressLine {
  total: string;
  tables: string;
  chunks: string;
  engines: string;
  'restore-bytes': string;
  'restore-rows': string;
  'encode speed(MiB/s)'?: number;
  'write speed(MiB/s)'?: number;
  state: string;
  remaining?: string;
}

/** The fields of one progress line; `prev` is the snapshot of the previous line (for the interval speed). */
export function progressFields(s: ProgressSnapshot, backend: string, prev?: ProgressSnapshot, now = Date.now()): ProgressLine {
  const total = totalFraction(s, backend);
  const line: ProgressLine = {
    total: `${(total * 100).toFixed(1)}%`,
    tables: ratio(s.tablesDone, s.tablesTotal),
    chunks: ratio(s.chunksDone, s.chunksTotal),
    engines: ratio(s.enginesDone, s.enginesTotal),
    'restore-bytes': `${bytesSize(s.bytesDone)}/${bytesSize(s.bytesTotal)}`,
    // Go without a row total: rows so far / rows extrapolated from the byte fraction
    'restore-rows': s.restoreFraction > 0 && s.restoreFraction < 1 ? `${s.rows}/${Math.round(s.rows / s.restoreFraction)}(estimated)` : `${s.rows}/${s.rows}`,
    state: progressState(s),
  };
  if (s.speed > 0) line['encode speed(MiB/s)'] = round2(s.speed / MiB);
  if (prev) {
    const dt = now - (prev.startedAt + prev.elapsedMs);
    if (dt > 0) line['write speed(MiB/s)'] = round2(((s.bytesDone - prev.bytesDone) * 1000) / dt / MiB);
  }
  if (total < 1 && s.etaMs !== undefined) line.remaining = remaining(s.etaMs);
  return line;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

/** Log a progress line every `intervalMs` until the returned function is called. */
export function startProgressLog(progress: Progress, logger: Logger, o: { intervalMs: number; backend: string }): () => void {
  let prev: ProgressSnapshot | undefined;
  const tick = () => {
    const s = progress.snapshot();
    // Nothing to report before the tables are known (scan, prechecks).
    if (s.tablesTotal > 0) logger.info(progressFields(s, o.backend, prev), 'progress');
    prev = s;
  };
  // Go's minimum is whatever the duration says; a floor keeps a typo ("1ms") from flooding the log.
  const timer = setInterval(tick, Math.max(100, o.intervalMs));
  timer.unref();
  return () => clearInterval(timer);
}
