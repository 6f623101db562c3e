// Running tasks through the orchestrator: each task gets its own Progress (which the metrics and the status
// page follow), the process-wide pause gate, and an abort signal that DELETE /tasks/{id} and SIGINT fire.
// Server mode runs the queue one task after another; a failed task pauses the import as Go does, so a queue
// of tasks that all hit the same problem does not run on unattended (PUT /resume continues).
import type { LoadResult } from '../config/load.js';
import type { Config } from '../config/types.js';
import { Codes, formatError, toLightningError } from '../errors.js';
import type { PauseGate } from '../import/chunk.js';
import { Progress } from '../import/progress.js';
import type { Logger } from '../log.js';
import type { LightningStatus } from './lightning-status.js';
import type { Task } from './tasks.js';

export interface RunOptions {
  logger: Logger;
  load?: LoadResult;
  signal: AbortSignal;
  progress: Progress;
  pause: PauseGate;
}

export type RunImport = (config: Config, o: RunOptions) => Promise<unknown>;

/** Run one task to its end; rejects with the orchestrator's error (the board records it first). */
export async function runTask(status: LightningStatus, task: Task, run: RunImport,
  o: { logger: Logger; load?: LoadResult; signal?: AbortSignal; onStart?: (progress: Progress) => void }): Promise<unknown> {
  const progress = new Progress();
  status.metrics.attach(progress, task.config.tikvImporter.backend);
  status.board.start(task, progress);
  o.onStart?.(progress);
  const stop = () => task.abort.abort(o.signal?.reason);
  o.signal?.addEventListener('abort', stop, { once: true });
  try {
    const result = await run(task.config, {
      logger: o.logger, load: o.load ?? (task.extra as LoadResult | undefined), signal: task.abort.signal, progress, pause: status.pause,
    });
    status.board.end(task, 'completed');
    return result;
  } catch (e) {
    const err = toLightningError(e);
    const cancelled = task.abort.signal.aborted && err.code === Codes.Cancelled;
    status.board.end(task, cancelled ? 'cancelled' : 'failed', { code: err.code, message: err.message });
    throw e;
  } finally {
    o.signal?.removeEventListener('abort', stop);
  }
}

/** Server mode: take queued tasks one at a time until `signal` aborts (SIGINT/SIGTERM). */
export async function serveTasks(status: LightningStatus, run: RunImport, o: { signal: AbortSignal; summary?: (result: unknown) => string }): Promise<void> {
  const log = status.logger;
  log.info({ address: status.address }, 'Lightning server is running, post to /tasks to start an import task');
  for (;;) {
    let task: Task;
    try {
      task = await status.board.next(o.signal);
    } catch {
      return;
    }
    const logger = log.child({ taskId: task.id });
    logger.info({ dataSourceDir: task.config.mydumper.dataSourceDir }, 'task started');
    try {
      const result = await runTask(status, task, run, { logger, signal: o.signal });
      if (o.summary) logger.info({ summary: o.summary(result) }, 'task completed');
    } catch (e) {
      if (task.state === 'cancelled') {
        logger.info('task cancelled');
        continue;
      }
      status.pause.pause();
      logger.error({ err: formatError(e) }, 'tidb lightning encountered error; the import is paused (PUT /resume to run the next task)');
    }
  }
}
