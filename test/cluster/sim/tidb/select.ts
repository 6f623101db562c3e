// SELECT for the TiDB front: one table (or none), WHERE, aggregates without GROUP BY, ORDER BY, LIMIT; rows come
// from a Source (information_schema / mysql.tidb in memory, user tables decoded from KV lazily, so `SELECT 1 …
// LIMIT 1` and `COUNT(*)` never decode a row).
import { Cursor, SqlError } from './lexer.js';
import { aggregatesIn, compare, evaluate, parseExpr, toNumber, truth, type EvalEnv, type Expr, type Val } from './expr.js';

export const MysqlType = { Decimal: 0, Tiny: 1, Short: 2, Long: 3, Float: 4, Double: 5, Null: 6, Timestamp: 7, Longlong: 8, VarString: 253, Blob: 252 } as const;

export interface ColumnMeta {
  name: string; type: number; charset: number; flags: number; length: number; decimals: number;
  table?: string; db?: string; orgName?: string;
}

/** one row; values are produced on demand */
export type Row = (index: number) => Val;

export interface Source {
  columns: ColumnMeta[];
  rows(): Iterable<Row>;
}

export interface SelectItem { e: Expr; alias?: string; text: string }
export interface SelectStmt {
  distinct: boolean;
  items: SelectItem[];
  from?: { db?: string; name: string; alias?: string };
  where?: Expr;
  orderBy: { e: Expr; desc: boolean }[];
  limit?: number;
  offset: number;
}

const CLAUSE_END = new Set(['FROM', 'WHERE', 'ORDER', 'LIMIT', 'GROUP', 'HAVING', 'FOR', 'LOCK', 'UNION', 'INTO']);

export function parseSelect(c: Cursor): SelectStmt {
  c.want('SELECT');
  const s: SelectStmt = { distinct: false, items: [], orderBy: [], offset: 0 };
  while (c.eat('SQL_NO_CACHE') || c.eat('SQL_CACHE') || c.eat('STRAIGHT_JOIN') || c.eat('HIGH_PRIORITY')) { /* hints */ }
  if (c.eat('DISTINCT')) s.distinct = true; else c.eat('ALL');
  do {
    const start = c.i;
    const e = parseExpr(c);
    const text = c.sql.slice(c.toks[start]!.pos, c.toks[c.i - 1]!.end);
    let alias: string | undefined;
    if (c.eat('AS')) alias = c.ident();
    else { const t = c.peek(); if (t && (t.t === 'qid' || t.t === 'str' || (t.t === 'id' && !CLAUSE_END.has(t.v.toUpperCase())))) alias = c.ident(); }
    s.items.push({ e, alias, text: e.k === 'col' ? e.name : text });
  } while (c.eat(','));
  if (c.eat('FROM')) {
    const q = c.qualified();
    s.from = { ...q };
    if (c.eat('AS')) s.from.alias = c.ident();
    else if (c.peek()?.t === 'id' && !CLAUSE_END.has(c.peek()!.v.toUpperCase()) && !/^(USE|FORCE|IGNORE)$/i.test(c.peek()!.v)) s.from.alias = c.ident();
    // index hints change nothing here
    while (c.is('USE') || c.is('FORCE') || c.is('IGNORE')) {
      c.next();
      if (!c.eat('INDEX')) c.want('KEY');
      c.want('(');
      while (!c.eat(')')) c.next();
    }
  }
  if (c.eat('WHERE')) s.where = parseExpr(c);
  if (c.eat('GROUP')) throw new SqlError(1235, 'the TiDB simulator does not support GROUP BY');
  if (c.eat('ORDER', 'BY')) {
    do {
      const e = parseExpr(c);
      const desc = c.eat('DESC');
      if (!desc) c.eat('ASC');
      s.orderBy.push({ e, desc });
    } while (c.eat(','));
  }
  if (c.eat('LIMIT')) {
    const a = Number(c.next().v);
    if (c.eat(',')) { s.offset = a; s.limit = Number(c.next().v); } else {
      s.limit = a;
      if (c.eat('OFFSET')) s.offset = Number(c.next().v);
    }
  }
  if (c.eat('FOR', 'UPDATE')) { /* locking read: nothing to lock */ } else c.eat('LOCK', 'IN', 'SHARE', 'MODE');
  c.end();
  return s;
}

