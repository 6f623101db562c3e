// A counting semaphore: the orchestrator's one tool for table-, region- and io-concurrency. Waiters are served
// in arrival order so a table that started first finishes first (steady progress, bounded open engines).

export class Semaphore {
  private free: number;
  private readonly waiters: Array<() => void> = [];

  constructor(readonly size: number) {
    this.free = Math.max(1, size);
  }

  async acquire(): Promise<() => void> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((res) => this.waiters.push(res));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      if (next) next();
      else this.free++;
    };
  }

  async run<T>(f: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await f();
    } finally {
      release();
    }
  }
}

/**
 * Run `f` over items with at most `n` in flight; the first failure stops new starts and is rethrown once the
 * running ones settle (no work is left running behind the caller's back).
 */
export async function forEachLimit<T>(items: readonly T[], n: number, f: (item: T, i: number) => Promise<void>,
  signal?: AbortSignal): Promise<void> {
  let next = 0;
  let failed: { e: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (!failed && !signal?.aborted && next < items.length) {
      const i = next++;
      try {
        await f(items[i]!, i);
      } catch (e) {
        failed ??= { e };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(n, items.length)) }, worker));
  if (failed) throw failed.e;
  signal?.throwIfAborted();
}
