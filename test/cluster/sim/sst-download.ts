// ImportSST/Download and the legacy Upload (protocol.md §4.5, seed 004 "TiKV 整合 import SST"): the store reads an
// SST from external storage (backup.StorageBackend local directory + `name`), rewrites every key's prefix by
// the RewriteRule (applied to *encoded* keys, so `t{old}_` becomes `t{new}_` without decoding), keeps the keys
// that fall in the request's range (given in the new key space, end inclusive unless end_key_exclusive),
// optionally re-stamps the commit ts, and saves the result as an ingestable file under the request meta.
// Files use the simulator SST format (kv/sim-sst.ts).
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import type * as grpc from '@grpc/grpc-js';
import type * as pb from '../../../src/cluster/pb.js';
import { buf, big } from '../../../src/cluster/types.js';
import { decodeWrite, encodeWrite } from './mvcc.js';
import { readSimSstFile, decodeSimSst, SimSstError } from './kv/sim-sst.js';
import type { Entry } from './kv/run.js';
import type { SimStore, SimFile } from './store.js';
import { saveFile, unknown } from './sst-write.js';

const U64 = (1n << 64n) - 1n;
const hex = (b: Buffer) => b.toString('hex').toUpperCase();

interface Rule { oldPrefix: Buffer; newPrefix: Buffer; newTs: bigint; ignoreAfter: bigint; ignoreBefore: bigint }

function rulesOf(req: pb.DownloadRequestPb): Rule[] {
  const conv = (r: pb.RewriteRulePb): Rule => ({
    oldPrefix: buf(r.old_key_prefix), newPrefix: buf(r.new_key_prefix), newTs: big(r.new_timestamp),
    ignoreAfter: big(r.ignore_after_timestamp), ignoreBefore: big(r.ignore_before_timestamp),
  });
  if (req.sorted_rewrite_rules && req.sorted_rewrite_rules.length > 0) return req.sorted_rewrite_rules.map(conv);
  return req.rewrite_rule ? [conv(req.rewrite_rule)] : [{ oldPrefix: Buffer.alloc(0), newPrefix: Buffer.alloc(0), newTs: 0n, ignoreAfter: 0n, ignoreBefore: 0n }];
}

function cfOf(meta: pb.SSTMetaPb, name: string): SimFile['cf'] {
  const cf = meta.cf_name || (/_write(\.sst)?$/.test(name) ? 'write' : /_default(\.sst)?$/.test(name) ? 'default' : '');
  if (cf !== 'write' && cf !== 'default') throw new SimSstError(`invalid cf name ${cf}`);
  return cf;
}

/** Rewrites one data key ('z' ++ EncodeBytes(key) ++ !ts) and its value; undefined = filtered out. */
function rewrite(e: Entry, rules: Rule[], cf: SimFile['cf']): { userKey: Buffer; entry: Entry } | undefined {
  if (e.key[0] !== 0x7a || e.key.length < 9) throw new SimSstError(`key ${hex(e.key)} is not a data key`);
  const origin = e.key.subarray(1);
  const userKey = origin.subarray(0, origin.length - 8);
  const rule = rules.find((r) => userKey.subarray(0, r.oldPrefix.length).equals(r.oldPrefix));
  if (!rule) {
    throw new SimSstError(`WrongKeyPrefix { what: "Key in SST", key: ${hex(userKey)}, prefix: ${hex(rules[0]!.oldPrefix)} }`);
  }
  const ts = ~origin.readBigUInt64BE(origin.length - 8) & U64;
  if (rule.ignoreBefore !== 0n && ts < rule.ignoreBefore) return undefined;
  if (rule.ignoreAfter !== 0n && ts > rule.ignoreAfter) return undefined;
  const newUser = Buffer.concat([rule.newPrefix, userKey.subarray(rule.oldPrefix.length)]);
  const outTs = rule.newTs !== 0n ? rule.newTs : ts;
  const key = Buffer.alloc(1 + newUser.length + 8);
  key[0] = 0x7a;
  newUser.copy(key, 1);
  key.writeBigUInt64BE(~outTs & U64, 1 + newUser.length);
  let value: Buffer = Buffer.from(e.value);
  if (cf === 'write' && rule.newTs !== 0n) {
    const w = decodeWrite(value);
    value = encodeWrite(w.type, rule.newTs, w.shortValue, w.txnSource);
  }
  return { userKey: newUser, entry: { key, value } };
}

export function download(store: SimStore, req: pb.DownloadRequestPb): pb.DownloadResponsePb {
  const meta = req.sst ?? {};
  const name = req.name ?? '';
  const dir = req.storage_backend?.local?.path;
  try {
    if (!req.storage_backend || req.storage_backend.noop || !dir) throw new SimSstError('storage backend is not set or is noop');
    const path = join(dir, name);
    if (!existsSync(path)) throw new SimSstError(`Io(Os { code: 2, kind: NotFound, message: "No such file or directory" }) reading local://${path}`);
    const cf = cfOf(meta, name);
    const rules = rulesOf(req);
    const start = buf(meta.range?.start), end = buf(meta.range?.end);
    const inRange = (k: Buffer) => Buffer.compare(k, start) >= 0 &&
      (end.length === 0 || (meta.end_key_exclusive ? Buffer.compare(k, end) < 0 : Buffer.compare(k, end) <= 0));
    const kept: { userKey: Buffer; entry: Entry }[] = [];
    for (const e of readSimSstFile(path)) {
      const r = rewrite(e, rules, cf);
      if (r && inRange(r.userKey)) kept.push(r);
    }
    if (kept.length === 0) return { is_empty: true };
    // several rules may reorder keys; an SST must be sorted
    kept.sort((a, b) => Buffer.compare(a.entry.key, b.entry.key));
    const w = store.newRunWriter();
    try {
      for (const k of kept) w.add(k.entry.key, k.entry.value);
    } catch (e) {
      w.abort();
      throw e;
    }
    const saved = saveFile(store, meta, cf, w);
    return {
      range: { start: kept[0]!.userKey, end: kept[kept.length - 1]!.userKey }, is_empty: false,
      crc32: saved.crc32, length: saved.length, ssts: [saved],
    };
  } catch (e) {
    if (e instanceof SimSstError) return { error: { message: e.message } };
    throw e;
  }
}

/** Legacy Upload stream: `meta` first, then the file bytes in `data` chunks. */
export async function handleUpload(store: SimStore, call: grpc.ServerReadableStream<{ meta?: pb.SSTMetaPb | null; data?: Buffer; chunk?: string }, object>):
Promise<object> {
  let meta: pb.SSTMetaPb | undefined;
  const parts: Buffer[] = [];
  for await (const msg of call as AsyncIterable<{ meta?: pb.SSTMetaPb | null; data?: Buffer; chunk?: string }>) {
    if (!meta) {
      if (msg.chunk !== 'meta' || !msg.meta) throw unknown('InvalidChunk');
      meta = msg.meta;
    } else {
      if (msg.chunk !== 'data') throw unknown('InvalidChunk');
      parts.push(buf(msg.data));
    }
  }
  if (!meta) throw unknown('InvalidChunk');
  if (meta.cf_name !== 'write' && meta.cf_name !== 'default') throw unknown(`invalid cf name ${meta.cf_name ?? ''}`);
  const w = store.newRunWriter();
  try {
    for (const e of decodeSimSst(Buffer.concat(parts), 'uploaded file')) w.add(e.key, e.value);
  } catch (e) {
    w.abort();
    throw unknown(e instanceof Error ? e.message : String(e));
  }
  saveFile(store, meta, meta.cf_name, w);
  return {};
}

