// Encode benchmark: a 1M-row sysbench table (id int PK, k int, c char(120), pad char(60), KEY k_1(k)) as a
// mydumper-style SQL dump → parsed by our SQL parser → data + index KV pairs + KV checksum.
//   1. one core: pack + encode on this thread (what one pool worker does, plus the main thread's packing);
//      MB/s of source SQL bytes per CPU second (process CPU time, GC included) and per wall second.
//   2. pool: EncodePool (region-concurrency = available cores) fed by the streaming parser; wall MB/s and
//      MB/s per CPU second of encoding (process CPU minus the CPU a parse-only pass takes).
// Peers in the same run: memcpy of the source bytes, and the parse-only pass. Prints peak RSS.
// Corpus: the parse bench's real sysbench + mydumper dump when present ($BENCH_PARSE_DIR-<rows>/dump),
// else a synthetic one of the same shape (cached in /tmp/lightning-bench-encode-<rows>).
// Usage: node dist/bench/encode/run.js [--rows N] [--runs N] [--pool-only | --core-only]
import { existsSync, mkdirSync, readdirSync, readFileSync, openSync, readSync, writeSync, closeSync, statSync, renameSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parseSql } from '../../src/parse/sql.js';
import type { RowBatch } from '../../src/parse/types.js';
import { TableEncoder } from '../../src/encode/table.js';
import { KVChecksum } from '../../src/encode/checksum.js';
import { crc64XorInto } from '../../src/encode/crc64.js';
import { buildTableInfo } from '../../src/encode/schema/create-table.js';
import { RowPacker } from '../../src/encode/pool/row-pack.js';
import { encodePacked, CapacityGuess } from '../../src/encode/pool/encode-task.js';
import { EncodePool } from '../../src/encode/pool/pool.js';
import { BufferPool } from '../../src/encode/pool/buffers.js';

const args = process.argv.slice(2);
const opt = (name: string, def: string): string => { const i = args.indexOf(name); return i >= 0 ? args[i + 1]! : def; };
const ROWS = Number(opt('--rows', process.env.ROWS ?? '1000000'));
const RUNS = Number(opt('--runs', '2'));
const SQL_MODE = 'STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION';

const ddl = `CREATE TABLE sbtest1 (
  id int NOT NULL AUTO_INCREMENT,
  k int NOT NULL DEFAULT '0',
  c char(120) NOT NULL DEFAULT '',
  pad char(60) NOT NULL DEFAULT '',
  PRIMARY KEY (id),
  KEY k_1 (k)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`;

function corpus(): { files: string[]; source: string } {
  const real = join(`${process.env.BENCH_PARSE_DIR ?? '/tmp/lightning-bench-parse'}-${ROWS}`, 'dump');
  if (existsSync(real)) {
    const files = readdirSync(real).filter((f) => /^sbtest\.sbtest1(\.\d+)?\.sql$/.test(f)).sort().map((f) => join(real, f));
    if (files.length) return { files, source: readFileSync(join(real, '..', 'SOURCE'), 'utf8').trim() };
  }
  const dir = `/tmp/lightning-bench-encode-${ROWS}`;
  const file = join(dir, 'sbtest.sbtest1.sql');
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    let seed = 1;
    const rnd = (): number => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed; };
    const digits = (groups: number): string => Array.from({ length: groups }, () => String(rnd() % 100000000000).padStart(11, '0')).join('-');
    const fd = openSync(file + '.tmp', 'w');
    let stmt = 0, parts: string[] = [];
    for (let id = 1; id <= ROWS; id++) {
      const row = `(${id},${rnd() % ROWS},"${digits(10)}","${digits(5)}")`;
      parts.push(stmt === 0 ? 'INSERT INTO `sbtest1` VALUES\n' + row : ',\n' + row);
      stmt += row.length;
      if (stmt > 1000000 || id === ROWS) { parts.push(';\n'); stmt = 0; }
      if (parts.length >= 20000) { writeSync(fd, parts.join('')); parts = []; }
    }
    writeSync(fd, parts.join(''));
    closeSync(fd);
    renameSync(file + '.tmp', file); // the cache entry appears whole or not at all
  }
  return { files: [file], source: 'synthetic, in the shape of sysbench + mydumper 0.10 output' };
}

