// Local-engine sort throughput: TiDB-shaped KV pairs (19-byte record keys + 40-byte index keys, shuffled, values
// ~100 B) written through 4 writers into a LocalEngine (sorted runs, fsync per run), closed (k-way merge into one
// data file) and scanned; the peer, in the same run, is GNU sort (LC_ALL=C, same memory, one thread) on the same
// pairs as hex lines. Also the in-memory comparator choice behind src/sort/mem-sort.ts (latin1 strings vs
// Buffer.compare). MB/s count raw key+value bytes. Usage: node dist/bench/sort/run.js [--mb 128] [--mem-mb 32]
import { mkdtempSync, rmSync, openSync, writeSync, closeSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalEngine, KvBatchBuilder } from '../../src/sort/index.js';
import { pairs } from '../common/kv-pairs.js';

const args = process.argv.slice(2);
const opt = (name: string, def: string) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1]! : def; };
const MB = Number(opt('--mb', '128'));
const MEM_MB = Number(opt('--mem-mb', '32'));
const rss = () => Math.round(process.resourceUsage().maxRSS / 1024);

async function engineRun(dir: string): Promise<{ write: number; close: number; scan: number; kvs: number; bytes: number }> {
  const e = await LocalEngine.open(dir, 'bench', { memCacheSize: MEM_MB << 20 });
  const writers = [e.newWriter(), e.newWriter(), e.newWriter(), e.newWriter()];
  const t0 = performance.now();
  let b = new KvBatchBuilder(1 << 20);
  let i = 0;
  const inflight: Promise<void>[] = [];
  for (const p of pairs(MB << 20)) {
    b.push(p.key, p.value);
    if (b.size >= 1 << 20) {
      inflight.push(writers[i++ % 4]!.append(b.take()));
      if (inflight.length >= 64) await inflight.shift();
      b = new KvBatchBuilder(1 << 20);
    }
  }
  inflight.push(writers[0]!.append(b.take()));
  await Promise.all(inflight);
  const t1 = performance.now();
  const meta = await e.close();
  const t2 = performance.now();
  let n = 0;
  for await (const batch of e.scan(Buffer.alloc(0), Buffer.alloc(0))) n += batch.length;
  const t3 = performance.now();
  if (n !== meta.kvs) throw new Error(`scan ${n} != ${meta.kvs}`);
  return { write: t1 - t0, close: t2 - t1, scan: t3 - t2, kvs: meta.kvs, bytes: meta.bytes };
}

function gnuSort(dir: string): { ms: number; rssMb: number; bytes: number } {
  const input = join(dir, 'pairs.txt');
  const fd = openSync(input, 'w');
  let bytes = 0;
  const chunks: string[] = [];
  for (const p of pairs(MB << 20)) {
    chunks.push(`${p.key.toString('hex')}\t${p.value.toString('hex')}\n`);
    bytes += p.key.length + p.value.length;
    if (chunks.length >= 10000) writeSync(fd, chunks.splice(0).join(''));
  }
  writeSync(fd, chunks.join(''));
  closeSync(fd);
  const t = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', 'sort', '-S', `${MEM_MB * 4}M`, '--parallel=1', '-T', dir, '-u', '-o', join(dir, 'sorted.txt'), input],
    { env: { ...process.env, LC_ALL: 'C' }, encoding: 'utf8' });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`sort failed: ${r.stderr}`);
  return { ms, rssMb: Math.round(Number(r.stderr.trim().split('\n').pop()) / 1024), bytes };
}

function comparators(): { latin1Ms: number; bufferMs: number; n: number } {
  const keys: Buffer[] = [];
  for (const p of pairs(16 << 20)) keys.push(p.key);
  const t0 = performance.now();
  const s = keys.map((k) => k.toString('latin1'));
  const idx = s.map((_, i) => i);
  idx.sort((a, b) => (s[a]! < s[b]! ? -1 : s[a]! > s[b]! ? 1 : a - b));
  const t1 = performance.now();
  const copy = keys.slice();
  copy.sort(Buffer.compare);
  const t2 = performance.now();
  return { latin1Ms: t1 - t0, bufferMs: t2 - t1, n: keys.length };
}

const mbps = (bytes: number, ms: number) => ((bytes / (1 << 20)) / (ms / 1000)).toFixed(1);

const dir = mkdtempSync(join(tmpdir(), 'lts-bench-sort-'));
try {
  const c = comparators();
  console.log(`in-memory sort of ${c.n} keys: latin1 strings ${c.latin1Ms.toFixed(0)} ms, Buffer.compare ${c.bufferMs.toFixed(0)} ms (${(c.bufferMs / c.latin1Ms).toFixed(1)}x)`);
  const rssBefore = rss();
  const e = await engineRun(join(dir, 'engine'));
  const total = e.write + e.close;
  console.log(`LocalEngine: ${e.kvs} pairs, ${(e.bytes / (1 << 20)).toFixed(0)} MiB; write+sort ${mbps(e.bytes, e.write)} MB/s, close/merge ${mbps(e.bytes, e.close)} MB/s, ` +
    `write..closed ${mbps(e.bytes, total)} MB/s, scan ${mbps(e.bytes, e.scan)} MB/s; peak RSS ${rss()} MiB (before ${rssBefore} MiB)`);
  const g = gnuSort(join(dir));
  console.log(`GNU sort -u (C locale, -S ${MEM_MB * 4}M, 1 thread, hex lines): ${mbps(g.bytes, g.ms)} MB/s of KV bytes; peak RSS ${g.rssMb} MiB`);
  console.log(`ratio LocalEngine write..closed / GNU sort: ${(Number(mbps(e.bytes, total)) / Number(mbps(g.bytes, g.ms))).toFixed(2)}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
