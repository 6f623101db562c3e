// The importer backend's client rules (protocol.md §7.3) against a scripted ImportKV stub on 127.0.0.1: which
// answers are ignored, retried, waited out or final, how KV batches are cut into WriteEngine messages, and
// the engine UUIDs of §7.4 / the ctl engine argument.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { serviceDef } from '../../../src/cluster/proto.js';
import { engineUuid, formatUuid } from '../../../src/cluster/engine-uuid.js';
import type { pb } from '../../../src/cluster/index.js';
import { ImporterClient, MAX_CHUNK_SIZE } from '../../../src/backend/importer/index.js';
import { engineArg } from '../../../src/ctl/table-arg.js';
import { batchOf } from '../../../src/sort/kv-batch.js';
import { Codes, LightningError } from '../../../src/errors.js';

type Answer = { code: number; details: string } | object;
interface Stub { calls: string[]; imports: string[]; script: Map<string, Answer[]>; batches: number[][]; addr: string }

/** ImportKV whose answers per method are taken from `script` in order (OK once it runs dry). */
async function stub(t: { after(fn: () => unknown): void }): Promise<Stub> {
  const s: Stub = { calls: [], imports: [], script: new Map(), batches: [], addr: '' };
  const next = (m: string): Answer => s.script.get(m)?.shift() ?? {};
  const reply = (m: string, cb: grpc.sendUnaryData<object>) => {
    s.calls.push(m);
    const a = next(m);
    if ('code' in a) cb(a as grpc.ServiceError); else cb(null, a);
  };
  const server = new grpc.Server();
  const unary = (m: string) => (_call: unknown, cb: grpc.sendUnaryData<object>) => reply(m, cb);
  server.addService(serviceDef('import_kvpb.ImportKV'), {
    OpenEngine: unary('OpenEngine'), CloseEngine: unary('CloseEngine'), CleanupEngine: unary('CleanupEngine'),
    ImportEngine: (call: grpc.ServerUnaryCall<{ uuid: Buffer }, object>, cb: grpc.sendUnaryData<object>) => {
      s.imports.push(formatUuid(call.request.uuid));
      setTimeout(() => reply('ImportEngine', cb), 20);
    },
    WriteEngine: async (call: grpc.ServerReadableStream<pb.WriteEngineRequestPb, object>, cb: grpc.sendUnaryData<object>) => {
      const sizes: number[] = [];
      for await (const m of call as AsyncIterable<pb.WriteEngineRequestPb>) if (m.batch) sizes.push(m.batch.mutations?.length ?? 0);
      s.batches.push(sizes);
      reply('WriteEngine', cb);
    },
  });
  const port = await new Promise<number>((res, rej) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))));
  t.after(() => server.forceShutdown());
  s.addr = `127.0.0.1:${port}`;
  return s;
}

const unknown = (details: string) => ({ code: grpc.status.UNKNOWN, details });
const uuid = engineUuid('`db`.`t`', 0);
const fast = { retryImportDelayMs: 5, writeRetryDelayMs: 5, inUseWaitMs: 2000, openWaitMs: 0 };

test('engine UUIDs (protocol.md §7.4) and the ctl engine argument', () => {
  assert.equal(formatUuid(engineUuid('`db`.`table`', 1)), '902efee3-a3f9-53d4-8c82-f12fb1900cd1');
  assert.deepEqual(engineArg('import-engine', '`db`.`table`:1').uuid, engineUuid('`db`.`table`', 1));
  assert.deepEqual(engineArg('import-engine', '`a:b`.`t`:-1').uuid, engineUuid('`a:b`.`t`', -1), 'the last colon separates the engine id');
  assert.deepEqual(engineArg('import-engine', '902efee3-a3f9-53d4-8c82-f12fb1900cd1').uuid, Buffer.from('902efee3a3f953d48c82f12fb1900cd1', 'hex'));
  for (const bad of ['`db`.`t`', '`db`.`t`:x', ':3', '']) {
    assert.throws(() => engineArg('import-engine', bad), (e: unknown) => e instanceof LightningError && e.code === Codes.InvalidConfig && e.exitCode === 2 && e.message.includes('--import-engine'), bad);
  }
});

test('Open/Close: FileExists ignored; engine_not_found on Close is an error unless the close is unsafe (ctl)', async (t) => {
  const s = await stub(t);
  const c = new ImporterClient(s.addr, fast);
  t.after(() => c.close());
  s.script.set('OpenEngine', [unknown('FileExists("/x/902efee3")')]);
  s.script.set('CloseEngine', [unknown('FileExists("/x")'), { error: { engine_not_found: { uuid } } }, { error: { engine_not_found: { uuid } } }]);
  await c.openEngine(uuid);
  await c.closeEngine(uuid);
  await assert.rejects(c.closeEngine(uuid), /Engine 'a65740db-8738-5be7-8167-cd5dc61a6d79' not found/);
  await c.closeEngine(uuid, true);
});

