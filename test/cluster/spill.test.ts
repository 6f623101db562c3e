// Store data spills to disk (protocol.md has no word on it; the issue asks for 1 GiB of ingested KV in under
// 2× its size of RSS): a table streamed into a cluster:sim process leaves its run files on disk and the
// simulator's resident memory well below the data size; ADMIN CHECKSUM and COUNT(*) still see every row.
// SIM_SPILL_MB sets the size (default 32; `SIM_SPILL_MB=1024` is the 1 GiB check, also in bench/sim-spill).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { clientsAt } from './helpers.js';
import { bulkLoad, rowsFor } from './bulk-load.js';
import { startCli, dirBytes, rssOf } from './cli-process.js';

const MB = 1024 * 1024;
const SIZE = Number(process.env.SIM_SPILL_MB ?? 32) * MB;

test(`${SIZE / MB} MiB of ingested KV (×3 replicas) live on disk; the simulator keeps almost none of it in memory`, async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sim-spill-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const sim = await startCli(['--stores', '3', '--data-dir', dataDir], ['--expose-gc']);
  t.after(() => sim.stop());
  const [host, port] = sim.ready.tidb.split(':');
  const db = await mysql.createConnection({ host, port: Number(port), user: 'root', supportBigNumbers: true, bigNumberStrings: true });
  t.after(() => db.end());
  await db.query('CREATE TABLE test.big (id bigint PRIMARY KEY, v blob)');
  const info = await (await fetch(`http://${sim.ready.status}/schema/test/big`)).json() as { id: number };
  const c = await clientsAt(sim.ready.pd);
  t.after(() => c.close());
  // a first, smaller load brings the process's heap and gRPC buffers to their working size
  await bulkLoad(c, { table: info.id + 1000, rows: rowsFor(8 * MB), seed: 1 }, rowsFor(8 * MB));
  const before = rssOf(sim.pid);
  const heapBefore = await sim.memory();
  const rows = rowsFor(SIZE);
  const t0 = performance.now();
  const sum = await bulkLoad(c, { table: info.id, rows, seed: 7 }, Math.ceil(rows / 4));
  const secs = (performance.now() - t0) / 1000;
  const after = rssOf(sim.pid);
  // buffers of the last ingests (gRPC, sockets) can still be in flight: the smaller of two readings 0.5 s apart
  const settled = async () => { const m = await sim.memory(); return m.heapUsed + m.arrayBuffers; };
  const first = await settled();
  await new Promise((r) => setTimeout(r, 500));
  const heapAfterBytes = Math.min(first, await settled());
  const retained = heapAfterBytes - heapBefore.heapUsed - heapBefore.arrayBuffers;
  const disk = dirBytes(dataDir);
  console.log(`# spill: ${(sum.bytes / MB).toFixed(0)} MiB KV in ${secs.toFixed(1)} s (${(sum.bytes / MB / secs).toFixed(1)} MiB/s), ` +
    `simulator RSS ${(before.rss / MB).toFixed(0)} → ${(after.rss / MB).toFixed(0)} MiB (peak ${(after.peak / MB).toFixed(0)}), retained after GC ${(retained / MB).toFixed(1)} MiB, disk ${(disk / MB).toFixed(0)} MiB`);
  assert.ok(sum.bytes >= SIZE * 0.95, `loaded ${sum.bytes}`);
  assert.ok(disk > 3 * sum.bytes, `disk ${disk} for 3 × ${sum.bytes}`);
  // held in memory, the three replicas alone would be 3× the data: what the simulator keeps is its block index
  assert.ok(retained < sum.bytes / 8, `retained ${retained} bytes after GC for ${sum.bytes} bytes of KV`);
  // resident memory (allocator and GC slack included) stays within the budget of 2× the data
  assert.ok(after.peak - before.peak < 2 * sum.bytes, `peak RSS grew by ${after.peak - before.peak} for ${sum.bytes} bytes of KV`);
  const [[cnt]] = await db.query<mysql.RowDataPacket[]>('SELECT COUNT(*) AS n FROM test.big');
  assert.equal(Number(cnt!.n), rows);
  const [[cs]] = await db.query<mysql.RowDataPacket[]>('ADMIN CHECKSUM TABLE test.big');
  assert.deepEqual([cs!.Checksum_crc64_xor, cs!.Total_kvs, cs!.Total_bytes], [sum.sum.toString(), String(sum.kvs), String(sum.bytes)]);
});
