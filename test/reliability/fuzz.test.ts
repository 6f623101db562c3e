// Fuzzing (issue #9): seeded mutated SQL / CSV / gzip / zstd / snappy inputs through the parsers, mutated
// configs (TOML + flags) through src/config, and random filter / route / file rules through the scanner.
// Every case must finish within CASE_LIMIT_MS and end either in rows or in a coded LightningError naming file
// and byte offset (configs and rules: key or line); anything else fails with the seed and case to replay:
//   LIGHTNING_FUZZ_SEED=<seed> LIGHTNING_FUZZ_CASE=<i> node --test dist/test/reliability/fuzz.test.js
// `make test` runs a fixed-seed subset; `make test-reliability` (LIGHTNING_RELIABILITY=full) runs the full
// counts with a fresh seed unless LIGHTNING_FUZZ_SEED is set.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import type { Failure, FuzzJob, Stats } from './fuzz-worker.js';

const FULL = process.env.LIGHTNING_RELIABILITY === 'full';
const SEED = process.env.LIGHTNING_FUZZ_SEED !== undefined ? Number(process.env.LIGHTNING_FUZZ_SEED) >>> 0
  : FULL ? (Date.now() ^ (process.pid << 16)) >>> 0 : 20240611;
const ONLY = process.env.LIGHTNING_FUZZ_CASE !== undefined ? Number(process.env.LIGHTNING_FUZZ_CASE) : undefined;
const COUNTS = { parse: FULL ? 12_000 : 1_500, config: FULL ? 1_500 : 300, source: FULL ? 1_000 : 200 };
const CASE_LIMIT_MS = 10_000; // generous: the CI machine is shared; a real hang never finishes

function run(mode: FuzzJob['mode']): Promise<{ stats: Stats; failures: Failure[] }> {
  const job: FuzzJob = { mode, seed: SEED, from: ONLY ?? 0, count: ONLY === undefined ? COUNTS[mode] : 1 };
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL('./fuzz-worker.js', import.meta.url), { workerData: job, resourceLimits: { maxOldGenerationSizeMb: 1024 } });
    const failures: Failure[] = [];
    let current = -1, since = Date.now();
    const dog = setInterval(() => {
      if (Date.now() - since <= CASE_LIMIT_MS) return;
      clearInterval(dog);
      void w.terminate();
      reject(new Error(`${mode} fuzz case ${current} ran longer than ${CASE_LIMIT_MS} ms (hang); replay: LIGHTNING_FUZZ_SEED=${SEED} LIGHTNING_FUZZ_CASE=${current}`));
    }, 250);
    w.on('message', (m: { t: string } & Record<string, unknown>) => {
      if (m.t === 'case') { current = m.i as number; since = Date.now(); } else if (m.t === 'fail') failures.push(m as unknown as Failure);
      else if (m.t === 'done') { clearInterval(dog); resolve({ stats: m.stats as Stats, failures }); }
    });
    w.on('error', (e) => { clearInterval(dog); reject(new Error(`${mode} fuzz worker crashed at case ${current} (replay: LIGHTNING_FUZZ_SEED=${SEED} LIGHTNING_FUZZ_CASE=${current}): ${e.message}`, { cause: e })); });
    w.on('exit', (code) => { clearInterval(dog); if (code !== 0) reject(new Error(`${mode} fuzz worker exited with ${code} at case ${current}`)); });
  });
}

function report(mode: string, r: { stats: Stats; failures: Failure[] }): void {
  const s = r.stats;
  const codes = Object.entries(s.byCode).sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c.split(':').pop()}=${n}`).join(' ');
  console.log(`fuzz ${mode}: seed ${SEED}, ${s.cases} cases (${s.accepted} accepted, ${s.rejected} rejected with a coded error: ${codes}), ` +
    `${mode === 'parse' ? `${s.rows} rows, ` : ''}slowest case ${Math.round(s.maxMs)} ms, ${r.failures.length} failures`);
  for (const f of r.failures.slice(0, 10)) console.log(`  case ${f.i}: ${f.reason.split('\n').slice(0, 6).join('\n    ')}\n    replay: ${f.replay}`);
}

test(`fuzz: ${COUNTS.parse} mutated SQL/CSV/gzip/zstd/snappy inputs through the parsers (seed ${SEED})`, async () => {
  const r = await run('parse');
  report('parse', r);
  assert.equal(r.stats.cases, ONLY === undefined ? COUNTS.parse : 1);
  assert.deepEqual(r.failures.map((f) => `case ${f.i}: ${f.reason.split('\n')[0]}`), []);
  if (ONLY === undefined) assert.ok(r.stats.accepted > 0 && r.stats.rejected > 0, 'the mix must contain both valid and rejected inputs');
});

test(`fuzz: ${COUNTS.config} mutated configs (TOML + flags) through src/config (seed ${SEED})`, async () => {
  const r = await run('config');
  report('config', r);
  assert.equal(r.stats.cases, ONLY === undefined ? COUNTS.config : 1);
  assert.deepEqual(r.failures.map((f) => `case ${f.i}: ${f.reason.split('\n')[0]}`), []);
  if (ONLY === undefined) assert.ok(r.stats.accepted > 0 && r.stats.rejected > 0, 'the mix must contain both valid and rejected configs');
});

test(`fuzz: ${COUNTS.source} random table filters, [[routes]] and [[mydumper.files]] rules through scanSource (seed ${SEED})`, async () => {
  const r = await run('source');
  report('source', r);
  assert.equal(r.stats.cases, ONLY === undefined ? COUNTS.source : 1);
  assert.deepEqual(r.failures.map((f) => `case ${f.i}: ${f.reason.split('\n')[0]}`), []);
  if (ONLY === undefined) assert.ok(r.stats.accepted > 0 && r.stats.rejected > 0, 'the mix must contain both valid and rejected rules');
});