test('Open: "Too many open engines" is retried until the deadline, then explained', async (t) => {
  const s = await stub(t);
  const tooMany = unknown('ResourceTemporarilyUnavailable("Too many open engines")');
  const waiting = new ImporterClient(s.addr, { ...fast, openWaitMs: 5000 });
  t.after(() => waiting.close());
  s.script.set('OpenEngine', [tooMany]);
  await waiting.openEngine(uuid);
  assert.deepEqual(s.calls, ['OpenEngine', 'OpenEngine']);
  const impatient = new ImporterClient(s.addr, fast);
  t.after(() => impatient.close());
  s.script.set('OpenEngine', [tooMany]);
  await assert.rejects(impatient.openEngine(uuid), /Too many open engines.*raise \[import\] max-open-engines/);
});

test('WriteEngine: one stream per batch, messages of at most 31 KiB of pairs; 3 tries on retryable errors; final answers at once', async (t) => {
  const s = await stub(t);
  const c = new ImporterClient(s.addr, fast);
  t.after(() => c.close());
  const value = Buffer.alloc(1000, 0x61);
  const batch = batchOf(Array.from({ length: 100 }, (_, i) => ({ key: Buffer.from(`k${String(i).padStart(3, '0')}`), value })));
  await c.writeKvs(uuid, 9n, batch, '`db`.`t`');
  const perMessage = Math.floor(MAX_CHUNK_SIZE / 1004);
  assert.deepEqual(s.batches, [[perMessage, perMessage, perMessage, 100 - 3 * perMessage]]);
  await c.writeKvs(uuid, 9n, batchOf([{ key: Buffer.from('big'), value: Buffer.alloc(MAX_CHUNK_SIZE * 2) }, { key: Buffer.from('z'), value }]), '`db`.`t`');
  assert.deepEqual(s.batches[1], [1, 1], 'a pair larger than the limit travels alone');
  s.batches.length = 0;
  await c.writeKvs(uuid, 9n, batchOf([]), '`db`.`t`');
  assert.equal(s.batches.length, 0, 'nothing to send, no stream');

  const writes = () => s.calls.filter((m) => m === 'WriteEngine').length;
  const sent = writes();
  s.script.set('WriteEngine', [{ code: grpc.status.UNAVAILABLE, details: 'gone' }, unknown('Io("disk")')]);
  await c.writeKvs(uuid, 9n, batchOf([{ key: Buffer.from('a'), value }]), '`db`.`t`');
  assert.equal(writes(), sent + 3, 'two failures, then the third try');
  s.script.set('WriteEngine', [unknown('Io("a")'), unknown('Io("b")'), unknown('Io("c")')]);
  await assert.rejects(c.writeKvs(uuid, 9n, batchOf([{ key: Buffer.from('a'), value }]), '`db`.`t`'), /\[`db`\.`t`\] write rows reach max retry 3 and still failed: .*Io\("c"\)/);
  s.script.set('WriteEngine', [{ error: { engine_not_found: { uuid } } }]);
  const before = s.calls.length;
  await assert.rejects(c.writeKvs(uuid, 9n, batchOf([{ key: Buffer.from('a'), value }]), '`db`.`t`'), /Engine '.*' not found/);
  assert.equal(s.calls.length, before + 1, 'not retried');
});

test('ImportEngine: EngineInUse waited out, 3 tries RetryImportDelay apart, FileNotExists final; one import at a time', async (t) => {
  const s = await stub(t);
  const c = new ImporterClient(s.addr, fast);
  t.after(() => c.close());
  s.script.set('ImportEngine', [unknown('EngineInUse(x)'), unknown('EngineInUse(x)'), unknown('EngineInUse(x)'), unknown('ImportJobFailed("x")')]);
  await c.importEngine(uuid, 'pd:2379');
  assert.equal(s.calls.length, 5);
  s.script.set('ImportEngine', [unknown('ImportJobFailed("1")'), unknown('ImportJobFailed("2")'), unknown('ImportJobFailed("3")')]);
  await assert.rejects(c.importEngine(uuid, 'pd:2379'), /import reach max retry 3 and still failed: .*ImportJobFailed\("3"\)/);
  s.script.set('ImportEngine', [unknown('FileNotExists("/x")')]);
  const before = s.calls.length;
  await assert.rejects(c.importEngine(uuid, 'pd:2379'), /FileNotExists/);
  assert.equal(s.calls.length, before + 1);
  s.imports.length = 0;
  s.script.set('ImportEngine', [unknown('ImportJobFailed("slow")')]);
  const other = engineUuid('`db`.`t`', 1);
  await Promise.all([c.importEngine(uuid, 'pd'), c.importEngine(other, 'pd')]);
  assert.deepEqual(s.imports, [formatUuid(uuid), formatUuid(uuid), formatUuid(other)], 'the second waited for the first and its retry');
  s.script.set('CleanupEngine', [unknown('EngineInUse(x)')]);
  await c.cleanupEngine(uuid);
});
