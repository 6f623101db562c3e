// `--checkpoint-dump` CSV writer: header from the column names, RFC 4180 quoting. Every file passes through
// `redact`: error messages stored in the checkpoint were masked when recorded, this masks them again with the
// secrets the dumping process knows.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { redact } from '../redact.js';

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = Buffer.isBuffer(v) ? v.toString('hex') : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(rows: Array<Record<string, unknown>>, columns?: string[]): string {
  const cols = columns ?? (rows[0] ? Object.keys(rows[0]) : []);
  const lines = [cols.join(',')];
  for (const r of rows) lines.push(cols.map((c) => cell(r[c])).join(','));
  return lines.join('\n') + '\n';
}

export function writeCsv(path: string, rows: Array<Record<string, unknown>>, columns?: string[]): void {
  writeFileSync(path, redact(toCsv(rows, columns)));
}

export type DumpRows = Record<'tables' | 'engines' | 'chunks', { rows: Array<Record<string, unknown>>; columns: string[] }>;

/** `tables.csv`, `engines.csv`, `chunks.csv` in dir (created when missing). */
export function writeDump(dir: string, d: DumpRows): void {
  mkdirSync(dir, { recursive: true });
  for (const k of ['tables', 'engines', 'chunks'] as const) writeCsv(join(dir, `${k}.csv`), d[k].rows, d[k].columns);
}
