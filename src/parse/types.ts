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

export interface RowBatch {
  rows: Row[];
  /** column names given by the file (INSERT column list or CSV header); null = table order */
  columns: string[] | null;
  /** for SQL dumps: the statement verb the dump used */
  verb?: 'INSERT' | 'REPLACE';
}
