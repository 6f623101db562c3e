// Runs fuzz cases in a worker thread so the parent can time-limit each one (a synchronous endless loop in a
// parser cannot be interrupted from the same thread). Protocol: parent sends {mode, seed, from, count, only?};
// worker posts {t:'case', i} before each case, {t:'fail', ...} per failure, {t:'done', stats} at the end.
import { parentPort, workerData } from 'node:worker_threads';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Codes, LightningError } from '../../src/errors.js';
import { parseSql } from '../../src/parse/sql.js';
import { parseCsv, type CsvOptions } from '../../src/parse/csv.js';
import { makeFieldDecoder } from '../../src/parse/charset.js';
import { openDataFile } from '../../src/source/open.js';
import type { RowBatch } from '../../src/parse/types.js';
import { parseGoFlags } from '../../src/config/goflag.js';
import { LIGHTNING_FLAGS } from '../../src/config/flags.js';
import { loadConfig } from '../../src/config/load.js';
import { toToml } from '../../src/config/to-toml.js';
import { scanSource } from '../../src/source/scan.js';
import { caseRng, compress, csvSeeds, CSV_TOKENS, mutate, randomChunks, sqlSeeds, type Compression, type Rng } from './fuzz-lib.js';

export interface FuzzJob { mode: 'parse' | 'config' | 'source'; seed: number; from: number; count: number }
export interface Failure { t: 'fail'; i: number; seed: number; reason: string; replay: string }
export interface Stats { cases: number; rejected: number; accepted: number; rows: number; byCode: Record<string, number>; maxMs: number }

const job = workerData as FuzzJob;
const post = (m: unknown) => parentPort!.postMessage(m);
const dir = mkdtempSync(join(tmpdir(), 'lightning-fuzz-'));
const stats: Stats = { cases: 0, rejected: 0, accepted: 0, rows: 0, byCode: {}, maxMs: 0 };

const PARSE_CODES = new Set<string>([Codes.Syntax, Codes.UnclosedQuote, Codes.RowTooLarge, Codes.InvalidCharset, Codes.Decompress]);
const CONFIG_CODES = new Set<string>([Codes.InvalidConfig, Codes.ParseConfigFile, Codes.InvalidArgument, Codes.ReadConfigFile, Codes.InvalidTLSConfig]);

const CSV_SETS: Array<Partial<CsvOptions>> = [
  {}, { header: false }, { separator: '|', terminator: '\r\n' }, { separator: '||', delimiter: "''", terminator: '#END#\n' },
  { delimiter: '', escapedBy: '' }, { backslashEscape: false }, { startingBy: 'xxx' }, { allowEmptyLine: true, trimLastSeparator: true },
  { unescapedQuote: true, quotedNullIsText: false, null: ['NULL', ''] }, { notNull: true, headerSchemaMatch: false },
];

/** one parser case: bytes of a (possibly compressed) file and how to parse it */
function parseCase(rng: Rng, i: number) {
  const kind = i % 10 < 4 || i % 10 === 8 ? 'sql' : 'csv';
  const compression: Compression | 'none' = i % 10 >= 8 ? rng.pick(['gzip', 'zstd', 'snappy'] as const) : 'none';
  let data = rng.pick(kind === 'sql' ? sqlSeeds() : csvSeeds());
  if (compression === 'none' || rng.chance(0.5)) data = mutate(rng, data, kind === 'sql' ? undefined : CSV_TOKENS);
  if (compression !== 'none') {
    data = compress(compression, data, rng);
    if (rng.chance(0.6)) data = mutate(rng, data, ['\x00', '\xff']);
  }
  return {
    kind, compression, data, file: `case-${i}.${kind}${compression === 'none' ? '' : `.${compression}`}`,
    csv: rng.pick(CSV_SETS), ansiQuotes: rng.chance(0.2), noBackslashEscapes: rng.chance(0.2),
    charset: rng.pick([undefined, undefined, 'utf8mb4', 'gbk', 'latin1']), maxRowSize: rng.pick([4096, 65536, 1 << 20]),
    batchRows: rng.pick([1, 7, 8192]),
    /** resume somewhere inside the file (what a chunk restart does), plain files only */
    startOffset: compression === 'none' && rng.chance(0.15) ? rng.int(data.length + 1) : 0,
    inValues: rng.chance(0.5),
  };
}

