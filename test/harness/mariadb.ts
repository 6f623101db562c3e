// A private, throwaway MariaDB server per test: own datadir, socket, pid file and a free 127.0.0.1 port.
//
// - The datadir is a copy (`cp -a`) of a cached template made once by mariadb-install-db: on /dev/shm the copy
//   takes ~0.2 s against ~0.9 s for mariadb-install-db (measured on the 2-core dev machine).
// - Stock server settings (the benchmarks compare against a default-configured server) plus only what a test
//   needs: --no-defaults first, --user=root, --bind-address=127.0.0.1, --skip-name-resolve, --local-infile=1,
//   --max-allowed-packet=256M, --skip-log-bin.
// - The server never outlives the test process: stop() shuts it down cleanly; a process 'exit' hook SIGKILLs
//   whatever is still running; execa's cleanup SIGTERMs it on signals; and a tiny detached shell watchdog kills
//   it and removes its directory if the Node process dies without running any hook (SIGKILL, test timeout).
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa, type ResultPromise } from 'execa';
import mysql from 'mysql2/promise';
import { installMissing, requireTool } from './sys.js';

export interface MariaDB {
  host: '127.0.0.1';
  port: number;
  socket: string;
  datadir: string;
  user: 'root';
  /** the current server process (changes on restart) */
  readonly pid: number;
  /** the server's error log (useful in failure messages) */
  errorLog: string;
  /**
   * Runs SQL through a lazily created mysql2/promise pool (multipleStatements, dateStrings, supportBigNumbers)
   * and returns the rows (or the ResultSetHeader; an array of results for several statements).
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  query<T = any>(sql: string, values?: unknown[]): Promise<T>;
  /** Runs SQL through the `mariadb` CLI client (--batch: tab-separated, with a header line) and returns stdout. */
  sql(sql: string): Promise<string>;
  /** Kills the server (SIGKILL by default) and waits until it is gone; restart() brings it back. */
  kill(signal?: 'SIGKILL' | 'SIGTERM'): Promise<void>;
  /**
   * SIGKILL (when still running) and start again on the same datadir, socket and port, as a crashed server that
   * its supervisor restarts; resolves once it accepts connections (after InnoDB crash recovery).
   */
  restart(): Promise<void>;
  /** Clean shutdown; waits until the pid is gone, closes the pool, removes the directory unless `keep`. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** extra mariadbd arguments, appended after the harness's own (so they win) */
  args?: string[];
  /** keep the data directory after stop() (debugging) */
  keep?: boolean;
  /** where instance directories (and the cached template) go; default /dev/shm when usable, else os.tmpdir() */
  baseDir?: string;
  /**
   * true (default): the server's stock settings. false: the tuned settings from env.md §1
   * (512M buffer pool, 256M redo log, innodb-flush-log-at-trx-commit=0).
   */
  stock?: boolean;
}

interface Live {
  pid: number;
  root: string;
  keep: boolean;
}

const live = new Map<number, Live>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const l of live.values()) {
      try {
        process.kill(l.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      if (!l.keep) {
        try {
          rmSync(l.root, { recursive: true, force: true });
        } catch {
          // best effort
        }
      }
    }
    live.clear();
  });
}

/** Installs mariadb-server and mariadb-client with apt-get when `mariadbd` (or the client) is missing. */
export async function ensureMariaDBInstalled(): Promise<void> {
  await installMissing(['mariadbd', 'mariadb-install-db', 'mariadb', 'mariadb-admin', 'mariadb-dump']);
}

let versionCache: string | undefined;

async function serverVersion(): Promise<string> {
  if (versionCache) return versionCache;
  const { stdout } = await execa(requireTool('mariadbd'), ['--version']);
  // "mariadbd  Ver 10.11.19-MariaDB-0+deb12u1 for debian-linux-gnu on x86_64 (Debian 12)"
  const m = /Ver\s+(\S+)/.exec(stdout);
  versionCache = (m?.[1] ?? 'unknown').replace(/[^A-Za-z0-9.+_-]/g, '_');
  return versionCache;
}

function defaultBaseDir(): string {
  try {
    const s = statfsSync('/dev/shm');
    // 2 GiB free is plenty for a few 115 MB instances plus a template.
    if (s.bavail * s.bsize > 2 * 1024 ** 3) {
      const probe = mkdtempSync('/dev/shm/lightning-ts-probe-');
      rmSync(probe, { recursive: true, force: true });
      return '/dev/shm';
    }
  } catch {
    // no usable /dev/shm
  }
  return tmpdir();
}

