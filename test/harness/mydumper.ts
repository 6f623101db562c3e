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

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
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
  /** -t (mydumper's default is 4) */
  threads?: number;
  extraArgs?: string[];
}

/** Runs mydumper and returns outDir. */
export async function mydumper(db: MariaDB, opts: MydumperOptions): Promise<string> {
  if (opts.databases.length === 0) throw new Error('harness: mydumper needs at least one database');
  mkdirSync(opts.outDir, { recursive: true });
  const args = [...conn(db), '-o', opts.outDir, '-t', String(opts.threads ?? 2), '-v', '1'];
  if (opts.tables?.length) {
    const full = opts.tables.map((t) => {
      if (t.includes('.')) return t;
      if (opts.databases.length !== 1) throw new Error(`harness: table ${t} needs a db. prefix with several databases`);
      return `${opts.databases[0]}.${t}`;
    });
    args.push('-T', full.join(','));
    if (opts.databases.length === 1) args.push('-B', opts.databases[0]!);
  } else if (opts.databases.length === 1) {
    args.push('-B', opts.databases[0]!);
  } else {
    args.push('-x', `^(${opts.databases.map(escapeRegex).join('|')})\\.`);
  }
  if (opts.rowsPerChunk) args.push('-r', String(opts.rowsPerChunk));
  if (opts.compress) args.push('-c');
  args.push(...(opts.extraArgs ?? []));
  const r = await execa(requireTool('mydumper'), args, { reject: false, all: true });
  if (r.exitCode !== 0) throw new Error(`harness: mydumper ${args.join(' ')} exited ${r.exitCode}:\n${String(r.all).slice(-3000)}`);
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
