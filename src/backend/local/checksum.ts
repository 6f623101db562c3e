// Remote checksum (protocol.md §6): the coprocessor checksum request over a table's record range and each
// public index's range, per region at its leader, merged by XOR / sums; compared with the local KV checksum
// the encoder accumulated, with Go's mismatch message.
import { Codes, LightningError } from '../../errors.js';
import { RegionError } from '../../cluster/errors.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { delayMs, type Backoff } from '../../cluster/backoff.js';
import { rawBounds, scanRegions } from '../../cluster/regions.js';
import type { StoreClients } from '../../cluster/store-clients.js';
import type { KeyRange } from '../../sort/props.js';
import type { TableInfo } from '../../encode/schema/model.js';
import type { ChunkFigures, TableVerification } from '../backend.js';

export interface KvChecksum { checksum: bigint; totalKvs: bigint; totalBytes: bigint }

/** 't' ‖ EncodeInt(id) (sign bit flipped, big-endian) ‖ suffix */
function tableKey(tableId: number, suffix: number[], id?: number): Buffer {
  const b = Buffer.alloc(9 + suffix.length + (id === undefined ? 0 : 8));
  b[0] = 0x74;
  b.writeBigUInt64BE(BigInt.asUintN(64, BigInt(tableId)) ^ (1n << 63n), 1);
  b.set(suffix, 9);
  if (id !== undefined) b.writeBigUInt64BE(BigInt.asUintN(64, BigInt(id)) ^ (1n << 63n), 9 + suffix.length);
  return b;
}

/** The record range of a physical table and the range of each index id: what ADMIN CHECKSUM TABLE scans. */
export function tableRanges(physicalIds: number[], indexIds: number[]): { scanOn: 'Table' | 'Index'; range: KeyRange }[] {
  const out: { scanOn: 'Table' | 'Index'; range: KeyRange }[] = [];
  for (const t of physicalIds) {
    out.push({ scanOn: 'Table', range: { start: tableKey(t, [0x5f, 0x72]), end: tableKey(t, [0x5f, 0x73]) } });
    for (const i of indexIds) out.push({ scanOn: 'Index', range: { start: tableKey(t, [0x5f, 0x69], i), end: tableKey(t, [0x5f, 0x69], i + 1) } });
  }
  return out;
}

const CHECKSUM_BACKOFF: Backoff = { attempts: 10, firstMs: 50, maxMs: 2000 };

/** Checksum of raw ranges at `ts`: one coprocessor request per region, re-split and retried on region errors. */
export async function remoteChecksum(clients: StoreClients, ranges: { scanOn: 'Table' | 'Index'; range: KeyRange }[], ts: bigint,
  backoff: Backoff = CHECKSUM_BACKOFF): Promise<KvChecksum> {
  const sum: KvChecksum = { checksum: 0n, totalKvs: 0n, totalBytes: 0n };
  const one = async (scanOn: 'Table' | 'Index', range: KeyRange, depth: number): Promise<void> => {
    for (const info of await scanRegions(clients.pd, range.start, range.end)) {
      const b = rawBounds(info);
      const start = Buffer.compare(b.start, range.start) > 0 ? b.start : range.start;
      const end = b.end.length > 0 && Buffer.compare(b.end, range.end) < 0 ? b.end : range.end;
      const leader = info.leader ?? info.region.peers[0]!;
      try {
        const r = await (await clients.tikvClient(leader.storeId)).checksum(info.region, leader, [{ start, end }], ts, scanOn);
        sum.checksum ^= r.checksum;
        sum.totalKvs += r.totalKvs;
        sum.totalBytes += r.totalBytes;
      } catch (e) {
        const retryable = e instanceof RegionError || (e instanceof LightningError && e.retryable);
        if (!retryable || depth + 1 >= backoff.attempts) throw e;
        // the region moved or split under us: checksum its piece again from a fresh scan
        if (!(e instanceof RegionError)) clients.invalidate(leader.storeId);
        await sleep(delayMs(backoff, depth));
        await one(scanOn, { start, end }, depth + 1);
      }
    }
  };
  for (const r of ranges) await one(r.scanOn, r.range, 0);
  return sum;
}

export function checksumMismatch(remote: KvChecksum, local: KvChecksum, table: string): LightningError | undefined {
  if (remote.checksum === local.checksum && remote.totalKvs === local.totalKvs && remote.totalBytes === local.totalBytes) return undefined;
  return new LightningError(Codes.ChecksumMismatch,
    `checksum mismatched remote vs local => (checksum: ${remote.checksum} vs ${local.checksum}) ` +
    `(total_kvs: ${remote.totalKvs} vs ${local.totalKvs}) (total_bytes: ${remote.totalBytes} vs ${local.totalBytes})`, { context: { table } });
}

/** ADMIN CHECKSUM over the cluster at a fresh timestamp: the table's record range and its public indexes. */
export async function tableChecksum(clients: StoreClients, info: TableInfo): Promise<KvChecksum> {
  const physical = info.partition?.definitions?.length ? info.partition.definitions.map((d) => d.id) : [info.id];
  const indexes = info.index_info.filter((i) => (i.state ?? 5) === 5 && !(i.is_primary && (info.pk_is_handle || info.is_common_handle))).map((i) => i.id);
  return remoteChecksum(clients, tableRanges(physical, indexes), await clients.pd.getTS());
}

/** post-restore.checksum of the KV backends: the cluster's checksum against the XOR of the chunks' KV checksums. */
export async function verifyKvTable(clients: StoreClients, info: TableInfo, name: string, chunks: readonly ChunkFigures[]): Promise<TableVerification> {
  const local: KvChecksum = { checksum: 0n, totalKvs: 0n, totalBytes: 0n };
  for (const c of chunks) {
    local.checksum ^= c.kvcChecksum;
    local.totalKvs += BigInt(c.kvcKvs);
    local.totalBytes += BigInt(c.kvcBytes);
  }
  const remote = await tableChecksum(clients, info);
  const error = checksumMismatch(remote, local, name);
  const detail = error ? error.message : `checksum ${remote.checksum}, total_kvs ${remote.totalKvs}, total_bytes ${remote.totalBytes}: equal to the local figures`;
  return { table: name, ok: !error, rows: -1, detail, ...(error ? { error } : {}) };
}
