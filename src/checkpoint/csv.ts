// `--checkpoint-dump` CSV writer: header from the column names, RFC 4180 quoting.
import { writeFileSync } from 'node:fs';

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
  writeFileSync(path, toCsv(rows, columns));
}
