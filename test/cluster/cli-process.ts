// Runs cluster:sim (dist/test/cluster/sim/cli.js) as a child process and reads what tests and benches measure
// of it: the ready line, resident memory (/proc/<pid>/status), the size of its data directory.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('./sim/cli.js', import.meta.url));

export interface Ready { pd: string; tidb: string; status: string; stores: string[]; tls?: { ca: string; cert: string; key: string } }
export interface CliProcess {
  child: ChildProcess; pid: number; ready: Ready; ms: number;
  /** process.memoryUsage() of the simulator, after a full GC when started with --expose-gc */
  memory(): Promise<NodeJS.MemoryUsage>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export const exited = (c: ChildProcess) => new Promise<number | null>((resolve) => {
  if (c.exitCode !== null) resolve(c.exitCode); else c.on('exit', (code) => resolve(code));
});

/** starts the simulator; resolves on its JSON ready line with the time it took */
export function startCli(args: string[], nodeFlags: string[] = []): Promise<CliProcess> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [...nodeFlags, CLI, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const waiting: ((line: string) => void)[] = [];
  return new Promise((resolve, reject) => {
    let out = '';
    let ready = false;
    const onData = (c: Buffer) => {
      out += c.toString();
      for (let nl = out.indexOf('\n'); nl >= 0; nl = out.indexOf('\n')) {
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        if (ready) { waiting.shift()?.(line); continue; }
        ready = true;
        child.off('exit', onExit);
        resolve({
          child, pid: child.pid!, ready: JSON.parse(line) as Ready, ms: performance.now() - t0,
          memory: () => new Promise((res) => {
            waiting.push((l) => res((JSON.parse(l) as { memory: NodeJS.MemoryUsage }).memory));
            child.kill('SIGUSR2');
          }),
          stop: (signal = 'SIGTERM') => { if (child.exitCode === null) child.kill(signal); return exited(child); },
        });
      }
    };
    const onExit = (code: number | null) => reject(new Error(`cluster:sim exited with ${code} before ready`));
    child.stdout!.on('data', onData);
    child.on('exit', onExit);
  });
}

/** current and peak resident set size of a process, in bytes */
export function rssOf(pid: number): { rss: number; peak: number } {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? 0) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

export function dirBytes(dir: string): number {
  return readdirSync(dir).reduce((n, f) => {
    const p = join(dir, f);
    const st = statSync(p);
    return n + (st.isDirectory() ? dirBytes(p) : st.size);
  }, 0);
}
