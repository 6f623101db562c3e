// MySQL type codes and column flags as TiDB's parser/mysql package numbers them (the status API JSON uses
// these numbers), plus the FieldType every conversion and encoding decision reads.

export const Tp = {
  Decimal: 0, Tiny: 1, Short: 2, Long: 3, Float: 4, Double: 5, Null: 6, Timestamp: 7, Longlong: 8, Int24: 9,
  Date: 10, Duration: 11, Datetime: 12, Year: 13, NewDate: 14, Varchar: 15, Bit: 16, JSON: 245, NewDecimal: 246,
  Enum: 247, Set: 248, TinyBlob: 249, MediumBlob: 250, LongBlob: 251, Blob: 252, VarString: 253, String: 254,
  Geometry: 255,
} as const;

export const Flag = {
  NotNull: 1, PriKey: 2, UniqueKey: 4, MultipleKey: 8, Blob: 16, Unsigned: 32, Zerofill: 64, Binary: 128,
  Enum: 256, AutoIncrement: 512, Timestamp: 1024, Set: 2048, NoDefaultValue: 4096, OnUpdateNow: 8192,
} as const;

/** TiDB's FieldType in the spelling of its JSON (status API `/schema/{db}/{table}`). */
export interface FieldType {
  Tp: number;
  Flag: number;
  Flen: number;
  /** fsp for time types, scale for decimal/float; -1 = unspecified */
  Decimal: number;
  Charset: string;
  Collate: string;
  Elems?: string[] | null;
}

/** vector/test spelling: {"tp":"varchar", ...} → FieldType */
const TP_NAMES: Record<string, number> = {
  tiny: Tp.Tiny, short: Tp.Short, int24: Tp.Int24, long: Tp.Long, longlong: Tp.Longlong, float: Tp.Float,
  double: Tp.Double, newdecimal: Tp.NewDecimal, decimal: Tp.NewDecimal, date: Tp.Date, datetime: Tp.Datetime,
  timestamp: Tp.Timestamp, duration: Tp.Duration, time: Tp.Duration, year: Tp.Year, varchar: Tp.Varchar,
  string: Tp.String, tinyblob: Tp.TinyBlob, blob: Tp.Blob, mediumblob: Tp.MediumBlob, longblob: Tp.LongBlob,
  json: Tp.JSON, enum: Tp.Enum, set: Tp.Set, bit: Tp.Bit, var_string: Tp.VarString,
};

export interface LooseType {
  tp: string;
  flen?: number;
  decimal?: number;
  unsigned?: boolean;
  zerofill?: boolean;
  charset?: string;
  collation?: string;
  elems?: string[];
  binary_flag?: boolean;
}

export function fieldTypeFromLoose(t: LooseType): FieldType {
  const tp = TP_NAMES[t.tp];
  if (tp === undefined) throw new Error(`unknown type name ${t.tp}`);
  let flag = 0;
  if (t.unsigned) flag |= Flag.Unsigned;
  if (t.zerofill) flag |= Flag.Zerofill;
  if (t.binary_flag) flag |= Flag.Binary;
  if (tp === Tp.Enum) flag |= Flag.Enum;
  if (tp === Tp.Set) flag |= Flag.Set;
  return {
    Tp: tp, Flag: flag, Flen: t.flen ?? -1, Decimal: t.decimal ?? -1,
    Charset: t.charset ?? 'binary', Collate: t.collation ?? 'binary', Elems: t.elems ?? null,
  };
}

export function tpName(tp: number): string {
  for (const [k, v] of Object.entries(TP_NAMES)) if (v === tp) return k;
  return `tp${tp}`;
}

export const isIntTp = (tp: number): boolean =>
  tp === Tp.Tiny || tp === Tp.Short || tp === Tp.Int24 || tp === Tp.Long || tp === Tp.Longlong;
export const isBlobTp = (tp: number): boolean =>
  tp === Tp.TinyBlob || tp === Tp.Blob || tp === Tp.MediumBlob || tp === Tp.LongBlob;
export const isStringTp = (tp: number): boolean =>
  tp === Tp.Varchar || tp === Tp.VarString || tp === Tp.String || isBlobTp(tp);
export const isUnsigned = (ft: FieldType): boolean => (ft.Flag & Flag.Unsigned) !== 0;
export const isBinaryStr = (ft: FieldType): boolean => ft.Charset === 'binary' || ft.Collate === 'binary';