async function* readFile(f: string): AsyncGenerator<Buffer> {
  const fd = openSync(f, 'r');
  try {
    for (;;) {
      const b = Buffer.allocUnsafe(1 << 20);
      const n = readSync(fd, b, 0, b.length, null);
      if (n === 0) return;
      yield b.subarray(0, n);
    }
  } finally {
    closeSync(fd);
  }
}

async function* batches(files: string[]): AsyncGenerator<RowBatch> {
  for (const f of files) yield* parseSql(readFile(f), { file: f });
}

let peakRss = 0;
const sampler = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage.rss()); }, 50);
sampler.unref();

const cpuSeconds = (u: NodeJS.CpuUsage): number => (u.user + u.system) / 1e6;

async function parseOnly(files: string[]): Promise<{ cpu: number; wall: number; rows: number }> {
  const c0 = process.cpuUsage(), t0 = process.hrtime.bigint();
  let rows = 0;
  for await (const b of batches(files)) rows += b.rows.length;
  return { cpu: cpuSeconds(process.cpuUsage(c0)), wall: Number(process.hrtime.bigint() - t0) / 1e9, rows };
}

/** pack + encode on this thread; only those two steps are timed */
async function oneCore(files: string[], table: ReturnType<typeof buildTableInfo>): Promise<{ cpu: number; wall: number; kvs: number; ck: KVChecksum }> {
  const enc = new TableEncoder(table, { sqlMode: SQL_MODE });
  const guess = new CapacityGuess();
  // buffers recycled the way the pool recycles them (input back to the packer, output back to the encoder)
  const inBufs = new BufferPool(4), outBufs = new BufferPool(4);
  const packer = new RowPacker(5 << 18, inBufs);
  const ck = new KVChecksum();
  let cpu = 0, wall = 0n, prev = 0, kvs = 0;
  const encodeNow = (): void => {
    const p = packer.finish();
    const out = encodePacked(enc, { data: p.data, meta: p.meta, colMap: null, prevRowIdMax: prev }, guess, outBufs);
    inBufs.give(p.data);
    prev += p.rows;
    ck.add(out.data.checksum);
    ck.add(out.index.checksum);
    kvs += out.data.count + out.index.count;
    outBufs.give(out.data.buf.buffer as ArrayBuffer);
    outBufs.give(out.index.buf.buffer as ArrayBuffer);
  };
  for await (const b of batches(files)) {
    const c0 = process.cpuUsage(), t0 = process.hrtime.bigint();
    for (const r of b.rows) packer.add(r);
    if (packer.bytes >= 1 << 20) encodeNow();
    else packer.settle();
    cpu += cpuSeconds(process.cpuUsage(c0));
    wall += process.hrtime.bigint() - t0;
  }
  const c0 = process.cpuUsage(), t0 = process.hrtime.bigint();
  if (packer.rows) encodeNow();
  cpu += cpuSeconds(process.cpuUsage(c0));
  wall += process.hrtime.bigint() - t0;
  return { cpu, wall: Number(wall) / 1e9, kvs, ck };
}

async function pooled(files: string[], table: ReturnType<typeof buildTableInfo>, size: number): Promise<{ cpu: number; wall: number; kvs: number; ck: KVChecksum }> {
  const pool = new EncodePool({ size, tableInfo: table, sqlMode: SQL_MODE });
  const c0 = process.cpuUsage(), t0 = process.hrtime.bigint();
  const ck = new KVChecksum();
  let kvs = 0;
  try {
    for await (const out of pool.encodeChunk(batches(files), { prevRowIdMax: 0, maxInFlight: size * 2 })) {
      ck.add(out.data.checksum);
      ck.add(out.index.checksum);
      kvs += out.data.count + out.index.count;
      pool.release(out);
    }
  } finally {
    await pool.close();
  }
  return { cpu: cpuSeconds(process.cpuUsage(c0)), wall: Number(process.hrtime.bigint() - t0) / 1e9, kvs, ck };
}

/** memcpy of the source in 16 MiB blocks (a bound no encoder can beat) */
function memcpyPeer(files: string[]): number {
  const block = Buffer.allocUnsafe(16 << 20), dst = Buffer.allocUnsafe(16 << 20);
  let bytes = 0, ns = 0n;
  for (const f of files) {
    const fd = openSync(f, 'r');
    for (let n; (n = readSync(fd, block, 0, block.length, null)) > 0;) {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < 5; i++) block.copy(dst, 0, 0, n);
      ns += process.hrtime.bigint() - t0;
      bytes += 5 * n;
    }
    closeSync(fd);
  }
  return bytes / 1e6 / (Number(ns) / 1e9);
}

