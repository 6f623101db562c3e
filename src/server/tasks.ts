// The tasks the status server knows: the running one, the FIFO queue of server mode (front/back/remove as
// Go's config.List) and the last finished ones (the web page lists them with their errors).
// Task IDs are the submit time in Unix *microseconds*, strictly increasing. Go uses nanoseconds, which do not
// survive JSON parsers that read numbers as doubles (browsers, jq < 1.7); microseconds stay below 2^53.
import type { Config } from '../config/types.js';
import { Codes, LightningError } from '../errors.js';
import type { Progress } from '../import/progress.js';

export type TaskState = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';

export interface TaskError {
  code: string;
  message: string;
}

export interface Task {
  id: number;
  state: TaskState;
  config: Config;
  submittedAt: number;
  startedAt?: number;
  finishedAt?: number;
  progress?: Progress;
  error?: TaskError;
  /** aborts the running task (DELETE /tasks/{id}) */
  readonly abort: AbortController;
  /** what the orchestrator needs besides the config (the LoadResult that made it) */
  readonly extra?: unknown;
}

const KEEP_FINISHED = 20;

export class TaskBoard {
  current?: Task;
  private readonly queue: Task[] = [];
  /** oldest first */
  readonly finished: Task[] = [];
  private lastId = 0;
  private wake?: () => void;

  /** @param serverMode tasks come from POST /tasks (false: the one task of a plain run) */
  constructor(readonly serverMode: boolean) {}

  private newId(): number {
    const us = Date.now() * 1000;
    this.lastId = Math.max(us, this.lastId + 1);
    return this.lastId;
  }

  submit(config: Config, extra?: unknown): Task {
    const task: Task = { id: this.newId(), state: 'queued', config, submittedAt: Date.now(), abort: new AbortController(), extra };
    this.queue.push(task);
    this.wake?.();
    return task;
  }

  queuedIds(): number[] {
    return this.queue.map((t) => t.id);
  }

  queued(): readonly Task[] {
    return this.queue;
  }

  get(id: number): Task | undefined {
    if (this.current?.id === id) return this.current;
    return this.queue.find((t) => t.id === id) ?? this.finished.find((t) => t.id === id);
  }

  private indexOf(id: number): number {
    return this.queue.findIndex((t) => t.id === id);
  }

  moveToFront(id: number): boolean {
    const i = this.indexOf(id);
    if (i < 0) return false;
    this.queue.unshift(...this.queue.splice(i, 1));
    return true;
  }

  moveToBack(id: number): boolean {
    const i = this.indexOf(id);
    if (i < 0) return false;
    this.queue.push(...this.queue.splice(i, 1));
    return true;
  }

  /** Cancel the running task or drop a queued one; false when the ID is neither. */
  cancel(id: number): boolean {
    if (this.current?.id === id && this.current.state === 'running') {
      this.current.abort.abort(cancelledError(`task ${id} was cancelled (DELETE /tasks/${id})`));
      return true;
    }
    const i = this.indexOf(id);
    if (i < 0) return false;
    const [t] = this.queue.splice(i, 1);
    this.end(t!, 'cancelled', { code: Codes.Cancelled, message: 'removed from the queue before it started' });
    return true;
  }

  /** The next queued task, waiting for one; rejects when `signal` aborts. */
  async next(signal: AbortSignal): Promise<Task> {
    for (;;) {
      signal.throwIfAborted();
      const t = this.queue.shift();
      if (t) return t;
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => reject(signal.reason);
        signal.addEventListener('abort', onAbort, { once: true });
        this.wake = () => {
          signal.removeEventListener('abort', onAbort);
          this.wake = undefined;
          resolve();
        };
      });
    }
  }

  start(task: Task, progress: Progress): void {
    Object.assign(task, { state: 'running', startedAt: Date.now(), progress });
    this.current = task;
  }

  end(task: Task, state: Exclude<TaskState, 'queued' | 'running'>, error?: TaskError): void {
    Object.assign(task, { state, finishedAt: Date.now(), error });
    if (this.current === task) this.current = undefined;
    this.finished.push(task);
    if (this.finished.length > KEEP_FINISHED) this.finished.shift();
  }

  /** The task /progress/task describes: the running one, else the one that finished last. */
  shown(): Task | undefined {
    return this.current ?? this.finished.findLast((t) => t.progress !== undefined);
  }
}

export function cancelledError(message: string): LightningError {
  const e = new LightningError(Codes.Cancelled, message);
  e.name = 'AbortError';
  return e;
}
