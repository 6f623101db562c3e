// Shared set-up of the chart-to-process tests: a source MariaDB with a shop database (tables with and without a
// primary key) dumped by the real mydumper, a target MariaDB with a password user, a local S3 holding the dump as a tarball and as a directory,
// and the "image" binaries (wrappers that record their argv, then exec the real tidb-lightning / rclone).
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { LIGHTNING, ROOT, render, type K8sObject } from '../charts/helpers.js';
import { assertSameDatabase } from '../harness/compare.js';
import { ensureMariaDBInstalled, startMariaDB, type MariaDB } from '../harness/mariadb.js';
import { ensureToolsInstalled, mydumper } from '../harness/mydumper.js';
import { requireTool } from '../harness/sys.js';
import { startS3, type LocalS3 } from './s3.js';

/** Spaces, quotes, `$`, `*` and `\`: anything the official chart's unquoted `${TIDB_PASSWORD}` would mangle. */
export const PASSWORD = `p@ss w0rd "$HOME" *.sql \\ 'x'`;
export const TABLES = [['shop', 'users'], ['shop', 'events'], ['shop', 'big']] as const;
/**
 * rows of shop.big (~25 MB): one data file (mydumper 0.10 splits only tables with a primary key) of several
 * 4 MiB LOAD DATA transactions, enough for a kill -9 to land mid-import
 */
export const BIG_ROWS = 150_000;

export interface Fixture {
  work: string;
  source: MariaDB;
  target: MariaDB;
  s3: LocalS3;
  /** the mydumper output directory (its name is the tarball's top directory) */
  dumpDir: string;
  /** rows per table in the source */
  rows: Record<string, number>;
  /** the wrappers' directory (the image's PATH) */
  bin: string;
  /** argv of each tidb-lightning start, one JSON array per line */
  lightningLog: string;
  rcloneLog: string;
  /** rclone for the test's own uploads (env-configured remote `up`) */
  upload(localPath: string, remotePath: string, op?: 'copyto' | 'sync'): Promise<void>;
  lightningStarts(): Array<{ argv: string[]; envNames: string[]; pid: number }>;
  rcloneCalls(): string[][];
  /** helm template of the chart for release `imp` in namespace `e2e`, tidb back end into the target MariaDB */
  renderJob(set: string[]): K8sObject[];
  /** Secrets the rendered pod refers to: the rclone.conf Secret and the database credentials */
  secrets: Record<string, Record<string, string>>;
  /** drops what an import wrote into the target (the tables and lightning's own progress schema) */
  resetTarget(): Promise<void>;
  /** the target holds exactly the source's shop tables and rows */
  assertImported(): Promise<void>;
  close(): Promise<void>;
}

export const RELEASE = 'imp';
/** names the chart renders for the target cluster `e2e` in namespace `e2e` */
export const CLUSTER_HOSTS = ['e2e-tidb.e2e', 'e2e-pd.e2e'];

const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

function writeExe(path: string, body: string): void {
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
}

