// The import-wide pause (Go: importer.DeliverPauser): PUT /pause closes the gate, PUT /resume opens it.
// Chunks wait at the gate before sending their next batch; batches already sent still commit. A pause
// outlives a task: Go pauses after a failed task in server mode so the queue does not run on unattended.
import type { PauseGate } from '../import/chunk.js';

export class Pauser implements PauseGate {
  private gate?: { promise: Promise<void>; open: () => void };

  get paused(): boolean {
    return this.gate !== undefined;
  }

  pause(): void {
    if (this.gate) return;
    let open!: () => void;
    const promise = new Promise<void>((resolve) => {
      open = resolve;
    });
    this.gate = { promise, open };
  }

  resume(): void {
    const g = this.gate;
    this.gate = undefined;
    g?.open();
  }

  /** Resolves when resumed (at once when not paused); rejects with the signal's reason when it aborts. */
  wait(signal?: AbortSignal): Promise<void> {
    const g = this.gate;
    if (!g) return Promise.resolve();
    if (!signal) return g.promise;
    signal.throwIfAborted();
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      void g.promise.then(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      });
    });
  }
}
