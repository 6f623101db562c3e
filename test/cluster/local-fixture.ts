// Shared by the local-backend tests and their crash child: one table, deterministic rows, the expected KVs.
import { buildTableInfo } from '../../src/encode/schema/create-table.js';
import { TableEncoder } from '../../src/encode/table.js';
import { FieldKind, type Row, type RowBatch } from '../../src/parse/types.js';
import type { TableInfo } from '../../src/encode/schema/model.js';

export const TABLE = { schema: 'db', table: 't' };
export const SQL = 'CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(64), v INT, note TEXT, UNIQUE KEY un (name), KEY iv (v))';

export function tableInfo(): TableInfo {
  return buildTableInfo(SQL, { tableID: 108 });
}

export function row(i: number): Row {
  const f = (kind: FieldKind, s: string) => ({ kind, value: Buffer.from(s) });
  return {
    fields: [f(FieldKind.Num, String(i + 1)), f(FieldKind.Str, `name-${i}`), f(FieldKind.Num, String(i % 97)),
      i % 5 === 0 ? { kind: FieldKind.Null, value: Buffer.alloc(0) } : f(FieldKind.Str, 'x'.repeat(i % 400))],
    offset: i, end: i + 1, rowNo: i + 1,
  };
}

/** rows [from, to) as batches of `size` */
export function* batches(from: number, to: number, size: number): Generator<RowBatch> {
  for (let i = from; i < to; i += size) {
    const rows: Row[] = [];
    for (let j = i; j < Math.min(to, i + size); j++) rows.push(row(j));
    yield { rows, columns: null };
  }
}

/** what the encoder makes of rows [0, n): hex key → hex value, sorted */
export function expectedKvs(n: number): string[] {
  const enc = new TableEncoder(tableInfo());
  const out: string[] = [];
  for (let i = 0; i < n; i++) for (const p of enc.encodeRow(row(i).fields, i + 1)) out.push(`${p.key.toString('hex')}=${p.val.toString('hex')}`);
  return out.sort();
}
