// describeKv: a hex key/value pair as text a person can read (the `tidb-lightning-ctl` decode subcommand).
// With the pair's table it names the columns; keys of another table (or no table) are still split and
// their raw datums shown.
import { LightningError, Codes } from '../../errors.js';
import { K, type Datum } from '../datum.js';
import { Flag, Tp, type FieldType } from '../types.js';
import type { TableInfo } from '../schema/model.js';
import { datumLiteral, type FormatOptions } from './format.js';
import { decodeIndex, decodeRecord, parseKey, type DecodedHandle } from './key.js';

const TYPE_NAMES: Record<number, string> = {
  [Tp.Tiny]: 'tinyint', [Tp.Short]: 'smallint', [Tp.Int24]: 'mediumint', [Tp.Long]: 'int', [Tp.Longlong]: 'bigint',
  [Tp.Float]: 'float', [Tp.Double]: 'double', [Tp.NewDecimal]: 'decimal', [Tp.Decimal]: 'decimal', [Tp.Date]: 'date',
  [Tp.Datetime]: 'datetime', [Tp.Timestamp]: 'timestamp', [Tp.Duration]: 'time', [Tp.Year]: 'year', [Tp.Bit]: 'bit',
  [Tp.JSON]: 'json', [Tp.Enum]: 'enum', [Tp.Set]: 'set', [Tp.TinyBlob]: 'tinyblob', [Tp.Blob]: 'blob',
  [Tp.MediumBlob]: 'mediumblob', [Tp.LongBlob]: 'longblob',
};

/** "varchar(20)", "decimal(10,2)", "int unsigned", "text" … for display */
export function columnTypeName(ft: FieldType): string {
  const bin = ft.Charset === 'binary';
  const blobs: Record<number, string> = { [Tp.TinyBlob]: 'tinytext', [Tp.Blob]: 'text', [Tp.MediumBlob]: 'mediumtext', [Tp.LongBlob]: 'longtext' };
  let name: string;
  if (ft.Tp === Tp.Varchar || ft.Tp === Tp.VarString) name = `${bin ? 'varbinary' : 'varchar'}(${ft.Flen})`;
  else if (ft.Tp === Tp.String) name = `${bin ? 'binary' : 'char'}(${ft.Flen})`;
  else if (blobs[ft.Tp]) name = bin ? TYPE_NAMES[ft.Tp]! : blobs[ft.Tp]!;
  else if (ft.Tp === Tp.NewDecimal || ft.Tp === Tp.Decimal) name = `decimal(${ft.Flen},${Math.max(ft.Decimal, 0)})`;
  else if (ft.Tp === Tp.Datetime || ft.Tp === Tp.Timestamp || ft.Tp === Tp.Duration) name = TYPE_NAMES[ft.Tp]! + (ft.Decimal > 0 ? `(${ft.Decimal})` : '');
  else if (ft.Tp === Tp.Bit) name = `bit(${ft.Flen})`;
  else name = TYPE_NAMES[ft.Tp] ?? `type${ft.Tp}`;
  if ((ft.Flag & Flag.Unsigned) !== 0 && ft.Tp !== Tp.Bit && ft.Tp !== Tp.Year) name += ' unsigned';
  if (!bin && ft.Collate && ft.Tp !== Tp.Enum && ft.Tp !== Tp.Set && (ft.Tp === Tp.Varchar || ft.Tp === Tp.String || ft.Tp === Tp.VarString || blobs[ft.Tp])) name += ` ${ft.Collate}`;
  return name;
}

function hexArg(s: string, what: string): Buffer {
  const t = s.trim().replace(/^0x/i, '');
  if (t.length % 2 !== 0 || !/^[0-9a-f]*$/i.test(t)) {
    throw new LightningError(Codes.InvalidArgument, `${what} is not hex: ${JSON.stringify(s.slice(0, 40))}`, { exitCode: 2, context: { expected: 'an even number of hex digits' } });
  }
  return Buffer.from(t, 'hex');
}

function handleText(h: DecodedHandle | { int: bigint } | { common: Buffer; datums: Datum[] }, opts: FormatOptions): string {
  if ('int' in h) return `${h.int} (int handle)`;
  return `(${h.datums.map((d) => datumLiteral(d, undefined, opts)).join(', ')}) (common handle 0x${h.common.toString('hex')})`;
}

