// The contract between parsers (SQL dump, CSV, Parquet) and everything downstream (encoder, tidb backend).
// Values keep their exact source bytes: a binary column survives byte for byte.

/** What a field is, as written in the source. */
export const FieldKind = {
  /** SQL NULL (unquoted NULL in SQL, `\N`/`null` option in CSV) */
  Null: 0,
  /** a string literal, unescaped to its raw bytes (CSV fields are always Str unless null) */
  Str: 1,
  /** a numeric literal as written (ASCII text: `-12`, `1.5e3`, `0.00`) */
  Num: 2,
  /** a hex literal `0x..`/`X'..'` (or a `_binary` introduced string), decoded to bytes */
  Bin: 3,
  /** a bit literal `b'0101'`, decoded to big-endian bytes */
  Bits: 4,
  /** a bare keyword other than NULL (e.g. DEFAULT, TRUE/FALSE, CURRENT_TIMESTAMP) as ASCII text */
  Word: 5,
} as const;
export type FieldKind = (typeof FieldKind)[keyof typeof FieldKind];

export interface Field {
  kind: FieldKind;
  /** raw bytes (empty for Null). May be a view into the parser's buffer: copy before keeping it across batches. */
  value: Buffer;
}

export interface Row {
  fields: Field[];
  /** byte offset (in the decompressed stream) where this row starts */
  offset: number;
  /** byte offset just past this row: the resume position once this row is committed */
  end: number;
  /** 1-based row number within the file (counting from the chunk's first row when resuming) */
  rowNo: number;
  /**
   * SQL dumps only: the parser's buffer holding this row's text `(…)` and the index of its `(` in it (the text
   * runs for `end - offset` bytes). Valid as long as the field views are.
   */
  src?: Buffer;
  srcStart?: number;
  /**
   * SQL dumps only: whether `LOAD DATA … FIELDS TERMINATED BY ',' ENCLOSED BY q ESCAPED BY '\\' LINES STARTING BY
   * '(' TERMINATED BY ')'` reads the row text as the same values: 0 = no (spaces, hex/bit literals, keywords,
   * introducers, escapes LOAD DATA reads differently); 1 = yes, no quoted values; else yes with q = this byte.
   */
  plain?: number;
}

/** What every digest carries, whoever consumes it: the rows it covers (see RowDigester). */
export interface RowDigest {
  rows: number;
  /** offset and rowNo of its first row */
  first: { offset: number; rowNo: number };
  /** byte offset just past its last row */
  end: number;
  /** the first row whose number of values is not the number of columns (the batch must not be written) */
  odd?: { offset: number; rowNo: number; values: number; expected: number };
}

/**
 * A consumer of SQL rows that takes each value as the parser reads it, so no Row or Field objects are made
 * (SqlParseOptions.digester): the tidb backend's LOAD DATA path hashes and groups row text this way (bench/parse:
 * 1.6x the speed of Row objects + hashing). A row may be begun again (the parser restarts a row that ran past its
 * buffer): only endRow() commits it.
 */
export interface RowDigester<D extends RowDigest = RowDigest> {
  /** batch size the digester's consumer prefers (parser defaults otherwise) */
  readonly batchBytes?: number;
  readonly batchRows?: number;
  beginRow(columns: string[] | null): void;
  /** The row's next value; when `transient`, the parser reuses the object: keep its kind and positions, not it. */
  field(f: Field & { src: Buffer; start: number; end: number }, transient: boolean): void;
  /**
   * The row `src[start, start + end - offset)` ends (offsets as in Row); `plain` as Row.plain; `verbatim` = its
   * text, run on a binary connection, stores the values as parsed (false: an N'..' or charset introducer).
   */
  endRow(src: Buffer, start: number, offset: number, end: number, rowNo: number, plain: number, verbatim: boolean): void;
  /** The rows ended since the last take(); undefined when none. */
  take(): D | undefined;
}

export interface RowBatch {
  /** empty when the rows went to a digester: then `digest` describes them */
  rows: Row[];
  digest?: RowDigest;
  /** column names given by the file (INSERT column list or CSV header); null = table order */
  columns: string[] | null;
  /** for SQL dumps: the statement verb the dump used */
  verb?: 'INSERT' | 'REPLACE';
  /**
   * The file's own column list when `columns` was changed after parsing (ignore-data-columns, extracted route
   * columns): what a resumed parser must be given. Absent = `columns`.
   */
  sourceColumns?: string[] | null;
}
