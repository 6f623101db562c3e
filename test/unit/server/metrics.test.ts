// The lightning_* series a Progress feeds: Go's names and labels, resumed work counted as done, table state
// transitions with Go's MetricName(), failures, and a new task starting from zero.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Progress } from '../../../src/import/progress.js';
import { LightningMetrics } from '../../../src/server/metrics.js';
import { parseMetrics } from '../../integration/server/helpers.js';

async function series(m: LightningMetrics): Promise<Map<string, number>> {
  return parseMetrics(await m.text());
}

test('a table through its life: Go metric names, labels and values', async () => {
  const metrics = new LightningMetrics({ defaultMetrics: false });
  const p = new Progress();
  metrics.attach(p, 'tidb');
  p.plan('`d`.`t`', 3, 3000, 1000, 1, 10, { total: 2, done: 0 });
  p.status('`d`.`t`', 'loaded');
  p.setPhase('import');
  p.advance('`d`.`t`', 1500, 15);
  p.chunkDone('`d`.`t`');
  p.advance('`d`.`t`', 500, 5);
  p.chunkDone('`d`.`t`');
  p.engineDone('`d`.`t`');
  p.engineDone('`d`.`t`');
  for (const s of ['index_imported', 'altered_auto_inc', 'checksummed', 'analyzed', 'done']) p.status('`d`.`t`', s);
  const m = await series(metrics);
  assert.equal(m.get('lightning_bytes{state="total_restore"}'), 3000);
  assert.equal(m.get('lightning_bytes{state="restored"}'), 3000, 'resumed 1000 + this run 2000');
  assert.equal(m.get('lightning_rows{state="restored",table="`d`.`t`"}'), 30);
  assert.equal(m.get('lightning_chunks{state="estimated"}'), 3);
  assert.equal(m.get('lightning_chunks{state="pending"}'), 2);
  assert.equal(m.get('lightning_chunks{state="finished"}'), 3);
  assert.equal(m.get('lightning_engines{result="success",state="estimated"}'), 2);
  assert.equal(m.get('lightning_engines{result="success",state="imported"}'), 2);
  assert.equal(m.get('lightning_tables{result="success",state="pending"}'), 1, 'once per table, not again for its loaded status');
  for (const s of ['index_imported', 'altered_auto_inc', 'checksum', 'analyzed', 'completed']) {
    assert.equal(m.get(`lightning_tables{result="success",state="${s}"}`), 1, s);
  }
  assert.equal(m.get('lightning_progress{phase="total"}'), 1);
  assert.equal(m.get('lightning_progress{phase="restore"}'), 1);
  assert.equal(m.has('lightning_progress{phase="import"}'), false, 'tidb has no import phase');
  assert.equal(m.get('lightning_row_read_bytes_sum'), 2000);
  assert.equal(m.get('lightning_row_read_bytes_count'), 2);
  assert.equal(m.get('lightning_block_deliver_kv_pairs_sum{kind="data"}'), 20);
  assert.equal(m.get('lightning_import_seconds_count'), 1);
  assert.equal(m.get('lightning_checksum_seconds_count'), 1);
  assert.equal(m.has('process_cpu_seconds_total'), false, 'default metrics were turned off');
  assert.match(await metrics.text(), /# HELP lightning_tables count number of tables processed\n# TYPE lightning_tables counter/);
});

test('a failed table counts a failure; a new task resets the series and stops following the old Progress', async () => {
  const metrics = new LightningMetrics({ defaultMetrics: false });
  const a = new Progress();
  metrics.attach(a, 'local');
  a.plan('`d`.`a`', 1, 100, 0, 0, 0, { total: 2, done: 0 });
  a.status('`d`.`a`', 'written');
  a.status('`d`.`a`', 'failed', { error: 'boom' });
  let m = await series(metrics);
  assert.equal(m.get('lightning_tables{result="failure",state="written"}'), 1);
  assert.equal(m.get('lightning_tables{result="failure",state="completed"}'), 1);
  assert.equal(m.get('lightning_progress{phase="import"}'), 0, 'physical backends report the import phase');

  const b = new Progress();
  metrics.attach(b, 'tidb');
  a.advance('`d`.`a`', 100, 1);
  b.plan('`d`.`b`', 1, 10, 0, 0, 0);
  m = await series(metrics);
  assert.equal(m.get('lightning_bytes{state="total_restore"}'), 10);
  assert.equal(m.get('lightning_bytes{state="restored"}') ?? 0, 0, 'the old task no longer counts');
  assert.equal(m.has('lightning_tables{result="failure",state="written"}'), false);
});

test('a table that was already imported by the previous run reaches 100 % of chunks and engines', async () => {
  const metrics = new LightningMetrics({ defaultMetrics: false });
  const p = new Progress();
  metrics.attach(p, 'tidb');
  p.plan('`d`.`t`', 4, 400, 400, 4, 40, { total: 2, done: 2 });
  const m = await series(metrics);
  assert.equal(m.get('lightning_chunks{state="finished"}'), m.get('lightning_chunks{state="estimated"}'));
  assert.equal(m.get('lightning_engines{result="success",state="imported"}'), 2);
  assert.equal(m.get('lightning_bytes{state="restored"}'), 400);
});
