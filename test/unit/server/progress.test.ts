// Progress snapshots, the Go-field progress line and its ETA: work done before a resume is neither speed nor
// progress made by this run, and speed is measured from the start of the import phase.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Progress, totalFraction } from '../../../src/import/progress.js';
import { bytesSize, progressFields, progressState } from '../../../src/import/progress-log.js';

const MiB = 1024 * 1024;

test('bytesSize formats like docker/go-units (binary units, 4 significant digits)', () => {
  assert.equal(bytesSize(0), '0B');
  assert.equal(bytesSize(1023), '1023B');
  assert.equal(bytesSize(1024), '1KiB');
  assert.equal(bytesSize(62.83 * 1024 ** 3), '62.83GiB');
  assert.equal(bytesSize(1.928 * 1024 ** 4), '1.928TiB');
  assert.equal(bytesSize(243.72 * 1024), '243.7KiB');
});

test('ETA and speed exclude work a previous run had done', () => {
  const fresh = new Progress();
  const resumed = new Progress();
  fresh.plan('`d`.`t`', 10, 100 * MiB, 0, 0, 0, { total: 2, done: 0 });
  // the resumed run finds 60 MiB already imported
  resumed.plan('`d`.`t`', 10, 100 * MiB, 60 * MiB, 6, 600, { total: 2, done: 0 });
  for (const p of [fresh, resumed]) {
    p.setPhase('import');
    p.advance('`d`.`t`', 10 * MiB, 100);
  }
  const at = (p: Progress) => p.snapshot(p.importStartedAt! + 10_000);
  const f = at(fresh);
  const r = at(resumed);
  // both moved 10 MiB in 10 s: 1 MiB/s
  assert.equal(f.speed, MiB);
  assert.equal(r.speed, MiB, 'the 60 MiB found done are not speed');
  assert.equal(r.resumedBytes, 60 * MiB);
  assert.equal(f.etaMs, 90_000);
  assert.equal(r.etaMs, 30_000, '30 MiB left at 1 MiB/s (not 60 MiB done in 10 s → 5 s)');
  const line = progressFields(r, 'tidb', undefined, r.startedAt + r.elapsedMs);
  assert.equal(line.total, '70.0%');
  assert.equal(line.remaining, '30s');
  assert.equal(line['encode speed(MiB/s)'], 1);
  assert.equal(line.chunks, '6/10 (60.0%)');
  assert.equal(line['restore-bytes'], '70MiB/100MiB');
  assert.equal(line['restore-rows'], '700/1000(estimated)');
});

test('speed is measured from the import phase, not the process start', () => {
  const p = new Progress();
  p.plan('`d`.`t`', 1, 10 * MiB, 0, 0, 0);
  assert.equal(p.snapshot().speed, 0, 'no speed before the import phase');
  p.setPhase('import');
  p.advance('`d`.`t`', 2 * MiB, 10);
  const s = p.snapshot(p.importStartedAt! + 2000);
  assert.equal(s.speed, MiB);
  assert.equal(s.etaMs, 8000);
});

test('the progress line: Go fields, state, the interval speed, no remaining once done', () => {
  const p = new Progress();
  p.plan('`d`.`a`', 2, 4 * MiB, 0, 0, 0, { total: 2, done: 0 });
  p.plan('`d`.`b`', 2, 4 * MiB, 0, 0, 0, { total: 2, done: 0 });
  assert.equal(progressState(p.snapshot()), 'preparing');
  p.setPhase('import');
  const t0 = p.importStartedAt!;
  const first = p.snapshot(t0 + 1000);
  p.advance('`d`.`a`', 2 * MiB, 5);
  p.chunkDone('`d`.`a`');
  const second = p.snapshot(t0 + 2000);
  const line = progressFields(second, 'tidb', first, t0 + 2000);
  assert.equal(line.state, 'writing');
  assert.equal(line['write speed(MiB/s)'], 2, '2 MiB in the last second');
  assert.equal(line['encode speed(MiB/s)'], 1, '2 MiB in 2 s since the import began');
  assert.equal(line.tables, '0/2 (0.0%)');
  assert.equal(line.engines, '0/4 (0.0%)');
  for (const t of ['`d`.`a`', '`d`.`b`']) {
    p.advance(t, t === '`d`.`a`' ? 2 * MiB : 4 * MiB, 5);
    p.chunkDone(t);
    if (t === '`d`.`b`') p.chunkDone(t);
  }
  assert.equal(progressState(p.snapshot()), 'importing', 'all chunks written, engines not imported');
  for (const t of ['`d`.`a`', '`d`.`b`']) {
    p.engineDone(t);
    p.engineDone(t);
    p.engineDone(t); // a resume re-marking an engine does not count twice
  }
  const end = p.snapshot();
  assert.equal(end.enginesDone, 4);
  assert.equal(progressState(end), 'post-processing');
  const last = progressFields(end, 'tidb');
  assert.equal(last.total, '100.0%');
  assert.equal(last.remaining, undefined);
  for (const t of ['`d`.`a`', '`d`.`b`']) p.status(t, 'done');
  assert.equal(p.snapshot().tablesDone, 2);
});

test('total progress: restore fraction for tidb, mean with the import fraction for physical backends', () => {
  const p = new Progress();
  p.plan('`d`.`t`', 4, 100, 0, 0, 0, { total: 4, done: 0 });
  p.advance('`d`.`t`', 100, 1);
  p.engineDone('`d`.`t`');
  const s = p.snapshot();
  assert.equal(totalFraction(s, 'tidb'), 1);
  assert.equal(totalFraction(s, 'local'), (1 + 0.25) / 2);
  p.setPhase('done');
  assert.equal(totalFraction(p.snapshot(), 'local'), 1);
});
