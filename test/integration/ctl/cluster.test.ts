// tidb-lightning-ctl's cluster and engine actions, through the built CLI: --switch-mode/--fetch-mode/--compact
// against the simulated PD + TiKV (test/cluster/sim, real gRPC), the importer backend's --import-engine /
// --cleanup-engine and destroy against an in-test ImportKV stub, and the local backend's engine directories
// (destroy removes them, --check-local-storage finds the missing ones).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { serviceDef } from '../../../src/cluster/proto.js';
import { engineUuid, formatUuid } from '../../../src/cluster/engine-uuid.js';
import { CheckpointStatus as S, SqliteCheckpointStore, type TableInit } from '../../../src/checkpoint/index.js';
import { startSimCluster, type SimCluster } from '../../cluster/sim/index.js';
import { startMariaDB, type MariaDB } from '../../harness/mariadb.js';
import { runCtl, writeToml } from '../../harness/lightning.js';

let sim: SimCluster;
let db: MariaDB;
let work = '';

before(async () => {
  [sim, db] = await Promise.all([startSimCluster({ stores: 3 }), startMariaDB()]);
  work = mkdtempSync(join(tmpdir(), 'ctl-cluster-'));
});
after(async () => {
  await Promise.all([sim?.stop(), db?.stop()]);
  if (work) rmSync(work, { recursive: true, force: true });
});

const base = () => ['--backend', 'tidb', '--tidb-host', '127.0.0.1', '--tidb-port', String(db.port), '--tidb-user', 'root', '--pd-urls', sim.pdAddr];
const lines = (s: string) => s.split('\n').filter(Boolean);

test('--switch-mode / --fetch-mode / --compact reach every TiKV store PD lists (tombstones skipped); a failing store fails the command', async () => {
  sim.state.stores.get(3)!.state = 'Tombstone';
  const [a1, a2] = [sim.store(1).address, sim.store(2).address];
  const sw = await runCtl([...base(), '--switch-mode=import']);
  assert.equal(sw.exitCode, 0, sw.stderr);
  assert.deepEqual(lines(sw.stderr).sort(), [`${a1.padEnd(30)} | switched to import mode`, `${a2.padEnd(30)} | switched to import mode`].sort());
  assert.deepEqual([sim.store(1).mode, sim.store(2).mode, sim.store(3).mode], ['Import', 'Import', 'Normal']);

  const fetch = await runCtl([...base(), '--fetch-mode']);
  assert.equal(fetch.exitCode, 0, fetch.stderr);
  assert.match(fetch.stderr, new RegExp(`^${a1.replace(/\./g, '\\.')}\\s+\\| import mode$`, 'm'));

  const back = await runCtl([...base(), '--switch-mode', 'normal']);
  assert.equal(back.exitCode, 0, back.stderr);
  assert.deepEqual([sim.store(1).mode, sim.store(2).mode], ['Normal', 'Normal']);
  const bad = await runCtl([...base(), '--switch-mode=fast']);
  assert.equal(bad.exitCode, 2);
  assert.match(bad.stderr, /invalid mode fast, must use either 'import' or 'normal'/);

  // every Compact call is logged by a (harmless) delay fault; store 2 fails its one
  sim.inject({ rpc: 'ImportSST/Compact', times: 100, error: { kind: 'delay', ms: 1 } });
  sim.inject({ rpc: 'ImportSST/Compact', store: 2, error: { kind: 'grpc', code: grpc.status.UNAVAILABLE, message: 'store is restarting' } });
  const compact = await runCtl([...base(), '--compact']);
  assert.equal(compact.exitCode, 1);
  assert.match(compact.stderr, new RegExp(`${a1.replace(/\./g, '\\.')}\\s+\\| compacted \\(all levels\\)`));
  assert.match(compact.stderr, new RegExp(`${a2.replace(/\./g, '\\.')}\\s+\\| Error: .*store is restarting`));
  assert.match(compact.stderr, /1 of 2 TiKV store\(s\) failed/);
  assert.deepEqual([...new Set(sim.faults.log.filter((l) => l.rpc === 'ImportSST/Compact').map((l) => l.store))].sort(), [1, 2]);
  sim.faults.clear();

  const noPd = await runCtl(['--backend', 'tidb', '--tidb-port', '4000', '--fetch-mode']);
  assert.equal(noPd.exitCode, 2);
  assert.match(noPd.stderr, /needs PD: set --pd-urls/);
});

function failedTable(name: string, engines: number[]): TableInit {
  return {
    tableName: name, hash: 'h',
    engines: [-1, ...engines].map((engineId) => ({
      engineId, chunks: engineId < 0 ? [] : [{ path: `f${engineId}.sql`, offset: 0, type: 'sql' as const, compression: 'none' as const, sortKey: '',
        fileSize: 100, mtimeMs: 1, columns: null, shouldIncludeRowId: false, endOffset: 100, prevRowIdMax: 0, rowIdMax: 10 }],
    })),
  };
}