async function runParse(rng: Rng, i: number): Promise<string | undefined> {
  const c = parseCase(rng, i);
  let input: AsyncIterable<Buffer>;
  if (c.compression === 'none') input = randomChunks(rng, c.data.subarray(c.startOffset));
  else {
    writeFileSync(join(dir, c.file), c.data);
    input = openDataFile(dir, { path: c.file, compression: c.compression }, { readSize: rng.pick([512, 4096, 65536]) });
  }
  const decode = c.charset ? makeFieldDecoder(c.charset) : undefined;
  const batches: AsyncIterable<RowBatch> = c.kind === 'sql'
    ? parseSql(input, { file: c.file, startOffset: c.startOffset, inValues: c.startOffset > 0 && c.inValues, ansiQuotes: c.ansiQuotes, noBackslashEscapes: c.noBackslashEscapes, maxRowSize: c.maxRowSize, batchRows: c.batchRows, decode })
    : parseCsv(input, { file: c.file, startOffset: c.startOffset, csv: c.csv, maxRowSize: c.maxRowSize, batchRows: c.batchRows, decode });
  let lastEnd = c.startOffset, lastNo = 0;
  try {
    for await (const b of batches) {
      for (const r of b.rows) {
        if (r.offset < lastEnd || r.end < r.offset) return `row ${r.rowNo} at [${r.offset}, ${r.end}) overlaps the previous row ending at ${lastEnd}`;
        if (r.rowNo !== lastNo + 1) return `row number ${r.rowNo} after ${lastNo}`;
        if (c.compression === 'none' && r.end > c.data.length) return `row end ${r.end} past the input (${c.data.length} bytes)`;
        for (const f of r.fields) void f.value.length; // every field must be readable
        lastEnd = r.end; lastNo = r.rowNo;
        stats.rows++;
      }
    }
    stats.accepted++;
    return undefined;
  } catch (e) {
    return rejection(e, (err) => {
      if (!PARSE_CODES.has(err.code)) return `unexpected code ${err.code}`;
      // decompressor failures are wrapped; a TypeError/RangeError inside is a bug, not bad input. fzstd reports
      // some corrupt blocks only by running off a typed array (RangeError): still a clean coded rejection.
      const crash = err.cause instanceof TypeError || (err.cause instanceof RangeError && c.compression !== 'zstd');
      if (crash) return `decompressor crashed: ${String(err.cause)}`;
      if (err.context.file !== c.file) return `error names file ${String(err.context.file)}, not ${c.file}`;
      if (typeof err.context.offset !== 'number' || err.context.offset < c.startOffset) return `error has no byte offset at or after the start ${c.startOffset}`;
      return undefined;
    });
  } finally {
    if (c.compression !== 'none') rmSync(join(dir, c.file), { force: true });
  }
}