/** the hand-written CRC-64/XZ on KV-sized ranges (npm has no maintained CRC-64/XZ: anchors.md §2.4) */
function crcPeer(): number {
  const buf = Buffer.alloc(8 << 20);
  for (let i = 0; i < buf.length; i++) buf[i] = (i * 2654435761) >>> 13;
  const acc = { hi: 0, lo: 0 };
  let best = 0;
  for (let run = 0; run < 3; run++) { // the first run warms the JIT up
    const c0 = process.cpuUsage();
    let bytes = 0;
    for (let rep = 0; rep < 4; rep++) for (let p = 0, j = 0; p + 256 < buf.length; j++) { const n = j & 1 ? 30 : 210; crc64XorInto(acc, buf, p, p + n); p += n + 8; bytes += n; }
    best = Math.max(best, bytes / 1e6 / cpuSeconds(process.cpuUsage(c0)));
  }
  return best;
}

async function main(): Promise<void> {
  const { files, source } = corpus();
  const mb = files.reduce((a, f) => a + statSync(f).size, 0) / 1e6;
  const table = buildTableInfo(ddl, { tableID: 100 });
  const cores = availableParallelism();
  console.log(`corpus: ${source}; ${ROWS} rows, ${mb.toFixed(1)} MB of SQL in ${files.length} file(s); node ${process.version}, ${cores} cores`);
  console.log('shared machine: figures are noisy (best of runs; the lead re-measures on an idle machine)');
  const p = await parseOnly(files);
  if (p.rows !== ROWS) throw new Error(`parsed ${p.rows} rows, expected ${ROWS}`);
  console.log(`peers: parse only ${(mb / p.cpu).toFixed(1)} MB/s per CPU second; memcpy ${memcpyPeer(files).toFixed(0)} MB/s; crc64 on 30/210-byte pairs ${crcPeer().toFixed(0)} MB/s`);
  let want: string | null = null;
  const same = (ck: KVChecksum): void => {
    const s = JSON.stringify(ck.toJSON());
    if (want !== null && s !== want) throw new Error(`checksum differs between runs: ${s} vs ${want}`);
    want = s;
  };
  if (!args.includes('--pool-only')) {
    let best = 0;
    for (let r = 0; r < RUNS; r++) {
      const o = await oneCore(files, table);
      same(o.ck);
      best = Math.max(best, mb / o.cpu);
      console.log(`  one core run ${r + 1}: pack+encode ${o.cpu.toFixed(2)} CPU s (${o.wall.toFixed(2)} s wall): ${(mb / o.cpu).toFixed(1)} MB/s per core, ${(o.kvs / o.cpu / 1e6).toFixed(2)} M KV pairs/s`);
    }
    console.log(`encode (one core): ${best.toFixed(1)} MB/s per core (goal >= 60)`);
  }
  if (!args.includes('--core-only')) {
    let best = 0;
    for (let r = 0; r < RUNS; r++) {
      const o = await pooled(files, table, cores);
      same(o.ck);
      const encCpu = Math.max(o.cpu - p.cpu, 1e-9);
      best = Math.max(best, mb / encCpu);
      console.log(`  pool(${cores}) run ${r + 1}: ${o.wall.toFixed(2)} s wall, ${(mb / o.wall).toFixed(1)} MB/s, ${(o.kvs / o.wall / 1e6).toFixed(2)} M KV pairs/s; ` +
        `CPU ${o.cpu.toFixed(2)} s of which parse ~${p.cpu.toFixed(2)} s → encode ${(mb / encCpu).toFixed(1)} MB/s per core`);
    }
    console.log(`encode (pool): ${best.toFixed(1)} MB/s per core`);
  }
  console.log(`checksum ${want}`);
  console.log(`peak RSS ${(Math.max(peakRss, process.resourceUsage().maxRSS * 1024) / 1048576).toFixed(0)} MiB (process max, workers included)`);
}

main().catch((e: unknown) => { console.error(e); process.exitCode = 1; });
