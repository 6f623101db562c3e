// Bounded retry with exponential backoff, the shape every Lightning retry loop has (attempts, first delay,
// cap). Tests shrink the delays; production uses the Go constants at the call sites.
import { setTimeout as sleep } from 'node:timers/promises';

export interface Backoff {
  attempts: number;
  firstMs: number;
  maxMs: number;
}

export function delayMs(b: Backoff, attempt: number): number {
  return Math.min(b.maxMs, b.firstMs * 2 ** attempt);
}

/** Runs `fn` until it succeeds, `retry(e)` says no, or the attempts run out (then the last error is thrown). */
export async function withBackoff<T>(b: Backoff, fn: (attempt: number) => Promise<T>, retry: (e: unknown) => boolean): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (e) {
      if (attempt + 1 >= b.attempts || !retry(e)) throw e;
      await sleep(delayMs(b, attempt));
    }
  }
}
