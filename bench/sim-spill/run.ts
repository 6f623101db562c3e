// Simulator spill benchmark: streams SIM_SPILL_MB (default 1024) MiB of KV into a `cluster:sim` process
// (3 stores, 3 replicas, the local backend's write-to-every-peer + MultiIngest-at-leader path), then prints the
// load speed, the simulator's peak RSS against the 2× budget, what it keeps after a full GC, the disk its
// run files take, and the ADMIN CHECKSUM time. The peer in the same run is a plain sequential file write of
// the same number of bytes × replicas (the disk bound), so numbers from a noisy shared machine read relative
// to it. `npm run build && npm run bench:sim-spill`.
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { startCli, dirBytes, rssOf } from '../../test/cluster/cli-process.js';
import { clientsAt } from '../../test/cluster/helpers.js';
import { bulkLoad, rowsFor } from '../../test/cluster/bulk-load.js';

const MB = 1024 * 1024;
const SIZE = Number(process.env.SIM_SPILL_MB ?? 1024) * MB;
const REPLICAS = 3;

function peerWrite(dir: string, bytes: number): number {
  const chunk = Buffer.alloc(MB, 7);
  const fd = openSync(join(dir, 'peer.bin'), 'w');
  const t0 = performance.now();
  for (let n = 0; n < bytes; n += chunk.length) writeSync(fd, chunk);
  closeSync(fd);
  return (performance.now() - t0) / 1000;
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-sim-spill-'));
  const sim = await startCli(['--stores', '3', '--replicas', String(REPLICAS), '--data-dir', dataDir], ['--expose-gc']);
  try {
    const [host, port] = sim.ready.tidb.split(':');
    const db = await mysql.createConnection({ host, port: Number(port), user: 'root', supportBigNumbers: true, bigNumberStrings: true });
    await db.query('CREATE TABLE test.big (id bigint PRIMARY KEY, v blob)');
    const { id } = await (await fetch(`http://${sim.ready.status}/schema/test/big`)).json() as { id: number };
    const c = await clientsAt(sim.ready.pd);
    const base = rssOf(sim.pid);
    const heap0 = await sim.memory();
    const rows = rowsFor(SIZE);
    const t0 = performance.now();
    const sum = await bulkLoad(c, { table: id, rows, seed: 11 }, rowsFor(64 * MB));
    const loadSecs = (performance.now() - t0) / 1000;
    const peak = rssOf(sim.pid).peak;
    const heap1 = await sim.memory();
    const t1 = performance.now();
    const [[cs]] = await db.query<mysql.RowDataPacket[]>('ADMIN CHECKSUM TABLE test.big');
    const checksumSecs = (performance.now() - t1) / 1000;
    const disk = dirBytes(dataDir);
    const ok = cs!.Checksum_crc64_xor === sum.sum.toString() && cs!.Total_kvs === String(sum.kvs);
    const peerSecs = peerWrite(dataDir, sum.bytes * REPLICAS);
    const mbps = sum.bytes / MB / loadSecs;
    const peerMbps = (sum.bytes * REPLICAS) / MB / peerSecs / REPLICAS;
    const out = {
      kv_mib: +(sum.bytes / MB).toFixed(1), rows, load_s: +loadSecs.toFixed(1), load_mib_s: +mbps.toFixed(1),
      peer_file_write_mib_s: +peerMbps.toFixed(1), ratio_to_peer: +(mbps / peerMbps).toFixed(3),
      sim_rss_start_mib: +(base.rss / MB).toFixed(0), sim_peak_rss_mib: +(peak / MB).toFixed(0),
      peak_rss_over_kv: +(peak / sum.bytes).toFixed(3), budget_2x_ok: peak < 2 * sum.bytes,
      retained_after_gc_mib: +((heap1.heapUsed + heap1.arrayBuffers - heap0.heapUsed - heap0.arrayBuffers) / MB).toFixed(1),
      disk_mib: +(disk / MB).toFixed(0), checksum_s: +checksumSecs.toFixed(1), checksum_ok: ok,
    };
    console.log(JSON.stringify(out));
    c.close();
    await db.end();
    if (!ok || !out.budget_2x_ok) process.exitCode = 1;
  } finally {
    await sim.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

void main();
