// Parquet rows → Row/RowBatch via hyparquet, one row group at a time (bounded memory). Values keep exact
// text/bytes: DECIMAL is formatted from its unscaled integer (hyparquet would give a lossy float), strings
// stay raw bytes, plain BYTE_ARRAY is binary, timestamps/dates become MySQL literals in UTC.
import type { AsyncBuffer, FileMetaData, SchemaElement } from 'hyparquet';
import { Codes, SourceError } from '../errors.js';
import { FieldKind, type Field, type Row, type RowBatch } from './types.js';
import { SliceField } from './field.js';

export interface ParquetParseOptions {
  /** file name for errors (relative path) */
  file: string;
  /** first row to read (0-based; resume position = Row.end of the last committed row) */
  startRow?: number;
  batchRows?: number;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function fmtTs(micros: bigint): string {
  const ms = Number(micros / 1000n) - (micros % 1000n < 0n ? 1 : 0);
  const d = new Date(ms);
  let frac = Number(((micros % 1000000n) + 1000000n) % 1000000n);
  const base = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  if (!frac) return base;
  let s = String(frac).padStart(6, '0');
  while (s.endsWith('0')) { s = s.slice(0, -1); frac /= 10; }
  return `${base}.${s}`;
}

const parsers = {
  timestampFromMilliseconds: (v: bigint) => ({ ts: fmtTs(BigInt(v) * 1000n) }),
  timestampFromMicroseconds: (v: bigint) => ({ ts: fmtTs(BigInt(v)) }),
  timestampFromNanoseconds: (v: bigint) => ({ ts: fmtTs(BigInt(v) / 1000n) }),
  dateFromDays: (v: number) => {
    const d = new Date(v * 86400000);
    return { ts: `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` };
  },
  stringFromBytes: (b: Uint8Array) => ({ str: Buffer.from(b.buffer, b.byteOffset, b.length) }),
  jsonFromBytes: (b: Uint8Array) => ({ str: Buffer.from(b.buffer, b.byteOffset, b.length) }),
};

/** Unscaled integer (bigint) → decimal text with `scale` digits after the point. */
export function formatDecimal(unscaled: bigint, scale: number): string {
  const neg = unscaled < 0n;
  let s = (neg ? -unscaled : unscaled).toString();
  if (scale > 0) {
    s = s.padStart(scale + 1, '0');
    s = `${s.slice(0, -scale)}.${s.slice(-scale)}`;
  }
  return neg ? `-${s}` : s;
}

function bytesToBigInt(b: Uint8Array): bigint {
  let v = 0n;
  for (const x of b) v = (v << 8n) | BigInt(x);
  if (b.length && b[0]! & 0x80) v -= 1n << BigInt(b.length * 8);
  return v;
}

function toField(v: unknown, decimalScale: number | undefined): Field {
  if (v === null || v === undefined) return SliceField.of(FieldKind.Null);
  if (decimalScale !== undefined) {
    const u = v instanceof Uint8Array ? bytesToBigInt(v) : BigInt(v as number | bigint);
    return SliceField.of(FieldKind.Num, Buffer.from(formatDecimal(u, decimalScale), 'latin1'));
  }
  switch (typeof v) {
    case 'number': return SliceField.of(FieldKind.Num, Buffer.from(Number.isInteger(v) ? String(v) : String(v), 'latin1'));
    case 'bigint': return SliceField.of(FieldKind.Num, Buffer.from(v.toString(), 'latin1'));
    case 'boolean': return SliceField.of(FieldKind.Num, Buffer.from(v ? '1' : '0'));
    case 'string': return SliceField.of(FieldKind.Str, Buffer.from(v, 'utf8'));
    default: break;
  }
  if (v instanceof Uint8Array) return SliceField.of(FieldKind.Bin, Buffer.from(v.buffer, v.byteOffset, v.length));
  const o = v as { ts?: string; str?: Buffer };
  if (o.ts !== undefined) return SliceField.of(FieldKind.Str, Buffer.from(o.ts, 'latin1'));
  if (o.str !== undefined) return SliceField.of(FieldKind.Str, o.str);
  // nested types (LIST/MAP/STRUCT): as JSON text, which is what a JSON column would accept
  return SliceField.of(FieldKind.Str, Buffer.from(JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x)), 'utf8'));
}

/** Stream a parquet file's rows. `path` is the absolute path; opts.file the name used in errors. */
/** `path`: a local file, or an AsyncBuffer (src/source parquetBuffer(root, file.path) also reads s3://). */
const hyparquet = () => import('hyparquet');

export async function* parseParquet(path: string | AsyncBuffer, opts: ParquetParseOptions): AsyncGenerator<RowBatch> {
  let file, meta: FileMetaData;
  try {
    // hyparquet is loaded with the first parquet file, not at start-up
    file = typeof path === 'string' ? await (await hyparquet()).asyncBufferFromFile(path) : path;
    meta = await (await hyparquet()).parquetMetadataAsync(file);
  } catch (e) {
    throw new SourceError(Codes.Parquet, `cannot read parquet metadata: ${(e as Error).message}`, { file: opts.file }, e);
  }
  // top-level columns and which are DECIMAL; strip DECIMAL annotations so hyparquet hands us raw integers
  const schema: SchemaElement[] = meta.schema.map((s) => ({ ...s }));
  const columns: string[] = [];
  const scales: Array<number | undefined> = [];
  const root = schema[0]!;
  let i = 1;
  for (let c = 0; c < (root.num_children ?? 0); c++) {
    const el = schema[i]!;
    columns.push(el.name);
    const dec = el.converted_type === 'DECIMAL' || el.logical_type?.type === 'DECIMAL';
    scales.push(dec ? (el.scale ?? (el.logical_type as { scale?: number } | undefined)?.scale ?? 0) : undefined);
    if (dec) { delete el.converted_type; delete el.logical_type; }
    // skip this column's subtree
    let pending = el.num_children ?? 0;
    i++;
    while (pending > 0) { pending += (schema[i]!.num_children ?? 0) - 1; i++; }
  }
  const readMeta: FileMetaData = { ...meta, schema };
  const total = Number(meta.num_rows);
  const batchRows = opts.batchRows ?? 8192;
  let rowNo = 0;
  let groupStart = 0;
  for (const rg of meta.row_groups) {
    const groupEnd = groupStart + Number(rg.num_rows);
    for (let s = Math.max(groupStart, opts.startRow ?? 0); s < groupEnd; s += batchRows) {
      const e = Math.min(groupEnd, s + batchRows);
      let data: unknown[][] = [];
      try {
        const { parquetRead } = await hyparquet();
        const { compressors } = await import('hyparquet-compressors');
        await parquetRead({ file, metadata: readMeta, rowStart: s, rowEnd: e, compressors, parsers, utf8: false, rowFormat: 'array', onComplete: (r: unknown[][]) => { data = r; } });
      } catch (err) {
        throw new SourceError(Codes.Parquet, `cannot read parquet rows: ${(err as Error).message}`, { file: opts.file, offset: s, row: rowNo + 1 }, err);
      }
      const rows: Row[] = data.map((r, k) => ({ fields: r.map((v, c) => toField(v, scales[c])), offset: s + k, end: s + k + 1, rowNo: ++rowNo }));
      yield { rows, columns };
    }
    groupStart = groupEnd;
  }
  if (groupStart !== total) throw new SourceError(Codes.Parquet, 'row groups do not add up to num_rows', { file: opts.file });
}