test('local backend: destroy removes the failed table\'s engine directories (min..max, index engine included); --check-local-storage names tables whose engines are gone', async () => {
  const kv = join(work, 'sorted-kv');
  const cp = join(work, 'local.db');
  const s = SqliteCheckpointStore.open(cp);
  await s.initTable(1n, failedTable('`lc`.`t`', [0, 1, 2]));
  await s.recordFailure('`lc`.`t`', S.Imported, { code: 'Lightning:KV:ErrKVIngestFailed', message: 'ingest failed' });
  for (const [name, hasDir] of [['`lc`.`u`', false], ['`lc`.`v`', true]] as const) {
    await s.initTable(1n, failedTable(name, [0]));
    await s.updateEngineStatus(name, 0, S.AllWritten);
    await s.updateChunk({ tableName: name, engineId: 0, path: 'f0.sql', offset: 0 }, { pos: 50, prevRowIdMax: 5, kvcBytes: 1, kvcKvs: 1, kvcChecksum: 1n });
    if (hasDir) mkdirSync(join(kv, formatUuid(engineUuid(name, 0))), { recursive: true });
  }
  await s.close();
  const dirs = [-1, 0, 1, 2].map((id) => join(kv, formatUuid(engineUuid('`lc`.`t`', id))));
  const other = join(kv, formatUuid(engineUuid('`lc`.`t`', 3)));
  for (const d of [...dirs, other]) { mkdirSync(d, { recursive: true }); writeFileSync(join(d, 'data'), 'x'); }
  const cfg = writeToml(work, 'local.toml', `[checkpoint]\ndsn = ${JSON.stringify(cp)}\n`);
  const args = ['-config', cfg, '--backend', 'local', '--sorted-kv-dir', kv, '--tidb-host', '127.0.0.1', '--tidb-port', String(db.port), '--pd-urls', sim.pdAddr];

  const check = await runCtl([...args, '--check-local-storage']);
  assert.equal(check.exitCode, 0, check.stderr);
  assert.equal(check.stdout.trim(), 'These tables are missing intermediate files: [`lc`.`u`]');

  const destroy = await runCtl([...args, '--checkpoint-error-destroy=all']);
  assert.equal(destroy.exitCode, 0, destroy.stderr);
  assert.deepEqual(lines(destroy.stderr), ['Dropping table: `lc`.`t`', ...[-1, 0, 1, 2].map((id) => `Closing and cleaning up engine: \`lc\`.\`t\` ${id}`)]);
  for (const d of dirs) assert.equal(existsSync(d), false, d);
  assert.ok(existsSync(other), 'an engine outside the checkpoint\'s range stays');
  const after = SqliteCheckpointStore.open(cp);
  assert.deepEqual([...(await after.loadTables()).keys()].sort(), ['`lc`.`u`', '`lc`.`v`']);
  await after.close();
});

test('importer backend: --import-engine and --cleanup-engine close the engine first; destroy cleans up every engine of the table', async () => {
  const calls: string[] = [];
  const server = new grpc.Server();
  const hex = (u: Buffer) => formatUuid(u);
  server.addService(serviceDef('import_kvpb.ImportKV'), {
    CloseEngine: (c: grpc.ServerUnaryCall<{ uuid: Buffer }, object>, cb: grpc.sendUnaryData<object>) => { calls.push(`close ${hex(c.request.uuid)}`); cb(null, {}); },
    ImportEngine: (c: grpc.ServerUnaryCall<{ uuid: Buffer; pd_addr: string }, object>, cb: grpc.sendUnaryData<object>) => { calls.push(`import ${hex(c.request.uuid)} ${c.request.pd_addr}`); cb(null, {}); },
    CleanupEngine: (c: grpc.ServerUnaryCall<{ uuid: Buffer }, object>, cb: grpc.sendUnaryData<object>) => { calls.push(`cleanup ${hex(c.request.uuid)}`); cb(null, {}); },
  });
  const port = await new Promise<number>((res, rej) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))));
  try {
    const args = ['--backend', 'importer', '--importer', `127.0.0.1:${port}`, '--tidb-host', '127.0.0.1', '--tidb-port', String(db.port), '--pd-urls', sim.pdAddr];
    const u0 = formatUuid(engineUuid('`im`.`t`', 0));
    const imp = await runCtl([...args, '--import-engine=`im`.`t`:0']);
    assert.equal(imp.exitCode, 0, imp.stderr);
    assert.deepEqual(calls.splice(0), [`close ${u0}`, `import ${u0} ${sim.pdAddr}`]);
    assert.match(imp.stdout, /Engine `im`.`t`:0 imported/);
    const clean = await runCtl([...args, `--cleanup-engine=${u0}`]);
    assert.equal(clean.exitCode, 0, clean.stderr);
    assert.deepEqual(calls.splice(0), [`close ${u0}`, `cleanup ${u0}`]);
    const bad = await runCtl([...args, '--import-engine=nonsense']);
    assert.equal(bad.exitCode, 2);
    assert.match(bad.stderr, /neither `db`.`tbl`:<engine id> nor an engine UUID/);

    const cp = join(work, 'importer.db');
    const s = SqliteCheckpointStore.open(cp);
    await s.initTable(1n, failedTable('`im`.`t`', [0, 1]));
    await s.recordFailure('`im`.`t`', S.Imported, { code: 'x', message: 'y' });
    await s.close();
    const cfg = writeToml(work, 'importer.toml', `[checkpoint]\ndsn = ${JSON.stringify(cp)}\n`);
    const destroy = await runCtl(['-config', cfg, ...args, '--checkpoint-error-destroy=`im`.`t`']);
    assert.equal(destroy.exitCode, 0, destroy.stderr);
    assert.deepEqual(calls.splice(0), [-1, 0, 1].flatMap((id) => [`close ${formatUuid(engineUuid('`im`.`t`', id))}`, `cleanup ${formatUuid(engineUuid('`im`.`t`', id))}`]));
  } finally {
    server.forceShutdown();
  }
});
