// The local backend end to end against the simulated cluster: rows → encoder → engines → split/scatter/write/
// ingest → every store holds exactly the KVs the encoder produced, and the remote checksum equals the local one.
// Then the same through a child process killed with SIGKILL while writing and while importing, and rerun.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSimCluster, type SimCluster } from './sim/index.js';
import { LocalBackend } from '../../src/backend/local/index.js';
import { initialCommit, type ChunkCommit } from '../../src/backend/backend.js';
import { Codes, LightningError } from '../../src/errors.js';
import { TABLE, batches, expectedKvs, row, tableInfo } from './local-fixture.js';
import { FieldKind } from '../../src/parse/types.js';

const CHILD = fileURLToPath(new URL('./local-child.js', import.meta.url));

async function tmp(t: TestContext): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'lts-local-'));
  t.after(() => rm(d, { recursive: true, force: true }));
  return d;
}

function assertStoresHold(sim: SimCluster, want: string[]): void {
  for (const id of sim.storeIds) {
    const got = sim.data(id).map((p) => `${p.key.toString('hex')}=${p.value.toString('hex')}`).sort();
    assert.equal(got.length, want.length, `store ${id}: ${got.length} pairs, expected ${want.length}`);
    assert.deepEqual(got, want, `store ${id}`);
  }
}

function backendFor(sim: SimCluster, dir: string, extra: Partial<ConstructorParameters<typeof LocalBackend>[0]> = {}): LocalBackend {
  return new LocalBackend({
    sortedKvDir: dir, pdAddr: sim.pdAddr, tableInfo: async () => tableInfo(),
    engine: { propSizeDistance: 4096, propKeysDistance: 64, flushDelayMs: 1 },
    import: { regionSplitSize: 32 << 10, sendKvSize: 4 << 10, retryBackoff: { attempts: 30, firstMs: 5, maxMs: 50 } },
    ...extra,
  });
}

test('rows → LocalBackend → engines → import: the stores hold exactly the encoded KVs; checksum matches; modes Import → Normal', async (t) => {
  const sim = await startSimCluster({ stores: 3, testContext: t });
  const dir = await tmp(t);
  const b = backendFor(sim, dir);
  await b.open();
  t.after(() => b.close());
  const N = 1500;
  const data = await b.openEngine(TABLE, 0);
  const index = await b.openEngine(TABLE, -1);
  const w = await data.openChunk({ tableName: '`db`.`t`', engineId: 0, path: 'f', offset: 0 }, initialCommit({ offset: 0, prevRowIdMax: 0 }));
  // pipelined writes: acks come in call order and carry cumulative progress
  const acks = [...batches(0, N, 100)].map((batch) => w.write(batch));
  const commits = await Promise.all(acks);
  assert.deepEqual(commits.map((c) => c.pos), [...Array(15).keys()].map((i) => (i + 1) * 100));
  const last: ChunkCommit = await w.close();
  assert.equal(last.rows, N);
  assert.equal(last.prevRowIdMax, N);
  await data.close();
  await index.close();
  await b.importEngine(TABLE, 0);
  await b.importEngine(TABLE, -1);
  const want = expectedKvs(N);
  assert.equal(last.kvKvs, want.length);
  assertStoresHold(sim, want);
  const remote = await b.verifyChecksum(TABLE, { checksum: last.checksum, totalKvs: BigInt(last.kvKvs!), totalBytes: BigInt(last.kvBytes!) });
  assert.equal(remote.totalKvs, BigInt(want.length));
  for (const id of sim.storeIds) assert.deepEqual(sim.store(id).modeHistory, ['Import', 'Normal', 'Import', 'Normal']);
  // a mismatch is reported with Go's message
  await assert.rejects(b.verifyChecksum(TABLE, { checksum: last.checksum ^ 1n, totalKvs: 1n, totalBytes: 2n }),
    (e: unknown) => e instanceof LightningError && e.code === Codes.ChecksumMismatch &&
      /^checksum mismatched remote vs local => \(checksum: \d+ vs \d+\) \(total_kvs: \d+ vs 1\) \(total_bytes: \d+ vs 2\)/.test(e.message));
  // imported engines are not imported again, and their data files are gone
  await b.importEngine(TABLE, 0);
  assert.equal(sim.store(1).modeHistory.length, 4);
});