export interface ResultSet { columns: ColumnMeta[]; rows: Val[][] }

export type BaseEnv = Omit<EvalEnv, 'column' | 'aggregates'>;

function inferMeta(name: string, v: Val): ColumnMeta {
  if (typeof v === 'bigint') return { name, type: MysqlType.Longlong, charset: 63, flags: 128, length: 21, decimals: 0 };
  if (typeof v === 'number') return { name, type: MysqlType.Double, charset: 63, flags: 128, length: 22, decimals: 31 };
  return { name, type: MysqlType.VarString, charset: 46, flags: 0, length: 1024, decimals: 0 };
}

/** column references in `e` */
function colRefs(e: Expr, out: (Expr & { k: 'col' })[] = []): (Expr & { k: 'col' })[] {
  switch (e.k) {
    case 'col': out.push(e); break;
    case 'fn': e.args.forEach((a) => colRefs(a, out)); break;
    case 'un': case 'is': colRefs(e.e, out); break;
    case 'bin': colRefs(e.l, out); colRefs(e.r, out); break;
    case 'in': colRefs(e.e, out); e.list.forEach((x) => colRefs(x, out)); break;
    case 'between': [e.e, e.lo, e.hi].forEach((x) => colRefs(x, out)); break;
    case 'like': colRefs(e.e, out); colRefs(e.pat, out); break;
    default:
  }
  return out;
}

function aggregate(fn: Expr & { k: 'fn' }, vals: Val[], rowCount: number): Val {
  if (fn.name === 'COUNT') return BigInt(fn.star ? rowCount : vals.filter((v) => v !== null).length);
  const xs = vals.filter((v) => v !== null);
  if (xs.length === 0) return null;
  if (fn.name === 'MIN' || fn.name === 'MAX') return xs.reduce((a, b) => ((compare(a, b)! < 0) === (fn.name === 'MIN') ? a : b));
  if (fn.name === 'SUM') return xs.every((x) => typeof x === 'bigint') ? xs.reduce((a, b) => (a as bigint) + (b as bigint), 0n) : xs.reduce((a: number, b) => a + toNumber(b), 0);
  return xs.reduce((a: number, b) => a + toNumber(b), 0) / xs.length;
}

