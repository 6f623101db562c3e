// The task board (FIFO queue with front/back/remove, IDs, cancel) and the pause gate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from '../../../src/config/types.js';
import { Progress } from '../../../src/import/progress.js';
import { Pauser } from '../../../src/server/pauser.js';
import { TaskBoard } from '../../../src/server/tasks.js';

const cfg = { mydumper: { dataSourceDir: '/d' }, tikvImporter: { backend: 'tidb' } } as unknown as Config;

test('queue order, front/back, remove; IDs strictly increase and stay exact in JSON', async () => {
  const b = new TaskBoard(true);
  const [a, c, d] = [b.submit(cfg), b.submit(cfg), b.submit(cfg)];
  assert.ok(a.id < c.id && c.id < d.id);
  assert.ok(Number.isSafeInteger(d.id) && JSON.parse(JSON.stringify(d.id)) === d.id);
  assert.ok(Math.abs(a.id / 1000 - Date.now()) < 5000, 'microseconds since the epoch');
  assert.deepEqual(b.queuedIds(), [a.id, c.id, d.id]);
  assert.equal(b.moveToFront(d.id), true);
  assert.deepEqual(b.queuedIds(), [d.id, a.id, c.id]);
  assert.equal(b.moveToBack(d.id), true);
  assert.deepEqual(b.queuedIds(), [a.id, c.id, d.id]);
  assert.equal(b.moveToFront(12345), false);
  assert.equal(b.cancel(c.id), true);
  assert.equal(c.state, 'cancelled');
  assert.equal(b.get(c.id), c, 'a finished task can still be looked up');
  assert.equal(b.cancel(12345), false);

  const ac = new AbortController();
  assert.equal(await b.next(ac.signal), a);
  b.start(a, new Progress());
  assert.equal(b.current, a);
  assert.equal(b.cancel(a.id), true, 'cancelling the running task aborts it');
  assert.equal(a.abort.signal.aborted, true);
  assert.equal((a.abort.signal.reason as Error).name, 'AbortError');
  b.end(a, 'cancelled');
  assert.equal(b.current, undefined);
  assert.equal(b.shown(), a, 'the last task with progress stays shown');
});

test('next() waits for a submission and gives up when its signal aborts', async () => {
  const b = new TaskBoard(true);
  const ac = new AbortController();
  const waiting = b.next(ac.signal);
  await sleep(10);
  const t = b.submit(cfg);
  assert.equal(await waiting, t);
  const never = b.next(ac.signal);
  ac.abort(new Error('stop'));
  await assert.rejects(never, /stop/);
});

test('the pause gate: open by default, closed by pause(), opened by resume(), abortable', async () => {
  const p = new Pauser();
  assert.equal(p.paused, false);
  await p.wait();
  p.pause();
  p.pause();
  assert.equal(p.paused, true);
  let passed = false;
  const w = p.wait().then(() => {
    passed = true;
  });
  await sleep(20);
  assert.equal(passed, false, 'waits while paused');
  p.resume();
  await w;
  assert.equal(passed, true);
  p.pause();
  const ac = new AbortController();
  const aborted = p.wait(ac.signal);
  ac.abort(new Error('cancelled'));
  await assert.rejects(aborted, /cancelled/);
  p.resume();
});