test('a failed import still switches the stores back to Normal; duplicate keys with different values are refused', async (t) => {
  const sim = await startSimCluster({ stores: 3, testContext: t });
  const dir = await tmp(t);
  const b = backendFor(sim, dir);
  await b.open();
  t.after(() => b.close());
  const data = await b.openEngine(TABLE, 0);
  const w = await data.openChunk({ tableName: '`db`.`t`', engineId: 0, path: 'f', offset: 0 }, initialCommit({ offset: 0, prevRowIdMax: 0 }));
  await w.write([...batches(0, 200, 200)][0]!);
  await w.close();
  sim.inject({ rpc: 'MultiIngest', error: { kind: 'diskFull' } });
  await assert.rejects(b.importEngine(TABLE, 0), (e: unknown) => e instanceof LightningError && e.code === Codes.KVDiskFull);
  for (const id of sim.storeIds) assert.deepEqual(sim.store(id).modeHistory, ['Import', 'Normal']);

  // the same primary key (so the same record key) with other column values: reported, not silently dropped
  const w2 = await (await b.openEngine({ schema: 'db', table: 'dup' }, 0)).openChunk({ tableName: '`db`.`dup`', engineId: 0, path: 'g', offset: 0 },
    initialCommit({ offset: 0, prevRowIdMax: 0 }));
  await w2.write([...batches(0, 10, 10)][0]!);
  const clash = row(3);
  clash.fields[0] = { kind: FieldKind.Num, value: Buffer.from('1') };
  await w2.write({ rows: [clash], columns: null });
  await w2.close();
  await assert.rejects(b.importEngine({ schema: 'db', table: 'dup' }, 0),
    (e: unknown) => e instanceof LightningError && e.code === Codes.DuplicateKey && /found 1 duplicate key/.test(e.message));
});

interface Run { code: number | null; signal: NodeJS.Signals | null; out: string; err: string }

/** Runs the child; `killWhen(line)` → SIGKILL it then. */
function runChild(cfg: object, killWhen?: (line: string, sim: SimCluster) => boolean, sim?: SimCluster): Promise<Run> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [CHILD], { env: { ...process.env, LTS_LOCAL_CHILD: JSON.stringify(cfg) }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    let poll: NodeJS.Timeout | undefined;
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const lines = out.trimEnd().split('\n');
      if (killWhen && sim && killWhen(lines[lines.length - 1]!, sim)) p.kill('SIGKILL');
    });
    if (killWhen && sim) poll = setInterval(() => { if (killWhen('', sim)) p.kill('SIGKILL'); }, 10);
    p.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    p.on('error', reject);
    p.on('exit', (code, signal) => { if (poll) clearInterval(poll); resolve({ code, signal, out, err }); });
  });
}

const CRASH_ROWS = 1200;

test('kill -9 while writing, rerun from the checkpoint: exact data and checksum', async (t) => {
  const sim = await startSimCluster({ stores: 3, testContext: t });
  const dir = await tmp(t);
  const cfg = { pdAddr: sim.pdAddr, dir: join(dir, 'kv'), ckpt: join(dir, 'ckpt.json'), rows: CRASH_ROWS, batch: 40 };
  const first = await runChild(cfg, (line) => /^ckpt (\d+)/.test(line) && Number(/^ckpt (\d+)/.exec(line)![1]) >= 400, sim);
  assert.equal(first.signal, 'SIGKILL', `child was not killed: ${first.out} ${first.err}`);
  assert.ok(!first.out.includes('importing'));
  const second = await runChild(cfg);
  assert.equal(second.code, 0, second.err);
  assert.match(second.out, new RegExp(`done \\d+ ${CRASH_ROWS}`));
  assertStoresHold(sim, expectedKvs(CRASH_ROWS));
});

test('kill -9 while importing (some regions ingested), rerun: exact data, nothing doubled', async (t) => {
  const sim = await startSimCluster({ stores: 3, testContext: t });
  const dir = await tmp(t);
  const cfg = { pdAddr: sim.pdAddr, dir: join(dir, 'kv'), ckpt: join(dir, 'ckpt.json'), rows: CRASH_ROWS, batch: 200 };
  // slow ingests so the kill lands mid-import
  sim.inject({ rpc: 'MultiIngest', times: 10_000, error: { kind: 'delay', ms: 40 } });
  const first = await runChild(cfg, (_line, s) => s.data(1).length > 0, sim);
  assert.equal(first.signal, 'SIGKILL', `child was not killed: ${first.out} ${first.err}`);
  assert.ok(first.out.includes('importing') && !first.out.includes('done'));
  const partial = sim.data(1).length;
  assert.ok(partial > 0 && partial < expectedKvs(CRASH_ROWS).length, `partial ${partial}`);
  sim.faults.clear();
  const second = await runChild(cfg);
  assert.equal(second.code, 0, second.err);
  assertStoresHold(sim, expectedKvs(CRASH_ROWS));
});
