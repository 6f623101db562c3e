// What every crash matrix shares: each phase's window from a clean run's log, the seeded kills with their reruns,
// and the last message a killed process logged.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { runLightning, startLightning } from '../harness/lightning.js';
import { prng } from '../harness/prng.js';
import { phaseOf, type Phase } from './backends.js';

/** [start, end) in ms after process start of each phase, from the log's timestamps. */
export function phaseWindows(log: string, t0: number): Record<Phase, [number, number]> {
  const lines = readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { time: string; msg: string });
  const at = (re: RegExp, last = false) => {
    const xs = lines.filter((l) => re.test(l.msg));
    const x = last ? xs[xs.length - 1] : xs[0];
    return x ? Date.parse(x.time) - t0 : undefined;
  };
  const start = at(/data source scanned/) ?? 300;
  const insert = at(/restore table start/) ?? start + 50;
  const post = at(/restore table completed/, true) ?? insert + 500;
  const end = Date.parse(lines[lines.length - 1]!.time) - t0;
  // the schema phase starts before the log does (node start-up); aim a little early
  return { schema: [Math.max(0, start - 300), Math.max(start, (start + insert) / 2)], insert: [insert, post], post: [post, end + 20] };
}

export function lastMessage(log: string): string {
  if (!existsSync(log)) return '(no log yet)';
  const lines = readFileSync(log, 'utf8').split('\n').filter(Boolean);
  for (let i = lines.length - 1; i >= 0; i--) {
    try {
      return (JSON.parse(lines[i]!) as { msg: string }).msg;
    } catch {
      // a line cut by the kill
    }
  }
  return '(empty log)';
}

/** Starts tidb-lightning with `args`, kills it -9 after `at` ms; the phase it was in, from the last line of `log`. */
export async function killAt(args: string[], at: number, log: string): Promise<{ seen: Phase | 'done'; last: string }> {
  const child = startLightning(args);
  await sleep(at);
  child.kill('SIGKILL');
  const res = await child;
  if (res.signal !== 'SIGKILL') return { seen: 'done', last: '(finished before the kill)' };
  const last = lastMessage(log);
  return { seen: phaseOf(last), last };
}

export interface KillMatrix {
  kills: number;
  seed: number;
  /** from phaseWindows() of a clean run */
  windows: Record<Phase, [number, number]>;
  /** the run name of kill #i (its schema, config, log and checkpoint) */
  name(i: number): string;
  /** tidb-lightning's arguments for a run */
  args(name: string): string[];
  /** the log file of a run */
  log(name: string): string;
  /** after the rerun exited 0: the target holds exactly the source data (and whatever else the matrix checks) */
  check(name: string): Promise<void>;
}

/** Extra kills at the middle of a phase no seeded kill reached (a loaded machine shifts the phases). */
const TOP_UP = 3;

/**
 * Kill #i aims at phase i mod 3 (schema, insert, post) at a seeded moment of its window; the same command runs
 * again and must exit 0 and pass `check`. Every moment is listed; every phase must have been reached, with up to
 * TOP_UP more kills aimed at the middle of a phase the seeded ones missed.
 */
export async function runKillMatrix(t: { diagnostic(message: string): void }, m: KillMatrix): Promise<void> {
  const phases: Phase[] = ['schema', 'insert', 'post'];
  const hit = new Map<Phase | 'done', number>();
  const kill = async (i: number, phase: Phase, at: number) => {
    const name = m.name(i);
    const args = m.args(name);
    const { seen, last } = await killAt(args, at, m.log(name));
    hit.set(seen, (hit.get(seen) ?? 0) + 1);
    // the rerun: same command, exact data
    const again = await runLightning(args);
    t.diagnostic(`kill #${i}: ${at} ms (aimed at ${phase}), killed in ${seen}: last log "${last}"; rerun exit ${again.exitCode}`);
    assert.equal(again.exitCode, 0, `rerun after kill #${i} at ${at} ms (last log "${last}"):\n${again.stderr}`);
    await m.check(name);
  };
  const r = prng(m.seed);
  for (let i = 0; i < m.kills; i++) {
    const phase = phases[i % phases.length]!;
    const [lo, hi] = m.windows[phase];
    await kill(i, phase, Math.round(lo + r() * (hi - lo)));
  }
  let n = m.kills;
  for (const p of phases) {
    for (let k = 0; k < TOP_UP && !hit.has(p); k++) await kill(n++, p, Math.round((m.windows[p][0] + m.windows[p][1]) / 2));
  }
  t.diagnostic(`kills by phase reached: ${JSON.stringify(Object.fromEntries(hit))}${n > m.kills ? ` (${n - m.kills} aimed again at a missed phase)` : ''}`);
  for (const p of phases) assert.ok((hit.get(p) ?? 0) > 0, `no kill landed in the ${p} phase: ${JSON.stringify(Object.fromEntries(hit))}`);
}