function columns(lines: string[], names: string[], types: FieldType[], values: Datum[], notes: string[], opts: FormatOptions): void {
  const w = Math.max(...names.map((n) => n.length), 1);
  const tw = Math.max(...types.map((t) => columnTypeName(t).length), 1);
  values.forEach((d, i) => {
    const note = notes[i] ? `  (${notes[i]})` : '';
    lines.push(`  ${names[i]!.padEnd(w)}  ${columnTypeName(types[i]!).padEnd(tw)}  ${datumLiteral(d, types[i], opts)}${note}`);
  });
}

function tableLine(kind: string, t: TableInfo, physicalID: bigint, partition?: string): string {
  return `${kind} of table ${t.name.O} (id ${t.id})${partition ? `, partition ${partition} (id ${physicalID})` : ''}`;
}

/** Describe a hex-encoded KV pair of `table` (or of any table when `table` is null). */
export function describeKv(table: TableInfo | null, keyHex: string, valueHex: string, opts: FormatOptions = {}): string {
  const key = hexArg(keyHex, 'key');
  const value = hexArg(valueHex, 'value');
  const pk = parseKey(key);
  const lines: string[] = [];
  const ours = table && (pk.type === 'record' || pk.type === 'index') &&
    (BigInt(table.id) === pk.tableID || table.partition?.definitions.some((d) => BigInt(d.id) === pk.tableID));
  if (table && ours && pk.type === 'record') {
    const r = decodeRecord(table, key, value);
    lines.push(tableLine('record', table, r.physicalID, r.partition));
    lines.push(`handle ${handleText(r.handle, opts)}`);
    lines.push(`row format v${r.format}, ${value.length} bytes`);
    const cols = table.cols.filter((c) => !c.hidden);
    columns(lines, cols.map((c) => c.name.O), cols.map((c) => c.type), cols.map((c) => r.values[c.offset]!), [], opts);
    return lines.join('\n');
  }
  if (table && ours && pk.type === 'index') {
    const r = decodeIndex(table, key, value);
    const kind = r.index.is_primary ? 'primary key' : r.index.is_unique ? 'unique index' : 'index';
    lines.push(tableLine(`${kind} ${r.index.idx_name.O} (id ${r.indexID}) entry`, table, r.physicalID, r.partition));
    lines.push(`handle ${handleText(r.handle, opts)}${r.distinct ? ', in the value' : ', in the key'}`);
    const cols = r.index.idx_cols.map((ic) => table.cols[ic.offset]!);
    const notes = r.values.map((_, i) => {
      if (r.exact[i]) return '';
      return (r.index.idx_cols[i]!.length ?? -1) >= 0 ? `prefix ${r.index.idx_cols[i]!.length}` : 'collation sort key only';
    });
    columns(lines, cols.map((c) => c.name.O), cols.map((c) => c.type), r.values, notes, opts);
    return lines.join('\n');
  }
  // no (matching) table: show the structure only
  if (table && (pk.type === 'record' || pk.type === 'index')) lines.push(`note: key is not of table ${table.name.O} (id ${table.id})`);
  switch (pk.type) {
    case 'record':
      lines.push(`record of table id ${pk.tableID}`, `handle ${handleText(pk.handle, opts)}`, `value ${value.length} bytes: 0x${value.toString('hex')}`);
      break;
    case 'index':
      lines.push(`index entry of table id ${pk.tableID}, index id ${pk.indexID}`);
      pk.datums.forEach((d, i) => lines.push(`  datum ${i}  ${datumLiteral(d, undefined, opts)}${d.k === K.Bytes ? ' (bytes or collation sort key)' : ''}`));
      lines.push(`value ${value.length} bytes: 0x${value.toString('hex')}`);
      break;
    case 'table':
      lines.push(`key of table id ${pk.tableID}: 0x${pk.rest.toString('hex')}`);
      break;
    default:
      lines.push(`not a TiDB table key: 0x${key.toString('hex')}`);
  }
  return lines.join('\n');
}