/** Returns a template datadir made by mariadb-install-db, creating it once (race-free across processes). */
async function templateDatadir(baseDir: string): Promise<string> {
  const tpl = join(baseDir, `lightning-ts-mariadb-template-${await serverVersion()}`);
  if (existsSync(join(tpl, '.lightning-ts-ready'))) return tpl;
  const tmp = mkdtempSync(`${tpl}.tmp-`);
  try {
    const r = await execa(requireTool('mariadb-install-db'), [
      '--no-defaults', `--datadir=${join(tmp, 'data')}`, '--user=root', '--auth-root-authentication-method=normal',
      '--skip-test-db', '--skip-name-resolve',
    ], { reject: false, all: true });
    if (r.exitCode !== 0) throw new Error(`harness: mariadb-install-db failed (exit ${r.exitCode}):\n${String(r.all).slice(-3000)}`);
    writeFileSync(join(tmp, 'data', '.lightning-ts-ready'), `${new Date().toISOString()}\n`);
    try {
      renameSync(join(tmp, 'data'), tpl);
    } catch (e) {
      // Another process won the race: use theirs.
      if (!existsSync(join(tpl, '.lightning-ts-ready'))) throw e;
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return tpl;
}

/** A port that was free a moment ago on 127.0.0.1 (the caller retries if someone takes it first). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** True once the server sends its handshake greeting on the unix socket. */
function greets(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = net.connect(socket);
    const done = (ok: boolean): void => {
      c.destroy();
      resolve(ok);
    };
    c.setTimeout(2000, () => done(false));
    c.once('data', () => done(true));
    c.once('error', () => done(false));
    c.once('close', () => done(false));
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readLog(file: string): string {
  try {
    return readFileSync(file, 'latin1');
  } catch {
    return '';
  }
}

const TUNED = ['--innodb-buffer-pool-size=512M', '--innodb-log-file-size=256M', '--innodb-flush-log-at-trx-commit=0'];

/** Starts a private MariaDB and resolves once it accepts connections. */
export async function startMariaDB(opts: StartOptions = {}): Promise<MariaDB> {
  const mariadbd = requireTool('mariadbd');
  installExitHook();
  const baseDir = opts.baseDir ?? defaultBaseDir();
  const tpl = await templateDatadir(baseDir);
  const root = mkdtempSync(join(baseDir, 'lightning-ts-mariadb-'));
  const keep = opts.keep ?? false;
  const datadir = join(root, 'data');
  const socket = join(root, 'mysqld.sock');
  const pidFile = join(root, 'mysqld.pid');
  const errorLog = join(root, 'error.log');
  try {
    await execa('cp', ['-a', tpl, datadir]);
    rmSync(join(datadir, '.lightning-ts-ready'), { force: true });
  } catch (e) {
    rmSync(root, { recursive: true, force: true });
    throw e;
  }

  let lastLog = '';
  for (let attempt = 1; attempt <= 8; attempt++) {
    const port = await freePort();
    const args = [
      '--no-defaults', `--datadir=${datadir}`, `--socket=${socket}`, `--pid-file=${pidFile}`, `--port=${port}`,
      '--bind-address=127.0.0.1', '--user=root', '--skip-name-resolve', `--log-error=${errorLog}`,
      '--local-infile=1', '--max-allowed-packet=256M', '--skip-log-bin',
      ...(opts.stock === false ? TUNED : []),
      ...(opts.args ?? []),
    ];
    const { child, pid, ready, exited } = await launch(mariadbd, args, socket, root, keep);
    if (ready) return makeHandle({ port, socket, datadir, root, pid, errorLog, keep, child, relaunch: () => launch(mariadbd, args, socket, root, keep) });

    if (!exited()) {
      process.kill(pid, 'SIGKILL');
      await child;
    }
    live.delete(pid);
    lastLog = readLog(errorLog);
    if (/Address already in use|Bind on TCP\/IP port|Do you already have another/i.test(lastLog) && attempt < 8) {
      writeFileSync(errorLog, '');
      continue; // someone took the port between freePort() and bind: try another
    }
    break;
  }
  if (!keep) rmSync(root, { recursive: true, force: true });
  throw new Error(`harness: mariadbd did not become ready; error log tail:\n${lastLog.slice(-4000)}`);
}

interface Launched {
  child: ResultPromise;
  pid: number;
  /** accepts connections (false: exited or timed out; the caller reads the error log) */
  ready: boolean;
  exited: () => boolean;
}

/** Spawns mariadbd with `args` (watchdog and exit hook armed) and waits until it greets on its socket. */
async function launch(mariadbd: string, args: string[], socket: string, root: string, keep: boolean): Promise<Launched> {
  const child: ResultPromise = execa(mariadbd, args, { stdio: 'ignore', detached: false, reject: false, cleanup: true });
  const pid = child.pid;
  if (pid === undefined) {
    await child;
    throw new Error(`harness: could not spawn ${mariadbd}`);
  }
  live.set(pid, { pid, root, keep });
  let exited = false;
  void child.then(() => {
    exited = true;
  });
  startWatchdog(pid, root, keep);
  const deadline = Date.now() + 60_000;
  let ready = false;
  while (!exited && Date.now() < deadline) {
    if (existsSync(socket) && (await greets(socket))) {
      ready = true;
      break;
    }
    await sleep(25);
  }
  return { child, pid, ready, exited: () => exited };
}

/**
 * A detached shell that outlives a Node process killed without running exit hooks (SIGKILL, test runner
 * timeout): once that happens it SIGKILLs the server and removes its directory. It ends by itself when the
 * server stops normally.
 */
function startWatchdog(pid: number, root: string, keep: boolean): void {
  const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
  const script = [
    `while kill -0 ${process.pid} 2>/dev/null && kill -0 ${pid} 2>/dev/null; do sleep 1; done`,
    `if ! kill -0 ${process.pid} 2>/dev/null; then`,
    `  kill -9 ${pid} 2>/dev/null; i=0; while kill -0 ${pid} 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done`,
    keep ? '  :' : `  rm -rf ${q(root)}`,
    'fi',
  ].join('\n');
  try {
    const w = execa('sh', ['-c', script], { detached: true, stdio: 'ignore', cleanup: false, reject: false });
    w.unref();
  } catch {
    // the exit hook still covers the ordinary cases
  }
}

interface HandleInit {
  port: number;
  socket: string;
  datadir: string;
  root: string;
  pid: number;
  errorLog: string;
  keep: boolean;
  child: ResultPromise;
  /** the same mariadbd command again (same datadir, socket, port) */
  relaunch: () => Promise<Launched>;
}

function makeHandle(h: HandleInit): MariaDB {
  let pool: mysql.Pool | undefined;
  let stopping: Promise<void> | undefined;
  let cur = { pid: h.pid, child: h.child };
  const getPool = (): mysql.Pool => {
    pool ??= mysql.createPool({
      host: '127.0.0.1', port: h.port, user: 'root', password: '', multipleStatements: true, connectionLimit: 4,
      dateStrings: true, supportBigNumbers: true, charset: 'utf8mb4_general_ci',
    });
    return pool;
  };
  const endPool = async (): Promise<void> => {
    if (!pool) return;
    const p = pool;
    pool = undefined;
    await p.end().catch(() => undefined);
  };
  const client = requireTool('mariadb');
  const kill = async (signal: 'SIGKILL' | 'SIGTERM'): Promise<void> => {
    await endPool();
    if (alive(cur.pid)) {
      try {
        process.kill(cur.pid, signal);
      } catch {
        // gone already
      }
      const killer = setTimeout(() => {
        try {
          process.kill(cur.pid, 'SIGKILL');
        } catch {
          // gone
        }
      }, 60_000);
      await cur.child;
      clearTimeout(killer);
    }
    while (alive(cur.pid)) await sleep(10);
    live.delete(cur.pid);
  };

  return {
    host: '127.0.0.1',
    port: h.port,
    socket: h.socket,
    datadir: h.datadir,
    user: 'root',
    get pid() {
      return cur.pid;
    },
    errorLog: h.errorLog,
    async query<T>(sql: string, values?: unknown[]): Promise<T> {
      const [rows] = await getPool().query(sql, values);
      return rows as T;
    },
    async sql(sql: string): Promise<string> {
      const r = await execa(client, ['--no-defaults', '--user=root', `--socket=${h.socket}`, '--batch', '--default-character-set=utf8mb4'], {
        input: sql, reject: false, maxBuffer: 1024 ** 3, encoding: 'utf8',
      });
      if (r.exitCode !== 0) throw new Error(`harness: mariadb client failed (exit ${r.exitCode}): ${r.stderr}\nSQL: ${sql.slice(0, 500)}`);
      return r.stdout;
    },
    kill: (signal = 'SIGKILL') => kill(signal),
    async restart(): Promise<void> {
      if (stopping) throw new Error('harness: restart() after stop()');
      await kill('SIGKILL');
      // the port was ours a moment ago; a server killed mid-transaction runs crash recovery first
      for (let attempt = 1; ; attempt++) {
        const l = await h.relaunch();
        if (l.ready) {
          cur = { pid: l.pid, child: l.child };
          return;
        }
        if (!l.exited()) {
          process.kill(l.pid, 'SIGKILL');
          await l.child;
        }
        live.delete(l.pid);
        if (attempt >= 20 || !/Address already in use|Bind on TCP\/IP port|Can't start server/i.test(readLog(h.errorLog))) {
          throw new Error(`harness: mariadbd did not come back on port ${h.port}; error log tail:\n${readLog(h.errorLog).slice(-4000)}`);
        }
        await sleep(250);
      }
    },
    stop(): Promise<void> {
      stopping ??= (async () => {
        await kill('SIGTERM');
        if (!h.keep) await rm(h.root, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
}
