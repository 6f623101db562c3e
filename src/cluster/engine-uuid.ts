// Engine UUIDs (protocol.md §7.4, lightning.md §3): UUID v5 (SHA-1) of "<`db`.`tbl`>:<engineID>" in Lightning's
// namespace. The local backend names its engine directories by it, tikv-importer keys engines by it, and
// tidb-lightning-ctl derives it to find or clean up an engine, so all three must agree byte for byte.
import { createHash } from 'node:crypto';

const NAMESPACE = Buffer.from('d68d6abec59e45d6ade8e2b0ceb7bedf', 'hex');

/** Index engine id (data engines are 0, 1, 2, …). */
export const INDEX_ENGINE_ID = -1;

/** The 16 UUID bytes for `tableName` (`db`.`tbl`, back-quoted) and an engine id. */
export function engineUuid(tableName: string, engineId: number): Buffer {
  const h = createHash('sha1').update(NAMESPACE).update(`${tableName}:${engineId}`).digest();
  const u = Buffer.from(h.subarray(0, 16));
  u[6] = (u[6]! & 0x0f) | 0x50; // version 5
  u[8] = (u[8]! & 0x3f) | 0x80; // RFC 4122 variant
  return u;
}

/** The canonical 8-4-4-4-12 form. */
export function formatUuid(b: Buffer): string {
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export function parseUuid(s: string): Buffer | undefined {
  const h = s.replace(/-/g, '');
  return /^[0-9a-f]{32}$/i.test(h) ? Buffer.from(h, 'hex') : undefined;
}
