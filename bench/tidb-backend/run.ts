// tidb backend vs myloader, same run, same server: a sysbench-prepared table (default 1M rows, ~200 MB) dumped by
// mydumper (one file per table, and 10 chunk files with -r), imported by `myloader -t 2` and by our CLI with
// default settings into fresh schemas of one default-configured MariaDB, alternately (who goes first alternates
// too), several times.
// Prints per run and as medians: MB/s (dump bytes / wall time), peak RSS of the loader, loader and server CPU
// seconds, and the ratio. Our runs also verify every row (count + content checksum); myloader's do not.
// Usage: node dist/bench/tidb-backend/run.js [--rows N] [--runs N] [--layout chunked|single|both]
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { startMariaDB, type MariaDB } from '../../test/harness/mariadb.js';
import { ensureToolsInstalled, mydumper, sysbenchPrepare } from '../../test/harness/mydumper.js';
import { requireTool } from '../../test/harness/sys.js';
import { LIGHTNING_BIN } from '../../test/harness/lightning.js';

const args = process.argv.slice(2);
const opt = (name: string, def: string) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1]! : def; };
const ROWS = Number(opt('--rows', '1000000'));
const RUNS = Number(opt('--runs', '3'));
const LAYOUT = opt('--layout', 'both');
const TCK = 100; // clock ticks per second of /proc/<pid>/stat (Linux: USER_HZ = 100)

interface Sample { wallMs: number; peakRssMiB: number; clientCpu: number; serverCpu: number }

function procCpu(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / TCK; // utime stime cutime cstime
  } catch {
    return NaN;
  }
}

function vmHwm(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** Runs a loader; samples its peak RSS and CPU from /proc until it exits, and the server's CPU around it. */
async function measure(db: MariaDB, cmd: string, argv: string[]): Promise<Sample> {
  const s0 = procCpu(db.pid);
  const t0 = performance.now();
  const child = execa(cmd, argv, { reject: false, all: true });
  let peak = 0;
  let cpu = 0;
  const timer = setInterval(() => {
    if (!child.pid) return;
    peak = Math.max(peak, vmHwm(child.pid));
    const c = procCpu(child.pid);
    if (!Number.isNaN(c)) cpu = c;
  }, 20);
  const r = await child;
  clearInterval(timer);
  const wallMs = performance.now() - t0;
  if (r.exitCode !== 0) throw new Error(`${cmd} ${argv.join(' ')} exited ${r.exitCode}:\n${String(r.all).slice(-2000)}`);
  return { wallMs, peakRssMiB: peak, clientCpu: cpu, serverCpu: procCpu(db.pid) - s0 };
}

const dirBytes = (d: string) => readdirSync(d).filter((f) => f.endsWith('.sql')).reduce((a, f) => a + statSync(join(d, f)).size, 0);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  await ensureToolsInstalled(['mydumper', 'sysbench']);
  const work = join(tmpdir(), `lightning-bench-tidb-${process.pid}`);
  mkdirSync(work, { recursive: true });
  const db = await startMariaDB(); // stock settings: the comparison is on a default-configured server
  try {
    console.log(`bench tidb-backend: MariaDB on 127.0.0.1:${db.port} (stock settings), ${ROWS} sysbench rows, ${RUNS} runs per loader`);
    await sysbenchPrepare(db, { database: 'sbtest', tableSize: ROWS });
    const layouts: Array<[string, string]> = [];
    if (LAYOUT !== 'single') layouts.push(['chunked', await mydumper(db, { databases: ['sbtest'], outDir: join(work, 'chunked'), rowsPerChunk: Math.ceil(ROWS / 10) })]);
    if (LAYOUT !== 'chunked') layouts.push(['single', await mydumper(db, { databases: ['sbtest'], outDir: join(work, 'single') })]);
    const myloader = requireTool('myloader');
    for (const [layout, dir] of layouts) {
      const bytes = dirBytes(dir);
      const res: Record<'myloader' | 'ours', Sample[]> = { myloader: [], ours: [] };
      for (let i = 0; i < RUNS; i++) {
        const runMyloader = async () => {
          const ml = `ml_${layout}_${i}`;
          res.myloader.push(await measure(db, myloader, ['-h', '127.0.0.1', '-P', String(db.port), '-u', 'root', '-d', dir, '-B', ml, '-t', '2']));
          await db.query(`DROP DATABASE \`${ml}\``);
        };
        const runOurs = async () => {
          const ours = `ts_${layout}_${i}`;
          const cfg = join(work, `${ours}.toml`);
          writeFileSync(cfg, `[lightning]\nfile = "${join(work, `${ours}.log`)}"\n[checkpoint]\ndsn = "${join(work, `${ours}.db`)}"\n` +
            `[[routes]]\nschema-pattern = "sbtest"\ntarget-schema = "${ours}"\n`);
          res.ours.push(await measure(db, 'node', [LIGHTNING_BIN, '-config', cfg, '-d', dir, '--backend', 'tidb', '--tidb-host', '127.0.0.1',
            '--tidb-port', String(db.port), '--tidb-user', 'root']));
          const n = Number((await db.query<Array<{ n: number }>>(`SELECT COUNT(*) n FROM \`${ours}\`.sbtest1`))[0]!.n);
          if (n !== ROWS) throw new Error(`our import holds ${n} rows, expected ${ROWS}`);
          await db.query(`DROP DATABASE \`${ours}\``);
        };
        // who goes first alternates: the server's background work after a load and a DROP lands on the next run
        if (i % 2 === 0) { await runMyloader(); await runOurs(); } else { await runOurs(); await runMyloader(); }
        for (const [who, s] of [['myloader -t 2', res.myloader[i]!], ['lightning-ts', res.ours[i]!]] as const) {
          console.log(`  run ${i + 1} ${layout} ${who}: ${(bytes / 1e6 / (s.wallMs / 1000)).toFixed(1)} MB/s, ${(s.wallMs / 1000).toFixed(2)} s, ` +
            `peak RSS ${s.peakRssMiB.toFixed(0)} MiB, loader CPU ${s.clientCpu.toFixed(2)} s, server CPU ${s.serverCpu.toFixed(2)} s`);
        }
      }
      const line = (who: string, xs: Sample[]) => {
        const wall = median(xs.map((x) => x.wallMs)) / 1000;
        console.log(`${layout} ${who}: ${(bytes / 1e6 / wall).toFixed(1)} MB/s, peak RSS ${median(xs.map((x) => x.peakRssMiB)).toFixed(0)} MiB, ` +
          `loader CPU ${median(xs.map((x) => x.clientCpu)).toFixed(2)} s, server CPU ${median(xs.map((x) => x.serverCpu)).toFixed(2)} s (median of ${xs.length})`);
        return wall;
      };
      const a = line('myloader -t 2', res.myloader);
      const b = line('lightning-ts (verified)', res.ours);
      console.log(`${layout} ratio: ${(a / b).toFixed(2)}x myloader -t 2 (${(bytes / 1e6).toFixed(0)} MB dump)`);
    }
  } finally {
    await db.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
