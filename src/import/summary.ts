// The end-of-run report on stdout: one line per table with its verification, then the totals.
import type { ImportResult } from './importer.js';

const mb = (n: number) => (n / 1e6).toFixed(1);

export function formatSummary(r: ImportResult): string {
  const w = Math.max(5, ...r.tables.map((t) => t.table.length));
  const rw = Math.max(4, ...r.tables.map((t) => String(t.rows).length));
  const lines = r.tables.map((t) => `  ${t.table.padEnd(w)}  ${String(t.rows).padStart(rw)} rows  ${t.verification}`);
  const secs = r.elapsedMs / 1000;
  lines.push(`tidb-lightning: ${r.tables.length} table(s), ${r.rows} rows, ${mb(r.bytes)} MB in ${secs.toFixed(1)} s` +
    (secs > 0 ? ` (${(r.bytes / 1e6 / secs).toFixed(1)} MB/s)` : '') + (r.skippedFiles ? `; ${r.skippedFiles} file(s) skipped (see the log)` : ''));
  return `${lines.join('\n')}\n`;
}
