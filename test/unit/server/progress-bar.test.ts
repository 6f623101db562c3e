// The terminal progress bar: drawn on a TTY stream from the Progress snapshot, with our ETA and the final state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { Progress } from '../../../src/import/progress.js';
import { startProgressBar } from '../../../src/import/progress-bar.js';

class FakeTty extends Writable {
  readonly isTTY = true;
  readonly columns = 160;
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

// Visible text of what the bar wrote (escape sequences removed; each redraw starts at column 0).
const ESCAPE = new RegExp(`${String.fromCharCode(27)}(?:\\[[?0-9;]*[A-Za-z]|[78])|\r`);
const frames = (s: string) => s.split(ESCAPE).map((x) => x.trim()).filter(Boolean);

test('the bar follows the import on a TTY and ends at 100 %', async (t) => {
  const tty = new FakeTty();
  const p = new Progress();
  p.plan('`d`.`t`', 2, 2 * 1048576, 0, 0, 0, { total: 2, done: 0 });
  p.setPhase('import');
  const stop = startProgressBar(p, { stream: tty, backend: 'tidb', intervalMs: 20 });
  t.after(stop);
  p.advance('`d`.`t`', 1048576, 10);
  await sleep(120);
  const mid = frames(tty.text).at(-1) ?? '';
  assert.match(mid, /50% \| writing \| tables 0\/1 \| 1MiB\/2MiB \| [\d.]+ MiB\/s \| ETA /);
  p.advance('`d`.`t`', 1048576, 10);
  p.chunkDone('`d`.`t`');
  p.chunkDone('`d`.`t`');
  p.engineDone('`d`.`t`');
  p.engineDone('`d`.`t`');
  p.status('`d`.`t`', 'done');
  p.setPhase('done');
  stop();
  const end = frames(tty.text).at(-1) ?? '';
  assert.match(end, /100% \| post-processing \| tables 1\/1 \| 2MiB\/2MiB .*ETA -$/);
});
