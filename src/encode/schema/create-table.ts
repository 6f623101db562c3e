// Offline TableInfo from CREATE TABLE text (mydumper/dumpling schema files, SHOW CREATE TABLE output), with
// TiDB's DDL defaults: column ids 1..n, index ids 1..m in declaration order, a single integer PK is the handle
// unless NONCLUSTERED, other PKs clustered only when declared CLUSTERED, partition ids table id + 1, + 2, ….
// A small hand parser rather than node-sql-parser: that library rejects PARTITION BY clauses and TiDB's
// `/*T![clustered_index] CLUSTERED */` feature comments, both common in TiDB/dumpling output.
import { LightningError, Codes } from '../../errors.js';
import { Tp, Flag, type FieldType } from '../types.js';
import { ci, PartitionType, type ColumnInfo, type IndexInfo, type TableInfo, type PartitionInfo } from './model.js';

type Tok = { t: 'id' | 'str' | 'num' | 'p'; v: string; q?: boolean };

function tokenize(sql: string): Tok[] {
  // TiDB/MySQL executable comments become code; other comments vanish
  const s = sql.replace(/\/\*T!\[[^\]]*\]([\s\S]*?)\*\//g, ' $1 ').replace(/\/\*!\d*([\s\S]*?)\*\//g, ' $1 ')
    .replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/(--|#)[^\n]*/g, ' ');
  const out: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (/\s/.test(c)) { i++; continue; }
    if (c === '`') {
      let j = i + 1, v = '';
      for (;;) { const k = s.indexOf('`', j); if (k < 0) throw bad('unterminated identifier'); v += s.slice(j, k); if (s[k + 1] === '`') { v += '`'; j = k + 2; } else { i = k + 1; break; } }
      out.push({ t: 'id', v, q: true });
    } else if (c === "'" || c === '"') {
      let j = i + 1, v = '';
      while (j < s.length) {
        const d = s[j]!;
        if (d === '\\') { const e = s[j + 1]!; v += ({ n: '\n', t: '\t', r: '\r', '0': '\0', Z: '\x1a' } as Record<string, string>)[e] ?? e; j += 2; }
        else if (d === c) { if (s[j + 1] === c) { v += c; j += 2; } else break; }
        else { v += d; j++; }
      }
      out.push({ t: 'str', v });
      i = j + 1;
    } else if (/[0-9]/.test(c) || (c === '-' && /[0-9]/.test(s[i + 1] ?? '') && /[(,=\s]/.test(s[i - 1] ?? ' '))) {
      const m = /^-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(s.slice(i))!;
      out.push({ t: 'num', v: m[0] });
      i += m[0].length;
    } else if (/[A-Za-z_$\u0080-\uffff]/.test(c)) {
      const m = /^[A-Za-z0-9_$\u0080-\uffff]+/.exec(s.slice(i))!;
      out.push({ t: 'id', v: m[0] });
      i += m[0].length;
    } else { out.push({ t: 'p', v: c }); i++; }
  }
  return out;
}

function bad(msg: string): LightningError {
  return new LightningError(Codes.CreateSchema, `CREATE TABLE: ${msg}`);
}

class P {
  i = 0;
  constructor(readonly toks: Tok[]) {}
  peek(o = 0): Tok | undefined { return this.toks[this.i + o]; }
  is(word: string, o = 0): boolean { const t = this.peek(o); return !!t && !t.q && (t.t === 'id' || t.t === 'p') && t.v.toUpperCase() === word; }
  eat(word: string): boolean { if (this.is(word)) { this.i++; return true; } return false; }
  want(word: string): void { if (!this.eat(word)) throw bad(`expected ${word} near ${this.peek()?.v ?? 'end'}`); }
  next(): Tok { const t = this.toks[this.i++]; if (!t) throw bad('unexpected end'); return t; }
  ident(): string { const t = this.next(); if (t.t !== 'id' && t.t !== 'str') throw bad(`expected a name near ${t.v}`); return t.v; }
  /** skip a balanced (...) group, returning its raw token text */
  group(): string {
    this.want('(');
    let depth = 1;
    const parts: string[] = [];
    while (depth > 0) {
      const t = this.next();
      if (t.v === '(' && t.t === 'p') depth++;
      if (t.v === ')' && t.t === 'p') depth--;
      if (depth > 0) parts.push(t.t === 'str' ? `'${t.v}'` : t.q ? `\`${t.v}\`` : t.v);
    }
    return parts.join(' ');
  }
}

const INT_TYPES: Record<string, [number, number, number]> = {
  // name: [tp, signed display width, unsigned display width]
  TINYINT: [Tp.Tiny, 4, 3], BOOL: [Tp.Tiny, 1, 1], BOOLEAN: [Tp.Tiny, 1, 1], SMALLINT: [Tp.Short, 6, 5],
  MEDIUMINT: [Tp.Int24, 9, 8], INT: [Tp.Long, 11, 10], INTEGER: [Tp.Long, 11, 10], BIGINT: [Tp.Longlong, 20, 20],
};
const BLOBS: Record<string, [number, number]> = {
  TINYBLOB: [Tp.TinyBlob, 255], BLOB: [Tp.Blob, 65535], MEDIUMBLOB: [Tp.MediumBlob, 16777215], LONGBLOB: [Tp.LongBlob, 4294967295],
  TINYTEXT: [Tp.TinyBlob, 255], TEXT: [Tp.Blob, 65535], MEDIUMTEXT: [Tp.MediumBlob, 16777215], LONGTEXT: [Tp.LongBlob, 4294967295],
};
const DEFAULT_COLLATION: Record<string, string> = {
  utf8mb4: 'utf8mb4_bin', utf8: 'utf8_bin', utf8mb3: 'utf8_bin', latin1: 'latin1_bin', ascii: 'ascii_bin', binary: 'binary',
  gbk: 'gbk_chinese_ci',
};

export interface BuildOptions {
  /** table id (the real one comes from the cluster; offline default 1) */
  tableID?: number;
}

interface PendingIndex { name: string; primary: boolean; unique: boolean; cols: { name: string; length: number }[]; clustered?: boolean }

export function buildTableInfo(sql: string, opts: BuildOptions = {}): TableInfo {
  const p = new P(tokenize(sql));
  p.want('CREATE');
  p.eat('TEMPORARY');
  p.want('TABLE');
  if (p.eat('IF')) { p.want('NOT'); p.want('EXISTS'); }
  let name = p.ident();
  if (p.eat('.')) name = p.ident();
  p.want('(');
  const rawCols: { name: string; type: FieldType; dflt: string | null; dfltExpr: boolean; gen?: string; stored?: boolean; textType: boolean; explicitCs?: string; explicitColl?: string }[] = [];
  const idx: PendingIndex[] = [];
  for (;;) {
    if (p.is('PRIMARY') || p.is('UNIQUE') || p.is('KEY') || p.is('INDEX') || p.is('CONSTRAINT') || p.is('FULLTEXT') || p.is('SPATIAL') || p.is('FOREIGN') || p.is('CHECK')) {
      parseTableConstraint(p, idx);
    } else {
      rawCols.push(parseColumn(p, idx));
    }
    if (p.eat(',')) continue;
    p.want(')');
    break;
  }
  // table options
  let tcs = 'utf8mb4';
  let tcoll: string | undefined;
  let partition: PartitionInfo | null = null;
  const tableID = opts.tableID ?? 1;
  while (p.peek()) {
    if (p.eat('DEFAULT')) continue;
    if (p.is('CHARSET') || (p.is('CHARACTER') && p.is('SET', 1))) {
      if (!p.eat('CHARSET')) { p.next(); p.next(); }
      p.eat('=');
      tcs = p.ident().toLowerCase();
    } else if (p.eat('COLLATE')) { p.eat('='); tcoll = p.ident().toLowerCase(); }
    else if (p.eat('PARTITION')) { p.want('BY'); partition = parsePartition(p, tableID); }
    else if (p.eat(';')) break;
    else p.next();
  }
  tcoll ??= DEFAULT_COLLATION[tcs] ?? `${tcs}_bin`;

  const cols: ColumnInfo[] = rawCols.map((c, offset) => {
    const ft = c.type;
    if (c.textType) {
      let cs = c.explicitCs ?? (c.explicitColl ? c.explicitColl.split('_')[0]! : tcs);
      if (cs === 'utf8mb3') cs = 'utf8';
      const coll = c.explicitColl ?? (c.explicitCs ? DEFAULT_COLLATION[cs] ?? `${cs}_bin` : cs === tcs ? tcoll! : DEFAULT_COLLATION[cs] ?? `${cs}_bin`);
      ft.Charset = cs;
      ft.Collate = coll;
      if (cs === 'binary') ft.Flag |= Flag.Binary;
    }
    return {
      id: offset + 1, name: ci(c.name), offset, type: ft, default: c.dflt, origin_default: c.dflt, default_is_expr: c.dfltExpr,
      generated_expr_string: c.gen, generated_stored: c.stored, state: 5,
    };
  });
  const byName = (n: string): ColumnInfo => {
    const c = cols.find((x) => x.name.L === n.toLowerCase());
    if (!c) throw bad(`index column ${n} is not a column`);
    return c;
  };
  const pk = idx.find((i) => i.primary);
  let pkIsHandle = false;
  let common = false;
  if (pk) {
    for (const ic of pk.cols) { const c = byName(ic.name); c.type.Flag |= Flag.PriKey | Flag.NotNull; }
    const only = pk.cols.length === 1 ? byName(pk.cols[0]!.name) : undefined;
    const intTp = only && [Tp.Tiny, Tp.Short, Tp.Int24, Tp.Long, Tp.Longlong].includes(only.type.Tp as 1);
    if (intTp && pk.clustered !== false) pkIsHandle = true;
    else if (pk.clustered === true) common = true;
  }
  const index_info: IndexInfo[] = [];
  let nextID = 1;
  for (const i of idx) {
    if (i.primary && pkIsHandle) continue;
    for (const ic of i.cols) {
      const c = byName(ic.name);
      if (!i.primary) c.type.Flag |= i.unique && i.cols.length === 1 ? Flag.UniqueKey : Flag.MultipleKey;
    }
    index_info.push({
      id: nextID++, idx_name: ci(i.primary ? 'PRIMARY' : i.name), is_unique: i.unique || i.primary, is_primary: i.primary, state: 5,
      idx_cols: i.cols.map((ic) => ({ name: ci(byName(ic.name).name.O), offset: byName(ic.name).offset, length: ic.length })),
    });
  }
  return {
    id: tableID, name: ci(name), cols, index_info, pk_is_handle: pkIsHandle, is_common_handle: common,
    common_handle_version: common ? 1 : 0, partition, charset: tcs, collate: tcoll,
  };
}

function parseIndexCols(p: P): { name: string; length: number }[] {
  p.want('(');
  const cols: { name: string; length: number }[] = [];
  for (;;) {
    if (p.is('(')) throw bad('expression indexes are not supported');
    const name = p.ident();
    let length = -1;
    if (p.eat('(')) { length = Number(p.next().v); p.want(')'); }
    if (!p.eat('ASC')) p.eat('DESC');
    cols.push({ name, length });
    if (p.eat(',')) continue;
    p.want(')');
    return cols;
  }
}

function indexTail(p: P, ix: PendingIndex): void {
  while (p.peek() && !p.is(',') && !p.is(')')) {
    if (p.eat('CLUSTERED')) ix.clustered = true;
    else if (p.eat('NONCLUSTERED')) ix.clustered = false;
    else if (p.eat('COMMENT')) p.next();
    else p.next();
  }
}

function parseTableConstraint(p: P, idx: PendingIndex[]): void {
  if (p.eat('CONSTRAINT')) { if (!p.is('PRIMARY') && !p.is('UNIQUE') && !p.is('FOREIGN') && !p.is('CHECK')) p.ident(); }
  if (p.eat('PRIMARY')) {
    p.want('KEY');
    if (p.is('USING')) { p.next(); p.next(); }
    const ix: PendingIndex = { name: 'PRIMARY', primary: true, unique: true, cols: parseIndexCols(p) };
    indexTail(p, ix);
    idx.push(ix);
  } else if (p.eat('UNIQUE') || p.is('KEY') || p.is('INDEX')) {
    const unique = p.toks[p.i - 1]!.v.toUpperCase() === 'UNIQUE';
    if (!p.eat('KEY')) p.eat('INDEX');
    const name = p.is('(') ? '' : p.ident();
    const ix: PendingIndex = { name, primary: false, unique, cols: parseIndexCols(p) };
    ix.name ||= ix.cols[0]!.name;
    indexTail(p, ix);
    idx.push(ix);
  } else {
    // FULLTEXT/SPATIAL/FOREIGN KEY/CHECK: not encoded by TiDB's KV path; skip
    while (p.peek() && !p.is(',') && !p.is(')')) { if (p.is('(')) p.group(); else p.next(); }
  }
}

function parseColumn(p: P, idx: PendingIndex[]) {
  const name = p.ident();
  const tname = p.ident().toUpperCase();
  let args: string[] = [];
  let elems: string[] | null = null;
  if (p.is('(')) {
    if (tname === 'ENUM' || tname === 'SET') {
      p.want('(');
      elems = [];
      for (;;) { elems.push(p.next().v); if (p.eat(',')) continue; p.want(')'); break; }
    } else args = p.group().split(',').map((x) => x.trim());
  }
  let unsigned = false, zerofill = false;
  for (;;) { if (p.eat('UNSIGNED')) unsigned = true; else if (p.eat('ZEROFILL')) { zerofill = true; unsigned = true; } else if (p.eat('SIGNED')) { /* default */ } else break; }
  const ft: FieldType = { Tp: 0, Flag: 0, Flen: -1, Decimal: -1, Charset: 'binary', Collate: 'binary', Elems: elems };
  let textType = false;
  const n0 = args[0] !== undefined && args[0] !== '' ? Number(args[0]) : undefined;
  const n1 = args[1] !== undefined ? Number(args[1]) : undefined;
  const fspOf = (): number => n0 ?? 0;
  if (INT_TYPES[tname]) {
    const [tp, sw, uw] = INT_TYPES[tname];
    ft.Tp = tp; ft.Flen = n0 ?? (unsigned ? uw : sw); ft.Decimal = 0; ft.Flag |= Flag.Binary;
  } else if (tname === 'FLOAT' || tname === 'DOUBLE' || tname === 'REAL') {
    ft.Tp = tname === 'FLOAT' ? Tp.Float : Tp.Double;
    ft.Flen = n0 ?? (tname === 'FLOAT' ? 12 : 22); ft.Decimal = n1 ?? -1; ft.Flag |= Flag.Binary;
    if (p.is('PRECISION')) p.next();
  } else if (tname === 'DECIMAL' || tname === 'NUMERIC' || tname === 'DEC' || tname === 'FIXED') {
    ft.Tp = Tp.NewDecimal; ft.Flen = n0 ?? 10; ft.Decimal = n1 ?? 0; ft.Flag |= Flag.Binary;
  } else if (tname === 'DATE') { ft.Tp = Tp.Date; ft.Flen = 10; ft.Decimal = 0; ft.Flag |= Flag.Binary; }
  else if (tname === 'DATETIME' || tname === 'TIMESTAMP') {
    ft.Tp = tname === 'DATETIME' ? Tp.Datetime : Tp.Timestamp; ft.Decimal = fspOf(); ft.Flen = 19 + (ft.Decimal > 0 ? ft.Decimal + 1 : 0); ft.Flag |= Flag.Binary;
  } else if (tname === 'TIME') { ft.Tp = Tp.Duration; ft.Decimal = fspOf(); ft.Flen = 10 + (ft.Decimal > 0 ? ft.Decimal + 1 : 0); ft.Flag |= Flag.Binary; }
  else if (tname === 'YEAR') { ft.Tp = Tp.Year; ft.Flen = 4; ft.Decimal = 0; ft.Flag |= Flag.Binary | Flag.Unsigned | Flag.Zerofill; }
  else if (tname === 'BIT') { ft.Tp = Tp.Bit; ft.Flen = n0 ?? 1; ft.Decimal = 0; ft.Flag |= Flag.Binary | Flag.Unsigned; }
  else if (tname === 'JSON') { ft.Tp = Tp.JSON; ft.Flen = -1; ft.Decimal = 0; ft.Flag |= Flag.Binary; }
  else if (tname === 'CHAR' || tname === 'VARCHAR' || tname === 'NCHAR' || tname === 'NVARCHAR') {
    ft.Tp = tname.endsWith('VARCHAR') ? Tp.Varchar : Tp.String; ft.Flen = n0 ?? 1; ft.Decimal = 0; textType = true;
  } else if (tname === 'BINARY' || tname === 'VARBINARY') {
    ft.Tp = tname === 'BINARY' ? Tp.String : Tp.Varchar; ft.Flen = n0 ?? 1; ft.Decimal = 0; ft.Flag |= Flag.Binary;
  } else if (BLOBS[tname]) {
    const [tp, len] = BLOBS[tname];
    ft.Tp = tp; ft.Flen = n0 ?? len; ft.Decimal = 0; ft.Flag |= Flag.Blob;
    if (tname.endsWith('TEXT')) textType = true; else ft.Flag |= Flag.Binary;
  } else if (tname === 'ENUM' || tname === 'SET') {
    ft.Tp = tname === 'ENUM' ? Tp.Enum : Tp.Set; ft.Flag |= tname === 'ENUM' ? Flag.Enum : Flag.Set; ft.Decimal = 0; textType = true;
  } else throw bad(`column ${name}: type ${tname} is not supported`);
  if (unsigned) ft.Flag |= Flag.Unsigned;
  if (zerofill) ft.Flag |= Flag.Zerofill;

  let explicitCs: string | undefined, explicitColl: string | undefined;
  let dflt: string | null = null, dfltExpr = false, gen: string | undefined, stored: boolean | undefined;
  while (p.peek() && !p.is(',') && !p.is(')')) {
    if (p.is('CHARACTER') || p.is('CHARSET')) {
      if (!p.eat('CHARSET')) { p.next(); p.want('SET'); }
      explicitCs = p.ident().toLowerCase();
    } else if (p.eat('COLLATE')) explicitColl = p.ident().toLowerCase();
    else if (p.eat('BINARY')) { explicitColl = '__bin'; }
    else if (p.eat('NOT')) { p.want('NULL'); ft.Flag |= Flag.NotNull; }
    else if (p.eat('NULL')) { /* nullable */ }
    else if (p.eat('DEFAULT')) {
      const t = p.next();
      if (t.t === 'str' || t.t === 'num') dflt = t.v;
      else if (t.t === 'id' && t.v.toUpperCase() === 'NULL') dflt = null;
      else if (t.t === 'id' && /^[bx]$/i.test(t.v) && p.peek()?.t === 'str') { dflt = `${t.v.toLowerCase()}'${p.next().v}'`; }
      else if (t.t === 'p' && t.v === '(') { p.i--; dflt = p.group(); dfltExpr = true; }
      else { dflt = t.v; dfltExpr = true; if (p.is('(')) dflt += `(${p.group()})`; }
    } else if (p.eat('AUTO_INCREMENT')) ft.Flag |= Flag.AutoIncrement;
    else if (p.eat('AUTO_RANDOM')) { if (p.is('(')) p.group(); }
    else if (p.eat('PRIMARY')) { p.want('KEY'); const ix: PendingIndex = { name: 'PRIMARY', primary: true, unique: true, cols: [{ name, length: -1 }] }; indexTail2(p, ix); idx.push(ix); }
    else if (p.eat('UNIQUE')) { p.eat('KEY'); idx.push({ name, primary: false, unique: true, cols: [{ name, length: -1 }] }); }
    else if (p.eat('KEY')) { idx.push({ name, primary: false, unique: false, cols: [{ name, length: -1 }] }); }
    else if (p.eat('COMMENT')) p.next();
    else if (p.eat('ON')) { p.want('UPDATE'); p.next(); if (p.is('(')) p.group(); ft.Flag |= Flag.OnUpdateNow; }
    else if (p.eat('GENERATED')) { p.want('ALWAYS'); }
    else if (p.eat('AS')) { gen = p.group(); stored = false; }
    else if (p.eat('STORED')) stored = true;
    else if (p.eat('VIRTUAL')) stored = false;
    else if (p.eat('CLUSTERED') || p.eat('NONCLUSTERED')) {
      const last = idx[idx.length - 1];
      if (last?.primary) last.clustered = p.toks[p.i - 1]!.v.toUpperCase() === 'CLUSTERED';
    } else p.next();
  }
  if (explicitColl === '__bin') explicitColl = `${explicitCs ?? 'utf8mb4'}_bin`;
  if (ft.Tp === Tp.Timestamp && dflt === null && !dfltExpr) ft.Flag |= Flag.Timestamp;
  return { name, type: ft, dflt, dfltExpr, gen, stored, textType, explicitCs, explicitColl };
}

function indexTail2(p: P, ix: PendingIndex): void {
  if (p.eat('CLUSTERED')) ix.clustered = true;
  else if (p.eat('NONCLUSTERED')) ix.clustered = false;
}

function parsePartition(p: P, tableID: number): PartitionInfo {
  const kind = p.ident().toUpperCase();
  if (kind === 'LINEAR') throw bad('LINEAR partitioning is not supported');
  let type: number;
  if (kind === 'HASH') type = PartitionType.Hash;
  else if (kind === 'RANGE') type = PartitionType.Range;
  else if (kind === 'LIST') type = PartitionType.List;
  else if (kind === 'KEY') throw bad('PARTITION BY KEY is not supported');
  else throw bad(`partition type ${kind} is not supported`);
  if (p.eat('COLUMNS')) { /* same handling for a single column */ }
  const expr = p.group();
  let num = 0;
  if (p.eat('PARTITIONS')) num = Number(p.next().v);
  const definitions: PartitionInfo['definitions'] = [];
  if (p.is('(')) {
    p.want('(');
    for (;;) {
      p.want('PARTITION');
      const name = p.ident();
      const def: PartitionInfo['definitions'][number] = { id: tableID + definitions.length + 1, name: ci(name) };
      if (p.eat('VALUES')) {
        if (p.eat('LESS')) {
          p.want('THAN');
          if (p.eat('MAXVALUE')) def.less_than = ['MAXVALUE'];
          else def.less_than = p.group().split(',').map((x) => x.trim().replace(/^'(.*)'$/, '$1'));
        } else if (p.eat('IN')) {
          def.in_values = p.group().split(',').map((x) => [x.trim().replace(/^'(.*)'$/, '$1')]);
        }
      }
      while (!p.is(',') && !p.is(')')) { if (p.is('(')) p.group(); else p.next(); }
      definitions.push(def);
      if (p.eat(',')) continue;
      p.want(')');
      break;
    }
  } else {
    for (let i = 0; i < num; i++) definitions.push({ id: tableID + i + 1, name: ci(`p${i}`) });
  }
  return { type, expr, num: num || definitions.length, definitions };
}
