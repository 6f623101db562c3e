// Row shaping between a parser and the encoder/backend (Go filterColumns + column permutation):
//   - `[mydumper] ignore-data-columns`: fields of the listed columns are dropped from every row;
//   - `[[routes]] extract-table/-schema/-source`: constant fields are appended to every row (and their names to
//     `columns`); a file column of the same name is dropped, the extracted value wins.
// Input columns are the file's (INSERT column list / CSV header), or when the file has none the table's columns
// in order minus the extracted ones (Go assumes a table-order file lacks them). Output `columns` is always a
// list when anything changes, so the backend must use it.
//
// Orchestrator wiring, per chunk:
//   const shape = makeBatchShaper({ tableColumns, ignoreColumns: ignoreLookup(schema, table),
//                                   extraColumns: file.extraColumns, file: file.path, table: `${schema}.${table}` });
//   for await (const batch of parseSql(...)) write(shape(batch));
// `shape` is the identity (same object back, no cost) when nothing is ignored or extracted. Rows are changed in
// place; appended fields are shared by all rows: read them, never mutate them.
import { Codes, LightningError, SourceError } from '../errors.js';
import { SliceField } from './field.js';
import { FieldKind, type Field, type Row, type RowBatch } from './types.js';

export interface ConstantColumn {
  column: string;
  value: string | Buffer;
}

export interface ShapeOptions {
  /** the target table's columns in order; required when a file without a column list needs shaping */
  tableColumns?: readonly string[];
  /** columns to drop (ignore-data-columns), compared case-insensitively */
  ignoreColumns?: readonly string[];
  /** constants to append (DataFile.extraColumns / Router.extraColumns) */
  extraColumns?: readonly ConstantColumn[];
  /** for errors */
  file?: string;
  table?: string;
}

export interface RowShape {
  /** output column names */
  columns: string[];
  /** number of fields each input row must have */
  width: number;
  /** indexes of the input fields kept, in order; null = all */
  keep: Int32Array | null;
  /** appended constant fields (shared by every row) */
  extra: Field[];
}

/** The shape for rows whose columns are `fileColumns` (null = table order), or null when nothing changes. */
export function makeRowShape(fileColumns: readonly string[] | null, o: ShapeOptions): RowShape | null {
  const ignore = new Set((o.ignoreColumns ?? []).map((c) => c.toLowerCase()));
  const extras = o.extraColumns ?? [];
  if (ignore.size === 0 && extras.length === 0) return null;
  const extraNames = new Set(extras.map((e) => e.column.toLowerCase()));
  let input: readonly string[];
  if (fileColumns) input = fileColumns;
  else if (o.tableColumns) input = o.tableColumns.filter((c) => !extraNames.has(c.toLowerCase()));
  else {
    throw new LightningError(Codes.InvalidArgument, 'ignore-data-columns or [[routes]] extract-* need the table column order for a file without a column list',
      { context: { ...(o.file ? { file: o.file } : {}), ...(o.table ? { table: o.table } : {}) } });
  }
  const keep: number[] = [];
  const columns: string[] = [];
  input.forEach((c, i) => {
    const l = c.toLowerCase();
    if (ignore.has(l) || extraNames.has(l)) return;
    keep.push(i);
    columns.push(c);
  });
  for (const e of extras) columns.push(e.column);
  const extra = extras.map((e) => SliceField.of(FieldKind.Str, typeof e.value === 'string' ? Buffer.from(e.value, 'utf8') : e.value));
  return { columns, width: input.length, keep: keep.length === input.length ? null : Int32Array.from(keep), extra };
}

/** Apply a shape to one row in place; a row of the wrong width is a ColumnCount error. */
export function shapeRow(row: Row, s: RowShape, ctx: { file?: string; table?: string } = {}): void {
  const f = row.fields;
  if (f.length !== s.width) {
    throw new SourceError(Codes.ColumnCount, `row has ${f.length} columns but ${s.width} were expected`,
      { file: ctx.file ?? '', ...(ctx.table ? { table: ctx.table } : {}), offset: row.offset, row: row.rowNo, expected: `${s.width} columns` });
  }
  if (s.keep) {
    const out: Field[] = new Array<Field>(s.keep.length + s.extra.length);
    for (let i = 0; i < s.keep.length; i++) out[i] = f[s.keep[i]!]!;
    for (let i = 0; i < s.extra.length; i++) out[s.keep.length + i] = s.extra[i]!;
    row.fields = out;
  } else {
    for (const e of s.extra) f.push(e);
  }
}

/** A batch transform for one file/table; identity when there is nothing to drop or add. */
export function makeBatchShaper(o: ShapeOptions): (batch: RowBatch) => RowBatch {
  if (!o.ignoreColumns?.length && !o.extraColumns?.length) return (b) => b;
  const cache = new Map<string, RowShape>();
  const ctx = { file: o.file, table: o.table };
  return (batch) => {
    const key = batch.columns === null ? '\u0000' : batch.columns.join('\u0000');
    let s = cache.get(key);
    if (!s) {
      s = makeRowShape(batch.columns, o)!;
      if (cache.size > 64) cache.clear(); // a file with ever-changing column lists: bounded memory
      cache.set(key, s);
    }
    for (const r of batch.rows) shapeRow(r, s, ctx);
    batch.columns = s.columns;
    return batch;
  };
}

/** Append constant fields to every row (and their names to `columns`, which must then be known). */
export function appendConstantFields(batch: RowBatch, extras: readonly ConstantColumn[], tableColumns?: readonly string[]): RowBatch {
  return makeBatchShaper({ extraColumns: extras, tableColumns })(batch);
}
