// Encode worker thread: owns one TableEncoder (built from workerData) and answers encode tasks. Input and
// output buffers are transferred, never cloned. An encoding error of the data is an answer, not a crash: the
// thread stays usable for the next task.
import { parentPort, workerData } from 'node:worker_threads';
import { LightningError } from '../../errors.js';
import { TableEncoder } from '../table.js';
import { encodePacked, CapacityGuess, type EncodeTaskInput } from './encode-task.js';
import { BufferPool } from './buffers.js';
import type { WorkerInit, WorkerRequest, WorkerReply, SerializedError } from './protocol.js';

const init = workerData as WorkerInit;
const enc = new TableEncoder(init.tableInfo, { sqlMode: init.sqlMode, timeZone: init.timeZone, rowFormatVersion: init.rowFormatVersion, timestamp: init.timestamp });
const guess = new CapacityGuess();
const outBuffers = new BufferPool(6);

function serialize(e: unknown): SerializedError {
  if (e instanceof LightningError) return { code: e.code, message: e.message, context: e.context, exitCode: e.exitCode };
  const err = e instanceof Error ? e : new Error(String(e));
  return { message: err.message, stack: err.stack };
}

parentPort!.on('message', (m: WorkerRequest) => {
  const task: EncodeTaskInput = m;
  for (const b of m.recycle ?? []) outBuffers.give(b);
  let reply: WorkerReply;
  const t0 = process.hrtime.bigint();
  try {
    const out = encodePacked(enc, task, guess, outBuffers);
    reply = { id: m.id, ok: true, out, busyNs: Number(process.hrtime.bigint() - t0), input: m.data };
    parentPort!.postMessage(reply, [out.data.buf.buffer as ArrayBuffer, out.index.buf.buffer as ArrayBuffer, m.data]);
  } catch (e) {
    reply = { id: m.id, ok: false, error: serialize(e) };
    parentPort!.postMessage(reply);
  }
});
