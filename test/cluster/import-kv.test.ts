// ImportKvClient against a minimal in-test ImportKV stub (the real tikv-importer server is src/importer's job):
// checks the client's wire paths, the head-then-batch stream and the engine_not_found mapping.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { serviceDef } from '../../src/cluster/proto.js';
import { ImportKvClient, type pb } from '../../src/cluster/index.js';
import { Codes, LightningError } from '../../src/errors.js';

test('ImportKvClient: open, write stream (head then batch), V3, close, engine_not_found, version', async (t) => {
  const open = new Set<string>();
  const written: string[] = [];
  const server = new grpc.Server();
  const found = (uuid: Buffer | undefined) => (uuid && open.has(uuid.toString('hex')) ? {} : { error: { engine_not_found: { uuid } } });
  server.addService(serviceDef('import_kvpb.ImportKV'), {
    OpenEngine: (call: grpc.ServerUnaryCall<{ uuid: Buffer }, object>, cb: grpc.sendUnaryData<object>) => { open.add(call.request.uuid.toString('hex')); cb(null, {}); },
    WriteEngine: async (call: grpc.ServerReadableStream<pb.WriteEngineRequestPb, object>, cb: grpc.sendUnaryData<object>) => {
      let head: Buffer | undefined;
      for await (const m of call as AsyncIterable<pb.WriteEngineRequestPb>) {
        if (!head) { if (m.chunk !== 'head') return cb({ code: grpc.status.UNKNOWN, details: 'InvalidChunk' }); head = m.head!.uuid as Buffer; continue; }
        for (const x of m.batch?.mutations ?? []) written.push(Buffer.from(x.key!).toString());
      }
      cb(null, found(head));
    },
    WriteEngineV3: (call: grpc.ServerUnaryCall<{ uuid: Buffer; pairs: { key: Buffer }[] }, object>, cb: grpc.sendUnaryData<object>) => {
      for (const p of call.request.pairs) written.push(p.key.toString());
      cb(null, found(call.request.uuid));
    },
    CloseEngine: (call: grpc.ServerUnaryCall<{ uuid: Buffer }, object>, cb: grpc.sendUnaryData<object>) => cb(null, found(call.request.uuid)),
    GetVersion: (_c: unknown, cb: grpc.sendUnaryData<object>) => cb(null, { version: '5.0.6', commit: 'abc' }),
  });
  const port = await new Promise<number>((res, rej) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))));
  t.after(() => server.forceShutdown());
  const c = new ImportKvClient(`127.0.0.1:${port}`, { timeoutMs: 3000 });
  t.after(() => c.close());
  const uuid = Buffer.alloc(16, 1);
  await c.openEngine(uuid);
  await c.writeEngine(uuid, 10n, [{ key: Buffer.from('a'), value: Buffer.from('1') }]);
  await c.writeEngineV3(uuid, 10n, [{ key: Buffer.from('b'), value: Buffer.from('2') }]);
  await c.closeEngine(uuid);
  assert.deepEqual(written, ['a', 'b']);
  await assert.rejects(c.writeEngine(Buffer.alloc(16, 2), 1n, []), (e: unknown) => e instanceof LightningError && e.code === Codes.Importer &&
    /Engine '02020202-0202-0202-0202-020202020202' not found/.test(e.message));
  assert.deepEqual(await c.getVersion(), { version: '5.0.6', commit: 'abc' });
  await assert.rejects(c.importEngine(uuid, '127.0.0.1:1'), (e: unknown) => e instanceof LightningError && /UNIMPLEMENTED/.test(e.message));
});