export async function setUp(): Promise<Fixture> {
  await ensureMariaDBInstalled();
  await ensureToolsInstalled(['mydumper']);
  const rclone = requireTool('rclone');
  const work = mkdtempSync(join(tmpdir(), 'lightning-e2e-'));
  const closers: Array<() => Promise<void>> = [];
  const close = async () => {
    for (const c of closers.reverse()) await c().catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  };
  try {
    const source = await startMariaDB();
    closers.push(() => source.stop());
    const target = await startMariaDB();
    closers.push(() => target.stop());
    const s3 = await startS3();
    closers.push(() => s3.close());

    // MariaDB's SEQUENCE engine (seq_1_to_N) makes the rows; strings with quotes, backslashes, non-ASCII, NULLs.
    await source.query(`CREATE DATABASE shop CHARACTER SET utf8mb4; USE shop;
      CREATE TABLE shop.users (id INT PRIMARY KEY, name VARCHAR(64) NOT NULL, note TEXT, score DECIMAL(10,2));
      INSERT INTO shop.users SELECT seq, CONCAT('user-', seq, ' O''Neil \\\\ "ü✓"'), IF(seq % 7 = 0, NULL, REPEAT('n', seq % 40)), seq / 8
        FROM seq_1_to_3000;
      CREATE TABLE shop.events (ts DATETIME NOT NULL, kind VARCHAR(16), v INT);
      INSERT INTO shop.events SELECT '2020-03-07 10:00:00' + INTERVAL (seq % 500) MINUTE, ELT(1 + seq % 3, 'a', 'b', NULL), seq % 11
        FROM seq_1_to_2000;
      CREATE TABLE shop.big (n INT NOT NULL, pad VARCHAR(255) NOT NULL);
      INSERT INTO shop.big SELECT seq % 5000, REPEAT(CHAR(65 + seq % 26), 100 + seq % 100) FROM seq_1_to_${BIG_ROWS};`);
    const rows: Record<string, number> = {};
    for (const [d, t] of TABLES) {
      const r = await source.query<Array<{ n: number }>>(`SELECT COUNT(*) AS n FROM ${d}.${t}`);
      rows[`${d}.${t}`] = Number(r[0]!.n);
    }
    const dumpDir = join(work, 'src', 'shop-dump');
    await mydumper(source, { databases: ['shop'], outDir: dumpDir, rowsPerChunk: 1000, threads: 2 });
    await target.query(`CREATE USER 'app'@'%' IDENTIFIED BY ?; GRANT ALL ON *.* TO 'app'@'%';`, [PASSWORD]);

    const bin = mkdirp(join(work, 'bin'));
    const lightningLog = join(work, 'lightning-starts.log');
    const rcloneLog = join(work, 'rclone-calls.log');
    const shim = join(ROOT, 'dist', 'test', 'e2e', 'dns-shim.js');
    const cli = (name: string) => join(ROOT, 'dist', 'src', 'cli', `${name}.js`);
    // The image's binaries. tidb-lightning records its argv, env names and pid, then execs the real CLI (same pid,
    // same argv) with the DNS shim that stands in for cluster DNS.
    writeExe(join(bin, 'tidb-lightning'), `node -e 'const fs=require("fs");fs.appendFileSync(process.argv[1], JSON.stringify({argv:process.argv.slice(3),envNames:Object.keys(process.env).sort(),pid:Number(process.argv[2])})+"\\n")' -- ${q(lightningLog)} "$$" "$@"
export NODE_OPTIONS="\${NODE_OPTIONS:+$NODE_OPTIONS }--import=file://${shim}" LIGHTNING_E2E_HOSTS=${q(CLUSTER_HOSTS.join(','))}
exec ${q(process.execPath)} ${q(cli('tidb-lightning'))} "$@"`);
    writeExe(join(bin, 'tidb-lightning-ctl'), `exec ${q(process.execPath)} ${q(cli('tidb-lightning-ctl'))} "$@"`);
    writeExe(join(bin, 'node'), `exec ${q(process.execPath)} "$@"`);
    writeExe(join(bin, 'rclone'), `node -e 'require("fs").appendFileSync(process.argv[1], JSON.stringify(process.argv.slice(2))+"\\n")' -- ${q(rcloneLog)} "$@"
exec ${q(rclone)} "$@"`);

    const upEnv = {
      RCLONE_CONFIG: '/dev/null', RCLONE_CONFIG_UP_TYPE: 's3', RCLONE_CONFIG_UP_PROVIDER: 'Other', RCLONE_CONFIG_UP_ENDPOINT: s3.endpoint,
      RCLONE_CONFIG_UP_ACCESS_KEY_ID: s3.accessKeyId, RCLONE_CONFIG_UP_SECRET_ACCESS_KEY: s3.secretAccessKey,
      RCLONE_CONFIG_UP_FORCE_PATH_STYLE: 'true', RCLONE_CONFIG_UP_REGION: 'us-east-1', PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: work,
    };
    const upload = async (localPath: string, remotePath: string, op: 'copyto' | 'sync' = 'copyto') => {
      // asynchronous: s3rver runs in this process
      const r = await execa(rclone, [op, localPath, `up:${s3.bucket}/${remotePath}`], { env: upEnv, extendEnv: false, reject: false });
      if (r.exitCode !== 0) throw new Error(`e2e: rclone ${op} ${localPath} failed: ${r.stderr}`);
    };
    const readLines = (f: string) => { try { return readFileSync(f, 'utf8').split('\n').filter(Boolean); } catch { return []; } };
    return {
      work, source, target, s3, dumpDir, rows, bin, lightningLog, rcloneLog, upload,
      lightningStarts: () => readLines(lightningLog).map((l) => JSON.parse(l)),
      rcloneCalls: () => readLines(rcloneLog).map((l) => JSON.parse(l)),
      renderJob: (set) => render(LIGHTNING, {
        release: RELEASE, namespace: 'e2e',
        set: ['backend=tidb', 'targetTidbCluster.name=e2e', `targetTidbCluster.port=${target.port}`, 'targetTidbCluster.secretName=db',
          'targetTidbCluster.secretUserKey=user', 'targetTidbCluster.secretPwdKey=password', ...set],
      }),
      secrets: { 'cloud-storage-secret': { 'rclone.conf': s3.rcloneConf('s3') }, db: { user: 'app', password: PASSWORD } },
      resetTarget: async () => { await target.query('DROP DATABASE IF EXISTS shop; DROP DATABASE IF EXISTS lightning_task_info'); },
      assertImported: () => assertSameDatabase(source, 'shop', target, 'shop'),
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}

function mkdirp(d: string): string {
  mkdirSync(d, { recursive: true });
  return d;
}

/**
 * A gzip tarball of the dump with `metadata` as the FIRST member (so a truncated copy has extracted it before
 * failing: the case the official chart's "data already exist" check got wrong).
 */
export async function makeTarball(dumpDir: string, out: string, opts: { truncate?: boolean } = {}): Promise<void> {
  const parent = join(dumpDir, '..');
  const name = dumpDir.slice(parent.length + 1);
  const members = [`${name}/metadata`, ...readdirSync(dumpDir).filter((f) => f !== 'metadata').sort().map((f) => `${name}/${f}`)];
  await execa('tar', ['czf', out, '-C', parent, '--no-recursion', name, ...members]);
  if (opts.truncate) {
    const size = statSync(out).size;
    writeFileSync(out, readFileSync(out).subarray(0, Math.floor(size / 2)));
  }
}

/** Files (relative paths) under dir, recursively, sorted. */
export function listFiles(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...listFiles(join(dir, e.name), rel));
    else out.push(rel);
  }
  return out.sort();
}
