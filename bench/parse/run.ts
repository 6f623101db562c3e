// Parser throughput: a 1M-row sysbench table as a mydumper SQL dump and as CSV (INTO OUTFILE), parsed by
// our SQL and CSV parsers and by csv-parse on the same CSV, in one process, one after another. Also what the
// tidb backend's LOAD DATA path does with the SQL dump: Row objects + plan + content hash (the Row path) against
// the digester (src/backend/tidb/digest.ts), which must give the same checksum.
// Corpus: real sysbench + mydumper + MariaDB via the test harness; `--synthetic` (or no MariaDB) writes the
// same shape of bytes itself. Cached in $BENCH_PARSE_DIR (default /tmp/lightning-bench-parse).
// Usage: node dist/bench/parse/run.js [--rows N] [--synthetic] [--runs N]
import { existsSync, mkdirSync, statSync, writeFileSync, readdirSync, readFileSync, chmodSync, openSync, writeSync, closeSync } from 'node:fs';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { parse as csvParse } from 'csv-parse';
import { parseSql } from '../../src/parse/sql.js';
import { parseCsv } from '../../src/parse/csv.js';
import { openDataFile } from '../../src/source/open.js';
import type { ColumnInfo } from '../../src/backend/tidb/columns.js';
import { RowHasher } from '../../src/backend/tidb/checksum.js';
import { LoadDigester, type LoadDigest } from '../../src/backend/tidb/digest.js';
import { loadPlanner } from '../../src/backend/tidb/load-data.js';

const args = process.argv.slice(2);
const opt = (name: string, def: string) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1]! : def; };
const ROWS = Number(opt('--rows', '1000000'));
const RUNS = Number(opt('--runs', '2'));
const DIR = process.env.BENCH_PARSE_DIR ?? '/tmp/lightning-bench-parse';

interface Corpus { dir: string; sqlFiles: string[]; csvFile: string; source: string }

async function realCorpus(dir: string): Promise<Corpus> {
  const { startMariaDB } = await import('../../test/harness/mariadb.js');
  const { mydumper, sysbenchPrepare } = await import('../../test/harness/mydumper.js');
  const db = await startMariaDB({ stock: false });
  try {
    await sysbenchPrepare(db, { database: 'sbtest', tableSize: ROWS });
    await mydumper(db, { databases: ['sbtest'], outDir: join(dir, 'dump') });
    chmodSync(dir, 0o777);
    await db.query(`SELECT * FROM sbtest.sbtest1 INTO OUTFILE '${join(dir, 'sbtest.sbtest1.csv')}' FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '"' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n'`);
  } finally {
    await db.stop();
  }
  writeFileSync(join(dir, 'SOURCE'), 'real: sysbench 1.0 prepare + mydumper 0.10 + MariaDB INTO OUTFILE');
  return load(dir);
}

/** Same bytes shape as sysbench + mydumper 0.10: `(id,k,"c","pad")` rows, ~1 MB INSERT statements. */
function syntheticCorpus(dir: string): Corpus {
  mkdirSync(join(dir, 'dump'), { recursive: true });
  let seed = 1;
  const rnd = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed; };
  const digits = (groups: number) => Array.from({ length: groups }, () => String(rnd() % 100000000000).padStart(11, '0')).join('-');
  const sql = openSync(join(dir, 'dump', 'sbtest.sbtest1.sql'), 'w');
  const csv = openSync(join(dir, 'sbtest.sbtest1.csv'), 'w');
  writeSync(sql, '/*!40101 SET NAMES binary*/;\n/*!40014 SET FOREIGN_KEY_CHECKS=0*/;\n/*!40103 SET TIME_ZONE=\'+00:00\' */;\n');
  let stmt = 0, sqlParts: string[] = [], csvParts: string[] = [];
  for (let id = 1; id <= ROWS; id++) {
    const k = rnd() % ROWS, c = digits(10), pad = digits(5);
    const row = `(${id},${k},"${c}","${pad}")`;
    if (stmt === 0) sqlParts.push('INSERT INTO `sbtest1` VALUES\n' + row);
    else sqlParts.push(',\n' + row);
    stmt += row.length;
    if (stmt > 1000000 || id === ROWS) { sqlParts.push(';\n'); stmt = 0; }
    csvParts.push(`${id},${k},"${c}","${pad}"\n`);
    if (csvParts.length >= 10000) { writeSync(sql, sqlParts.join('')); writeSync(csv, csvParts.join('')); sqlParts = []; csvParts = []; }
  }
  writeSync(sql, sqlParts.join('')); writeSync(csv, csvParts.join(''));
  closeSync(sql); closeSync(csv);
  writeFileSync(join(dir, 'SOURCE'), 'synthetic: generated in the shape of sysbench + mydumper 0.10 output');
  return load(dir);
}

function load(dir: string): Corpus {
  const sqlFiles = readdirSync(join(dir, 'dump')).filter((f) => /^sbtest\.sbtest1(\.\d+)?\.sql$/.test(f)).sort().map((f) => join('dump', f));
  return { dir, sqlFiles, csvFile: 'sbtest.sbtest1.csv', source: readFileSync(join(dir, 'SOURCE'), 'utf8') };
}


async function corpus(): Promise<Corpus> {
  const dir = `${DIR}-${ROWS}`;
  if (existsSync(join(dir, 'SOURCE')) && !args.includes('--regen')) return load(dir);
  mkdirSync(dir, { recursive: true });
  if (!args.includes('--synthetic')) {
    try {
      return await realCorpus(dir);
    } catch (e) {
      console.log(`MariaDB/sysbench/mydumper unavailable (${(e as Error).message.split('\n')[0]}); synthesizing the corpus`);
    }
  }
  return syntheticCorpus(dir);
}

