// What every crash matrix shares: each phase's window from a clean run's log, the kill, and the last message a
// killed process logged.
import { existsSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { startLightning } from '../harness/lightning.js';
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