function rejection(e: unknown, check: (e: LightningError) => string | undefined): string | undefined {
  if (!(e instanceof LightningError)) return `not a LightningError: ${e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ''}` : String(e)}`;
  const bad = check(e);
  if (bad) return `${bad}: [${e.code}] ${e.message}`;
  stats.rejected++;
  stats.byCode[e.code] = (stats.byCode[e.code] ?? 0) + 1;
  return undefined;
}

const dataDir = join(dir, 'data');
mkdirSync(dataDir);
const BASES = [
  () => readFileSync(new URL('../../../test/fixtures/config/tidb-lightning.toml', import.meta.url), 'utf8')
    .replace(/^data-source-dir = .*$/m, `data-source-dir = ${JSON.stringify(dataDir)}`),
  () => `[tikv-importer]\nbackend = "tidb"\n[tidb]\nport = 4000\n[mydumper]\ndata-source-dir = ${JSON.stringify(dataDir)}\n`,
  () => `[tikv-importer]\nbackend = "local"\nsorted-kv-dir = "${join(dir, 'kv')}"\n[tidb]\nport = 4000\npd-addr = "127.0.0.1:2379"\n[mydumper]\ndata-source-dir = ${JSON.stringify(dataDir)}\n[mydumper.csv]\nseparator = ","\n[[routes]]\nschema-pattern = "a*"\ntarget-schema = "b"\n[routes.extract-table]\ntable-regexp = "t_(.*)"\ntarget-column = "c"\n`,
  () => '',
];
const VALUES = ['"x"', '""', '0', '-1', '4000', '1.5', 'true', 'false', '[]', '["a", "b"]', '["a", 1]', '{ a = 1 }', '"96MiB"', '"5m"', '"-1s"',
  '"\\\\N"', '"(?P<x>"', '"*.*"', '"!"', '"local"', '"tidb"', '"required"', '"s3://b/p"', '"/nonexistent"', '9223372036854775807', '1979-05-27', '"\\u0000"'];
const KEYS = ['backend', 'port', 'data-source-dir', 'separator', 'delimiter', 'terminator', 'null', 'escaped-by', 'starting-by', 'filter', 'sql-mode',
  'max-error', 'checksum', 'level', 'region-concurrency', 'read-block-size', 'disk-quota', 'switch-mode', 'schema-pattern', 'target-schema',
  'pattern', 'type', 'character-set', 'data-character-set', 'tls', 'dsn', 'driver', 'strategy', 'status-addr', 'server-mode', 'nope'];
const SECTIONS = ['[lightning]', '[tidb]', '[mydumper]', '[mydumper.csv]', '[tikv-importer]', '[checkpoint]', '[[routes]]', '[[mydumper.files]]',
  '[[mydumper.ignore-data-columns]]', '[post-restore]', '[cron]', '[conflict]', '[tidb.security]', '[routes.extract-schema]', '[bogus]'];

function mutateToml(rng: Rng, text: string): string {
  let lines = text.split('\n');
  for (let k = rng.chance(0.3) ? 0 : 1 + rng.int(3); k > 0; k--) {
    const at = rng.int(lines.length + 1);
    switch (rng.int(7)) {
      case 0: { // new value for an existing key
        const j = Math.min(at, lines.length - 1);
        if (j >= 0 && /=/.test(lines[j]!)) lines[j] = `${lines[j]!.split('=')[0]!}= ${rng.pick(VALUES)}`;
        break;
      }
      case 1: lines.splice(at, 0, `${rng.pick(KEYS)} = ${rng.pick(VALUES)}`); break;
      case 2: lines.splice(at, 0, rng.pick(SECTIONS)); break;
      case 3: lines.splice(at, 1); break;
      case 4: lines.splice(at, 0, lines[rng.int(lines.length)] ?? ''); break;
      case 5: { // garbage characters
        const j = Math.min(at, lines.length - 1);
        if (j >= 0) { const l = lines[j]!; const p = rng.int(l.length + 1); lines[j] = l.slice(0, p) + rng.pick(['=', '[', ']', '"', "'", '\\', '#', '{', ',', '\u00e9']) + l.slice(p); }
        break;
      }
      default: lines = lines.slice(0, at);
    }
  }
  return lines.join('\n');
}

const FLAG_VALUES = ['x', '', '0', '-1', '4000', '0x10', 'true', 'false', 'maybe', 'tidb', 'local', 'required', dataDir, '*.*', '!a.b'];
function randomArgv(rng: Rng): string[] {
  const argv: string[] = [];
  if (rng.chance(0.7)) argv.push('-d', dataDir);
  for (let k = rng.int(3); k > 0; k--) {
    const spec = rng.pick(LIGHTNING_FLAGS.filter((s) => s.name !== 'config' && s.name !== 'c' && s.name !== 'V'));
    const dash = rng.pick(['-', '--']);
    const v = rng.pick(FLAG_VALUES);
    switch (rng.int(6)) {
      case 0: case 4: argv.push(`${dash}${spec.name}=${v}`); break;
      case 1: argv.push(`${dash}${spec.name}`, v); break;
      case 2: case 5: argv.push(`${dash}${spec.name}`); break;
      default: argv.push(rng.pick(['-nope', '---x', '-', '--', '-=x', `${dash}${spec.name}=`]));
    }
  }
  return argv;
}

function runConfig(rng: Rng): string | undefined {
  const text = mutateToml(rng, rng.pick(BASES)());
  const argv = randomArgv(rng);
  try {
    const flags = parseGoFlags(LIGHTNING_FLAGS, argv).values;
    const r = loadConfig({ text, file: 'fuzz.toml', flags, env: {} });
    void toToml(r.config);
    stats.accepted++;
    return undefined;
  } catch (e) {
    return rejection(e, (err) => {
      if (!CONFIG_CODES.has(err.code)) return `unexpected code ${err.code}`;
      const { key, line } = err.context;
      if (!(typeof key === 'string' && key) && typeof line !== 'number') return 'error names neither a key nor a line';
      return undefined;
    });
  }
}

// source mode: table filters, [[routes]] and [[mydumper.files]] rules (user-written patterns) over a fixed tree
const srcDir = join(dir, 'src');
const SRC_FILES = ['db1-schema-create.sql', 'db1.t1-schema.sql', 'db1.t1.000000001.sql', 'db1.t1.2.csv.gz', 'db2.t%2Fx.csv',
  'sub/db2.a.b.parquet', 'shard_01.orders_7.sql.zst', 'Mixed.Case.sql', 'metadata', 'x.txt', 'db1.v-schema-view.sql', 'a'.repeat(60) + '.t.sql'];
for (const f of SRC_FILES) { mkdirSync(join(srcDir, f, '..'), { recursive: true }); writeFileSync(join(srcDir, f), 'x'); }
const NAME_BITS = ['*', '?', 'db', '1', '[a-z]', '[!0-9]', '`a.b`', '"q"', '\\.', '/^d.*/', '/(/', '!', '.', ' ', '#', '[', 'shard_*', 't?', 'Mixed'];
const RE_BITS = ['(?i)', '^', '$', '(.*)', '([^/.]+)', '\\.', '(?P<n>\\d+)', '.*?', '(', ')', '[', 'sql', 'csv', '|', '+', '{2}', '\\', '(?:x)?'];
const name = (rng: Rng, bits: readonly string[], max: number) => Array.from({ length: 1 + rng.int(max) }, () => rng.pick(bits)).join('');

async function runSource(rng: Rng): Promise<string | undefined> {
  const opts = {
    dataSourceDir: srcDir,
    caseSensitive: rng.chance(0.3),
    filter: rng.chance(0.3) ? undefined : Array.from({ length: 1 + rng.int(3) }, () => `${rng.chance(0.2) ? '!' : ''}${name(rng, NAME_BITS, 3)}${rng.chance(0.9) ? '.' : ''}${name(rng, NAME_BITS, 3)}`),
    routes: rng.chance(0.5) ? [] : Array.from({ length: 1 + rng.int(2) }, () => ({
      schemaPattern: name(rng, NAME_BITS.slice(0, 8), 2), tablePattern: rng.chance(0.5) ? name(rng, NAME_BITS.slice(0, 8), 2) : '',
      targetSchema: rng.chance(0.9) ? 'target' : '', targetTable: rng.chance(0.5) ? 'tt' : '',
      ...(rng.chance(0.3) ? { extractTable: { tableRegexp: name(rng, RE_BITS, 4), targetColumn: rng.chance(0.9) ? 'c' : '' } } : {}),
      ...(rng.chance(0.2) ? { extractSource: { sourceRegexp: name(rng, RE_BITS, 3), targetColumn: 's' } } : {}),
    })),
    fileRules: rng.chance(0.5) ? [] : [{
      pattern: name(rng, RE_BITS, 6), schema: rng.pick(['$1', 'db', '${n}', '']), table: rng.pick(['$2', 't', '$9']),
      type: rng.pick(['sql', 'csv', 'parquet', '$3', 'ignore', 'xml']), key: rng.pick(['', '$n', '$3']), compression: rng.pick(['', '$3', 'gz', 'lz4']),
    }],
    defaultFileRules: rng.chance(0.5),
    sourceId: rng.pick(['', 'mysql-01']),
  };
  try {
    const s = await scanSource(opts);
    for (const d of s.schemas) for (const t of d.tables) if (!t.schema || !t.table) return `scan produced an empty name ${JSON.stringify([t.schema, t.table])}`;
    stats.accepted++;
    return undefined;
  } catch (e) {
    return rejection(e, (err) => {
      if (err.code !== Codes.InvalidConfig && err.code !== Codes.FileRoute) return `unexpected code ${err.code}`;
      return typeof err.context.key === 'string' && err.context.key ? undefined : 'error does not name the setting (key)';
    });
  }
}

function replayInfo(i: number): string {
  return `LIGHTNING_FUZZ_SEED=${job.seed} LIGHTNING_FUZZ_CASE=${i}`;
}

async function main(): Promise<void> {
  try {
    for (let i = job.from; i < job.from + job.count; i++) {
      post({ t: 'case', i });
      const t0 = performance.now();
      const rng = caseRng(job.seed, i);
      const bad = job.mode === 'parse' ? await runParse(rng, i) : job.mode === 'source' ? await runSource(rng) : runConfig(rng);
      stats.maxMs = Math.max(stats.maxMs, performance.now() - t0);
      stats.cases++;
      if (bad) post({ t: 'fail', i, seed: job.seed, reason: bad, replay: replayInfo(i) } satisfies Failure);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  post({ t: 'done', stats });
}

void main();