/** run fn, sampling RSS; returns seconds and peak RSS (MiB) */
async function measure(fn: () => Promise<number>): Promise<{ s: number; rss: number; rows: number }> {
  global.gc?.();
  let peak = process.memoryUsage().rss;
  const iv = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 20);
  const t = process.hrtime.bigint();
  const rows = await fn();
  const s = Number(process.hrtime.bigint() - t) / 1e9;
  clearInterval(iv);
  peak = Math.max(peak, process.memoryUsage().rss);
  return { s, rss: peak / 1048576, rows };
}

async function main(): Promise<void> {
  const c = await corpus();
  const sqlBytes = c.sqlFiles.reduce((a, f) => a + statSync(join(c.dir, f)).size, 0);
  const csvBytes = statSync(join(c.dir, c.csvFile)).size;
  console.log(`corpus: ${c.source}; ${ROWS} rows; SQL ${(sqlBytes / 1e6).toFixed(1)} MB in ${c.sqlFiles.length} file(s), CSV ${(csvBytes / 1e6).toFixed(1)} MB`);
  console.log(`node ${process.version}, one thread; the machine is shared, so figures are noisy: best of ${RUNS} runs`);

  const cases: Array<[string, number, () => Promise<number>]> = [
    ['sql', sqlBytes, async () => {
      let n = 0;
      for (const f of c.sqlFiles) {
        for await (const b of parseSql(openDataFile(c.dir, { path: f, compression: 'none' }), { file: f })) n += b.rows.length;
      }
      return n;
    }],
    ['csv', csvBytes, async () => {
      let n = 0;
      for await (const b of parseCsv(openDataFile(c.dir, { path: c.csvFile, compression: 'none' }), { file: c.csvFile, csv: { header: false } })) n += b.rows.length;
      return n;
    }],
    ['csv-parse', csvBytes, async () => {
      let n = 0;
      const p = createReadStream(join(c.dir, c.csvFile), { highWaterMark: 1 << 20 }).pipe(csvParse({ delimiter: ',', quote: '"', escape: '\\', relax_column_count: false }));
      for await (const _ of p) n++;
      return n;
    }],
  ];
  // sbtest1 as the target reports it: id INT AUTO_INCREMENT, k INT, c CHAR(120), pad CHAR(60)
  const col = (name: string, kind: ColumnInfo['kind'], dataType: string, autoIncrement = false): ColumnInfo =>
    ({ name, kind, dataType, columnType: dataType, nullable: false, autoIncrement, generated: false, scale: 0, octets: 0, members: [] });
  const sbtest = [col('id', 'int', 'int', true), col('k', 'int', 'int'), col('c', 'char', 'char'), col('pad', 'char', 'char')];
  const sums: Record<string, bigint> = {};
  cases.push(['sql rows+hash', sqlBytes, async () => {
    const planner = loadPlanner(sbtest)!, hasher = new RowHasher(sbtest);
    let n = 0, sum = 0n;
    for (const f of c.sqlFiles) {
      for await (const b of parseSql(openDataFile(c.dir, { path: f, compression: 'none' }), { file: f })) {
        if (!planner.plan(b.rows, b.columns)) throw new Error('a sysbench row left the LOAD DATA path');
        sum += hasher.hashRows(b.rows, b.columns)[0];
        n += b.rows.length;
      }
    }
    sums['sql rows+hash'] = sum % (1n << 64n);
    return n;
  }], ['sql digest', sqlBytes, async () => {
    let n = 0, sum = 0n;
    for (const f of c.sqlFiles) {
      const digester = new LoadDigester(loadPlanner(sbtest)!, new RowHasher(sbtest), sbtest.length, 65536, false);
      for await (const b of parseSql(openDataFile(c.dir, { path: f, compression: 'none' }), { file: f, digester })) {
        const d = b.digest as LoadDigest;
        sum += d.checksum;
        n += d.rows;
      }
    }
    sums['sql digest'] = sum % (1n << 64n);
    return n;
  }]);
  const best: Record<string, number> = {};
  for (const [name, bytes, fn] of cases) {
    let top = 0, rss = 0;
    for (let r = 0; r < RUNS; r++) {
      const m = await measure(fn);
      if (m.rows !== ROWS) throw new Error(`${name}: parsed ${m.rows} rows, expected ${ROWS}`);
      const mbs = bytes / 1e6 / m.s;
      console.log(`  ${name} run ${r + 1}: ${m.s.toFixed(2)} s, ${mbs.toFixed(1)} MB/s, peak RSS ${m.rss.toFixed(0)} MiB`);
      top = Math.max(top, mbs); rss = Math.max(rss, m.rss);
    }
    best[name] = top;
    console.log(`${name}: best ${top.toFixed(1)} MB/s, peak RSS ${rss.toFixed(0)} MiB`);
  }
  console.log(`ratio csv / csv-parse: ${(best.csv! / best['csv-parse']!).toFixed(1)}x; process max RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
  if (sums['sql digest'] !== sums['sql rows+hash']) throw new Error(`digest checksum ${sums['sql digest']} != row path ${sums['sql rows+hash']}`);
  console.log(`ratio sql digest / sql rows+hash: ${(best['sql digest']! / best['sql rows+hash']!).toFixed(2)}x (same checksum)`);
  console.log(`sql: ${best.sql!.toFixed(1)} MB/s`);
  console.log(`csv: ${best.csv!.toFixed(1)} MB/s`);
  console.log(`csv-parse: ${best['csv-parse']!.toFixed(1)} MB/s`);
}

main().catch((e: unknown) => { console.error(e); process.exit(1); });
