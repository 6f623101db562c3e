// A progress bar on a terminal (cli-progress), fed from the Progress snapshot twice a second. The bar's own ETA
// would count resumed bytes as speed, so the bar shows ours (this run's work only) as a payload field.
import cliProgress from 'cli-progress';
import { formatDuration } from '../config/units.js';
import { bytesSize, progressState } from './progress-log.js';
import { totalFraction, type Progress } from './progress.js';

const SCALE = 1000;

export interface ProgressBarOptions {
  /** a TTY stream (stderr) */
  stream: NodeJS.WritableStream;
  backend: string;
  intervalMs?: number;
}

export function startProgressBar(progress: Progress, o: ProgressBarOptions): () => void {
  const bar = new cliProgress.SingleBar({
    stream: o.stream,
    format: '{bar} {percentage}% | {state} | tables {tables} | {bytes} | {speed} | ETA {eta_ours}',
    hideCursor: true,
    clearOnComplete: false,
    barsize: 30,
  }, cliProgress.Presets.shades_classic);
  const payload = () => {
    const s = progress.snapshot();
    const f = totalFraction(s, o.backend);
    return {
      value: Math.round(f * SCALE),
      fields: {
        state: progressState(s), tables: `${s.tablesDone}/${s.tablesTotal}`,
        bytes: `${bytesSize(s.bytesDone)}/${bytesSize(s.bytesTotal)}`,
        speed: `${(s.speed / 1048576).toFixed(1)} MiB/s`,
        eta_ours: s.etaMs === undefined || f >= 1 ? '-' : formatDuration(Math.round(s.etaMs / 1000) * 1000),
      },
    };
  };
  const first = payload();
  bar.start(SCALE, first.value, first.fields);
  const timer = setInterval(() => {
    const p = payload();
    bar.update(p.value, p.fields);
  }, o.intervalMs ?? 500);
  timer.unref();
  return () => {
    clearInterval(timer);
    const p = payload();
    bar.update(p.value, p.fields);
    bar.stop();
  };
}
