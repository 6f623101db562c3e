// [[mydumper.ignore-data-columns]] lookup (Go AllIgnoreColumns.GetIgnoreColumns): the first rule whose db/table
// equal the table's names, or whose table-filter matches them, gives the columns dropped from its data files.
// The orchestrator passes the result to makeBatchShaper({ ignoreColumns }) in src/parse/shape.ts.
import { parseTableFilter, type TableFilter } from './filter.js';

/** One `[[mydumper.ignore-data-columns]]` entry (Go keys: db, table, table-filter, columns). */
export interface IgnoreColumnsRule {
  db?: string;
  table?: string;
  tableFilter?: readonly string[];
  columns: readonly string[];
}

export type IgnoreColumnsLookup = (schema: string, table: string) => string[];

/** Compile the rules once; the lookup returns lower-cased column names ([] when no rule applies). */
export function makeIgnoreColumns(rules: readonly IgnoreColumnsRule[] = [], caseSensitive = false): IgnoreColumnsLookup {
  const norm = (s: string) => (caseSensitive ? s : s.toLowerCase());
  const compiled = rules.map((r) => ({
    db: r.db ? norm(r.db) : undefined,
    table: r.table ? norm(r.table) : undefined,
    filter: r.tableFilter?.length ? parseTableFilter(r.tableFilter, caseSensitive, 'mydumper.ignore-data-columns.table-filter') : undefined as TableFilter | undefined,
    columns: r.columns.map((c) => c.toLowerCase()),
  }));
  return (schema, table) => {
    const s = norm(schema), t = norm(table);
    for (const r of compiled) {
      if ((r.db !== undefined && r.db === s && r.table === t) || r.filter?.matchTable(schema, table)) return [...r.columns];
    }
    return [];
  };
}
