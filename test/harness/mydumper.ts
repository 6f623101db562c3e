// Drives the real mydumper / myloader / sysbench (Debian bookworm: mydumper 0.10, sysbench 1.0.20)
// against a harness MariaDB over 127.0.0.1.
import { mkdirSync } from 'node:fs';
import { execa } from 'execa';
import type { MariaDB } from './mariadb.js';
import { installMissing, requireTool } from './sys.js';

/** apt-get installs the packages providing the missing tools ('mydumper' also brings 'myloader'); root only. */
export async function ensureToolsInstalled(tools: string[]): Promise<void> {
  await installMissing(tools);
}

function conn(db: MariaDB): string[] {
  return ['-h', '127.0.0.1', '-P', String(db.port), '-u', 'root'];
}

export interface MydumperOptions {
  databases: string[];
  /** table names; `db.tbl` or bare `tbl` (bare names need exactly one database) */
  tables?: string[];
  outDir: string;
  /** -r: rows per chunk, files become db.tbl.00000.sql, ... */
  rowsPerChunk?: number;
  /** -c: gzip every file (.sql.gz); metadata stays plain */
  compress?: boolean;
  /** -t: default 2 here (mydumper's own default is 4) */
  threads?: number;
  extraArgs?: string[];
  /** kill mydumper after this long (default 300 s): mydumper 0.10 is old, a hang must fail the test, not stall it */
  timeoutMs?: number;
}

/**
 * Runs mydumper and returns outDir. mydumper 0.10 hangs (sometimes with -x, always with -T db.tbl) when it has
 * to walk every database without -B, so this runs it once per database with `-B db [-T tbl,...]` into the same
 * outDir (the files never collide; `metadata` is the last run's).
 */
export async function mydumper(db: MariaDB, opts: MydumperOptions): Promise<string> {
  if (opts.databases.length === 0) throw new Error('harness: mydumper needs at least one database');
  mkdirSync(opts.outDir, { recursive: true });
  const perDb = new Map<string, string[]>(opts.databases.map((d) => [d, []]));
  for (const t of opts.tables ?? []) {
    const dot = t.indexOf('.');
    if (dot < 0 && opts.databases.length !== 1) throw new Error(`harness: table ${t} needs a db. prefix with several databases`);
    const [d, name] = dot < 0 ? [opts.databases[0]!, t] : [t.slice(0, dot), t.slice(dot + 1)];
    const list = perDb.get(d);
    if (!list) throw new Error(`harness: table ${t} is not in databases ${opts.databases.join(', ')}`);
    list.push(name);
  }
  for (const [database, tables] of perDb) {
    if (opts.tables?.length && tables.length === 0) continue;
    const args = [...conn(db), '-B', database, '-o', opts.outDir, '-t', String(opts.threads ?? 2), '-v', '1'];
    if (tables.length) args.push('-T', tables.join(','));
    if (opts.rowsPerChunk) args.push('-r', String(opts.rowsPerChunk));
    if (opts.compress) args.push('-c');
    args.push(...(opts.extraArgs ?? []));
    const r = await execa(requireTool('mydumper'), args, { reject: false, all: true, timeout: opts.timeoutMs ?? 300_000 });
    if (r.exitCode !== 0 || r.timedOut) {
      throw new Error(`harness: mydumper ${args.join(' ')} ${r.timedOut ? 'timed out' : `exited ${r.exitCode}`}:\n${String(r.all).slice(-3000)}`);
    }
  }
  return opts.outDir;
}

export interface SysbenchOptions {
  database: string;
  /** rows per table */
  tableSize: number;
  /** number of tables sbtest1..sbtestN (default 1) */
  tables?: number;
}

/** CREATE DATABASE IF NOT EXISTS, then `sysbench oltp_read_write prepare` (tables sbtest1..N, `tableSize` rows each). */
export async function sysbenchPrepare(db: MariaDB, opts: SysbenchOptions): Promise<void> {
  await db.query(`CREATE DATABASE IF NOT EXISTS \`${opts.database.replace(/`/g, '``')}\``);
  const tables = opts.tables ?? 1;
  const args = [
    'oltp_read_write', '--db-driver=mysql', '--mysql-host=127.0.0.1', `--mysql-port=${db.port}`, '--mysql-user=root',
    '--mysql-password=', `--mysql-db=${opts.database}`, `--tables=${tables}`, `--table-size=${opts.tableSize}`,
    `--threads=${Math.min(tables, 2)}`, 'prepare',
  ];
  const r = await execa(requireTool('sysbench'), args, { reject: false, all: true });
  if (r.exitCode !== 0) throw new Error(`harness: sysbench ${args.join(' ')} exited ${r.exitCode}:\n${String(r.all).slice(-3000)}`);
}

export interface MyloaderOptions {
  dir: string;
  /** -B: restore into this database (created when missing) */
  database?: string;
  threads: number;
  /** -o: drop and recreate existing tables (without it existing rows make myloader exit 1) */
  overwrite: boolean;
  extraArgs?: string[];
}

/** Runs myloader and returns its wall time in milliseconds. */
export async function myloader(db: MariaDB, opts: MyloaderOptions): Promise<number> {
  const args = [...conn(db), '-d', opts.dir, '-t', String(opts.threads), '-v', '1'];
  if (opts.database) args.push('-B', opts.database);
  if (opts.overwrite) args.push('-o');
  args.push(...(opts.extraArgs ?? []));
  const t0 = performance.now();
  const r = await execa(requireTool('myloader'), args, { reject: false, all: true });
  const ms = performance.now() - t0;
  if (r.exitCode !== 0) throw new Error(`harness: myloader ${args.join(' ')} exited ${r.exitCode}:\n${String(r.all).slice(-3000)}`);
  return ms;
}
