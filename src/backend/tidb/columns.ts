// Target column metadata (information_schema) and how each column's value is canonicalized for the content
// checksum: the form the SERVER prints for the stored value, which the import side must predict exactly from
// the source bytes (see checksum.ts).
import type { Conn } from './conn.js';

export type CanonKind =
  | 'int' | 'dec' | 'char' | 'binary' | 'bytes' | 'date' | 'datetime' | 'time' | 'year' | 'enum' | 'set' | 'bit'
  /** float/double/geometry/MySQL json...: only NULL-ness is hashed (the printed form is not predictable) */
  | 'opaque';

export interface ColumnInfo {
  name: string;
  dataType: string;
  columnType: string;
  nullable: boolean;
  autoIncrement: boolean;
  generated: boolean;
  kind: CanonKind;
  /** decimal scale / fractional-second precision */
  scale: number;
  /** BINARY(n) length */
  octets: number;
  /** enum/set members, definition order */
  members: string[];
}

const KIND: Record<string, CanonKind> = {
  tinyint: 'int', smallint: 'int', mediumint: 'int', int: 'int', integer: 'int', bigint: 'int',
  decimal: 'dec', numeric: 'dec', char: 'char', binary: 'binary',
  varchar: 'bytes', varbinary: 'bytes', tinytext: 'bytes', text: 'bytes', mediumtext: 'bytes', longtext: 'bytes',
  tinyblob: 'bytes', blob: 'bytes', mediumblob: 'bytes', longblob: 'bytes',
  date: 'date', datetime: 'datetime', timestamp: 'datetime', time: 'time', year: 'year', enum: 'enum', set: 'set', bit: 'bit',
};

/** enum('a','b''c') → ['a', "b'c"] */
export function parseMembers(columnType: string): string[] {
  const m = /^(?:enum|set)\((.*)\)$/is.exec(columnType.trim());
  if (!m) return [];
  const out: string[] = [];
  const re = /'((?:[^'\\]|''|\\.)*)'/g;
  let x: RegExpExecArray | null;
  while ((x = re.exec(m[1]!))) out.push(x[1]!.replace(/''/g, "'").replace(/\\(.)/g, '$1'));
  return out;
}

const s = (v: unknown): string => (Buffer.isBuffer(v) ? v.toString('utf8') : v === null || v === undefined ? '' : String(v));

export async function fetchColumns(c: Conn, schema: string, table: string): Promise<ColumnInfo[]> {
  const [rows] = await c.query(`SELECT COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, IS_NULLABLE, EXTRA, NUMERIC_SCALE, DATETIME_PRECISION,
    CHARACTER_OCTET_LENGTH FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`,
  [Buffer.from(schema, 'utf8'), Buffer.from(table, 'utf8')]) as unknown as [Array<Record<string, unknown>>];
  return rows.map((r) => {
    const dataType = s(r.DATA_TYPE).toLowerCase();
    const columnType = s(r.COLUMN_TYPE);
    const extra = s(r.EXTRA).toLowerCase();
    const kind = KIND[dataType] ?? 'opaque';
    return {
      name: s(r.COLUMN_NAME), dataType, columnType, nullable: s(r.IS_NULLABLE) === 'YES',
      autoIncrement: extra.includes('auto_increment'), generated: /generated|virtual|persistent|stored/.test(extra),
      kind, scale: Number(s(r.NUMERIC_SCALE) || s(r.DATETIME_PRECISION) || 0),
      octets: Number(s(r.CHARACTER_OCTET_LENGTH) || 0), members: kind === 'enum' || kind === 'set' ? parseMembers(columnType) : [],
    };
  });
}
