// Verification for the tidb backend (the Go tool checks nothing here): the row count and content checksum the
// import committed (summed from the target's progress rows, which commit with the data) against the same
// figures computed by SQL over the target table. See checksum.ts for the canonical form both sides hash.
import { Codes, LightningError } from '../../errors.js';
import type { TableRef } from '../backend.js';
import { checksumSql } from './checksum.js';
import { fetchColumns } from './columns.js';
import type { Conn } from './conn.js';
import { tableTotals } from './progress.js';
import { tableKey } from './values.js';

export interface VerifyResult {
  table: string;
  expectedRows: number;
  actualRows: number;
  expectedChecksum: bigint;
  actualChecksum: bigint;
  /** '' when the content checksum was compared; else why only the count was */
  contentSkipped: string;
  ok: boolean;
}

export async function remoteChecksum(c: Conn, table: TableRef): Promise<{ rows: number; checksum: bigint }> {
  const cols = await fetchColumns(c, table.schema, table.table);
  const [rows] = await c.query(checksumSql(table.schema, table.table, cols)) as unknown as [Array<{ n: unknown; s: unknown }>];
  const r = rows[0]!;
  const str = (v: unknown) => (Buffer.isBuffer(v) ? v.toString() : String(v));
  return { rows: Number(str(r.n)), checksum: BigInt(str(r.s)) % (1n << 64n) };
}

export async function verifyTable(c: Conn, table: TableRef, o: { taskId: bigint; taskInfoSchema: string }): Promise<VerifyResult> {
  const name = tableKey(table.schema, table.table);
  const exp = await tableTotals(c, o.taskInfoSchema, o.taskId, name);
  const act = await remoteChecksum(c, table);
  const why = exp.unverifiable || (exp.skipped ? `${exp.skipped} row(s) were ignored or replaced as duplicates` : '');
  const expectedRows = exp.rows - exp.skipped;
  const ok = expectedRows === act.rows && (why !== '' || exp.checksum === act.checksum);
  return { table: name, expectedRows, actualRows: act.rows, expectedChecksum: exp.checksum, actualChecksum: act.checksum,
    contentSkipped: why, ok };
}

/** The error post-restore.checksum = required raises (the Go message's shape). */
export function mismatchError(r: VerifyResult): LightningError {
  return new LightningError(Codes.ChecksumMismatch,
    `checksum mismatched remote vs local => (rows: ${r.actualRows} vs ${r.expectedRows})` +
    (r.contentSkipped ? ` (content checksum skipped: ${r.contentSkipped})` : ` (content checksum: ${r.actualChecksum} vs ${r.expectedChecksum})`),
    { context: { table: r.table } });
}
