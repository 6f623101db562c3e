// tikv-importer write path: TiDB-shaped KV pairs (19-byte record keys + 40-byte index keys, shuffled, values
// ~100 B) sent by the importer backend's client (WriteEngine streams of 31 KiB messages, 4 chunks in flight) to a
// `tikv-importer` child process on 127.0.0.1, which stores them durably in its engine; then CloseEngine (the
// merge). The peer, in the same run: the same pairs into a LocalEngine in this process (the local backend's
// path, no gRPC). MB/s count raw key+value bytes; peak RSS of the importer process and of this one.
// Usage: node dist/bench/importer/run.js [--mb 64]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ImporterClient } from '../../src/backend/importer/client.js';
import { engineUuid } from '../../src/cluster/engine-uuid.js';
import { LocalEngine, KvBatchBuilder, type KvBatch } from '../../src/sort/index.js';
import { pairs } from '../common/kv-pairs.js';

const args = process.argv.slice(2);
const opt = (name: string, def: string) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1]! : def; };
const MB = Number(opt('--mb', '64'));
const BIN = fileURLToPath(new URL('../../src/cli/tikv-importer.js', import.meta.url));

function* batches(totalBytes: number): Generator<KvBatch> {
  let b = new KvBatchBuilder(1 << 20);
  for (const p of pairs(totalBytes)) {
    b.push(p.key, p.value);
    if (b.size >= 256 << 10) { yield b.take(); b = new KvBatchBuilder(1 << 20); }
  }
  if (b.count) yield b.take();
}

/** runs `send` over the batches with 4 in flight, as 4 chunks of region-concurrency would */
async function pump(send: (b: KvBatch, i: number) => Promise<void>): Promise<number> {
  const t0 = performance.now();
  const inflight: Promise<void>[] = [];
  let i = 0;
  for (const b of batches(MB << 20)) {
    inflight.push(send(b, i++));
    if (inflight.length >= 4) await inflight.shift();
  }
  await Promise.all(inflight);
  return performance.now() - t0;
}

const peakOf = (pid: number) => Math.round(Number(/^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024);

async function viaImporter(dir: string): Promise<{ write: number; close: number; rss: number }> {
  const conf = join(dir, 'importer.toml');
  writeFileSync(conf, `log-level = "info"\nstatus-server-address = ""\n[server]\naddr = "127.0.0.1:0"\n[import]\nimport-dir = ${JSON.stringify(join(dir, 'import'))}\n`);
  const child = spawn(process.execPath, [BIN, '--config', conf], { stdio: ['ignore', 'pipe', 'inherit'] });
  const addr = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /"addr":"([^"]+)"/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`tikv-importer exited with ${code}`)));
  });
  const client = new ImporterClient(addr);
  const uuid = engineUuid('`bench`.`t`', 0);
  try {
    await client.openEngine(uuid);
    const write = await pump((b) => client.writeKvs(uuid, 42n, b, '`bench`.`t`'));
    const t = performance.now();
    await client.closeEngine(uuid);
    const close = performance.now() - t;
    return { write, close, rss: peakOf(child.pid!) };
  } finally {
    client.close();
    child.kill('SIGTERM');
  }
}

async function viaLocalEngine(dir: string): Promise<{ write: number; close: number }> {
  const e = await LocalEngine.open(dir, 'peer', { memCacheSize: 64 << 20 });
  const writers = [e.newWriter(), e.newWriter(), e.newWriter(), e.newWriter()];
  const write = await pump((b, i) => writers[i % 4]!.append(b));
  const t = performance.now();
  await e.close();
  return { write, close: performance.now() - t };
}

const dir = mkdtempSync(join(tmpdir(), 'bench-importer-'));
try {
  const mbps = (ms: number) => (MB / (ms / 1000)).toFixed(1);
  const imp = await viaImporter(dir);
  const peer = await viaLocalEngine(join(dir, 'peer'));
  console.log(`pairs: ${MB} MiB of key+value bytes (2-core shared machine: figures are noisy)`);
  console.log(`tikv-importer (gRPC WriteEngine, durable acks): write ${mbps(imp.write)} MB/s, close ${mbps(imp.close)} MB/s, importer peak RSS ${imp.rss} MiB`);
  console.log(`peer LocalEngine in process:                     write ${mbps(peer.write)} MB/s, close ${mbps(peer.close)} MB/s`);
  console.log(`ratio write: ${(peer.write / imp.write).toFixed(2)}x of the peer; this process's peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