/** Runs a parsed SELECT over `source` (undefined: no FROM). */
export function runSelect(s: SelectStmt, source: Source | undefined, base: BaseEnv): ResultSet {
  const cols = source?.columns ?? [];
  const qualifier = (s.from?.alias ?? s.from?.name ?? '').toLowerCase();
  const index = new Map(cols.map((c, i) => [c.name.toLowerCase(), i]));
  const envFor = (row: Row | undefined, aliases?: Map<string, Val>): EvalEnv => ({
    ...base,
    column: (name, table) => {
      const a = aliases?.get(name.toLowerCase());
      if (a !== undefined && !table) return a;
      const i = index.get(name.toLowerCase());
      if (i === undefined || !row || (table && table.toLowerCase() !== qualifier)) {
        throw new SqlError(1054, `Unknown column '${table ? `${table}.` : ''}${name}' in 'field list'`, '42S22');
      }
      return row(i);
    },
  });
  // expand * into the source's columns
  const items: SelectItem[] = s.items.flatMap((it) => (it.e.k === 'star'
    ? cols.map((c) => ({ e: { k: 'col', name: c.name } as Expr, text: c.name }))
    : [it]));
  const aggs = items.flatMap((it) => aggregatesIn(it.e));
  // like TiDB's planner: an unknown column fails the statement even when no row is read
  const aliases = new Set(items.map((it) => (it.alias ?? '').toLowerCase()));
  const known = (r: Expr & { k: 'col' }, aliasOk: boolean) => (aliasOk && !r.table && aliases.has(r.name.toLowerCase())) ||
    (index.has(r.name.toLowerCase()) && (!r.table || r.table.toLowerCase() === qualifier));
  for (const [e, aliasOk] of [...items.map((it) => [it.e, false] as const), [s.where, false] as const, ...s.orderBy.map((o) => [o.e, true] as const)]) {
    const bad = e && colRefs(e).find((r) => !known(r, aliasOk));
    if (bad) throw new SqlError(1054, `Unknown column '${bad.table ? `${bad.table}.` : ''}${bad.name}' in '${e === s.where ? 'where clause' : 'field list'}'`, '42S22');
  }
  const metaOf = (it: SelectItem, v: Val): ColumnMeta => {
    const name = it.alias ?? it.text;
    // a column, or MIN/MAX of one, keeps the column's type
    const ref = it.e.k === 'col' ? it.e : it.e.k === 'fn' && (it.e.name === 'MIN' || it.e.name === 'MAX') && it.e.args[0]?.k === 'col' ? it.e.args[0] : undefined;
    if (ref?.k === 'col') { const i = index.get(ref.name.toLowerCase()); if (i !== undefined) return { ...cols[i]!, name, orgName: cols[i]!.name }; }
    return inferMeta(name, v);
  };

  const matching = function* (): Generator<Row> {
    for (const row of source ? source.rows() : [() => null]) {
      if (s.where && truth(evaluate(s.where, envFor(row))) !== true) continue;
      yield row;
    }
  };

  if (aggs.length > 0) {
    const vals = aggs.map(() => [] as Val[]);
    let n = 0;
    for (const row of matching()) {
      n++;
      aggs.forEach((a, i) => { if (!a.star) vals[i]!.push(a.args[0] ? evaluate(a.args[0], envFor(row)) : null); });
    }
    const map = new Map<Expr, Val>(aggs.map((a, i) => [a, aggregate(a, vals[i]!, n)]));
    const out = items.map((it) => evaluate(it.e, { ...envFor(undefined), aggregates: map }));
    return { columns: items.map((it, i) => metaOf(it, out[i]!)), rows: [out] };
  }

  const rows: { out: Val[]; keys: Val[] }[] = [];
  const stopAt = s.orderBy.length === 0 && s.limit !== undefined ? s.offset + s.limit : Infinity;
  const seen = new Set<string>();
  for (const row of matching()) {
    if (rows.length >= stopAt) break;
    const out = items.map((it) => evaluate(it.e, envFor(row)));
    if (s.distinct) { const k = JSON.stringify(out.map((v) => (Buffer.isBuffer(v) ? v.toString('hex') : String(v)))); if (seen.has(k)) continue; seen.add(k); }
    const aliases = new Map(items.map((it, i) => [(it.alias ?? it.text).toLowerCase(), out[i]!]));
    rows.push({ out, keys: s.orderBy.map((o) => evaluate(o.e, envFor(row, aliases))) });
  }
  if (s.orderBy.length > 0) {
    rows.sort((a, b) => {
      for (let i = 0; i < s.orderBy.length; i++) {
        const x = a.keys[i]!, y = b.keys[i]!;
        const d = x === null ? (y === null ? 0 : -1) : y === null ? 1 : compare(x, y)!;
        if (d !== 0) return s.orderBy[i]!.desc ? -d : d;
      }
      return 0;
    });
  }
  const picked = rows.slice(s.offset, s.limit === undefined ? undefined : s.offset + s.limit).map((r) => r.out);
  return { columns: items.map((it, i) => metaOf(it, picked[0]?.[i] ?? null)), rows: picked };
}
