// Expressions of the SQL the TiDB front answers: a Pratt parser with MySQL's operator precedence, and an
// evaluator over simple values (NULL, integers as bigint, doubles, strings, bytes). Comparison follows MySQL's
// coarse rules: numbers compare numerically (a string against a number is converted), strings byte-wise
// (utf8mb4_bin, TiDB's default); LIKE is case-insensitive as on the general_ci names SHOW ... LIKE matches.
import { Cursor, SqlError } from './lexer.js';

export type Val = null | bigint | number | string | Buffer;

export type Expr =
  | { k: 'lit'; v: Val }
  | { k: 'col'; table?: string; name: string }
  | { k: 'star'; table?: string }
  | { k: 'sysvar'; name: string }
  | { k: 'var'; name: string }
  | { k: 'fn'; name: string; args: Expr[]; star?: boolean; distinct?: boolean }
  | { k: 'un'; op: string; e: Expr }
  | { k: 'bin'; op: string; l: Expr; r: Expr }
  | { k: 'in'; e: Expr; list: Expr[]; not: boolean }
  | { k: 'between'; e: Expr; lo: Expr; hi: Expr; not: boolean }
  | { k: 'like'; e: Expr; pat: Expr; not: boolean }
  | { k: 'is'; e: Expr; what: 'NULL' | 'TRUE' | 'FALSE'; not: boolean };

const BIN_PREC: Record<string, number> = {
  OR: 1, '||': 1, XOR: 2, AND: 3, '&&': 3,
  '=': 6, '<=>': 6, '>=': 6, '>': 6, '<=': 6, '<': 6, '<>': 6, '!=': 6,
  '|': 7, '&': 8, '<<': 9, '>>': 9, '+': 10, '-': 10, '*': 11, '/': 11, DIV: 11, '%': 11, MOD: 11, '^': 12,
};
const CMP_PREC = 6;
export const AGGREGATES = new Set(['COUNT', 'SUM', 'MIN', 'MAX', 'AVG']);
/** functions callable without parentheses */
const NILADIC = new Set(['CURRENT_TIMESTAMP', 'CURRENT_USER', 'CURRENT_DATE', 'LOCALTIME', 'LOCALTIMESTAMP', 'UTC_TIMESTAMP']);

function prefix(c: Cursor): Expr {
  const t = c.next();
  if (t.t === 'num') return { k: 'lit', v: /^\d+$/.test(t.v) ? BigInt(t.v) : Number(t.v) };
  if (t.t === 'str') {
    // adjacent string literals concatenate
    let v = t.v;
    while (c.peek()?.t === 'str') v += c.next().v;
    return { k: 'lit', v };
  }
  if (t.t === 'hex') return { k: 'lit', v: Buffer.from(t.v.length % 2 ? `0${t.v}` : t.v, 'hex') };
  if (t.t === 'sysvar') return { k: 'sysvar', name: t.v };
  if (t.t === 'var') return { k: 'var', name: t.v };
  if (t.t === 'op') {
    if (t.v === '(') { const e = parseExpr(c); c.want(')'); return e; }
    if (t.v === '-' || t.v === '+' || t.v === '~') return { k: 'un', op: t.v, e: parseExpr(c, 13) };
    if (t.v === '!') return { k: 'un', op: 'NOT', e: parseExpr(c, 13) };
    if (t.v === '*') return { k: 'star' };
    c.i--;
    throw c.error();
  }
  const word = t.v.toUpperCase();
  if (t.t === 'id') {
    if (word === 'NULL') return { k: 'lit', v: null };
    if (word === 'TRUE') return { k: 'lit', v: 1n };
    if (word === 'FALSE') return { k: 'lit', v: 0n };
    if (word === 'NOT') return { k: 'un', op: 'NOT', e: parseExpr(c, 4) };
    if (word === 'BINARY') return parseExpr(c, 13);
  }
  if (c.is('(')) {
    c.next();
    const fn: Expr & { k: 'fn' } = { k: 'fn', name: word, args: [] };
    if (c.eat(')')) return fn;
    if (c.eat('*')) { fn.star = true; c.want(')'); return fn; }
    if (c.eat('DISTINCT')) fn.distinct = true;
    do fn.args.push(parseExpr(c)); while (c.eat(','));
    c.want(')');
    return fn;
  }
  if (t.t === 'id' && NILADIC.has(word)) return { k: 'fn', name: word, args: [] };
  if (c.eat('.')) {
    if (c.eat('*')) return { k: 'star', table: t.v };
    return { k: 'col', table: t.v, name: c.ident() };
  }
  return { k: 'col', name: t.v };
}

/** Parses an expression whose operators bind at least as tightly as `min`. */
export function parseExpr(c: Cursor, min = 0): Expr {
  let left = prefix(c);
  for (;;) {
    const t = c.peek();
    if (!t || (t.t !== 'op' && t.t !== 'id')) return left;
    const word = t.v.toUpperCase();
    const not = word === 'NOT' && ['IN', 'LIKE', 'BETWEEN'].some((w) => c.is(w, 1));
    const op = not ? c.peek(1)!.v.toUpperCase() : word;
    if (op === 'IS' && CMP_PREC >= min) {
      c.next();
      const neg = c.eat('NOT');
      const what = c.next().v.toUpperCase();
      if (what !== 'NULL' && what !== 'TRUE' && what !== 'FALSE') { c.i--; throw c.error(); }
      left = { k: 'is', e: left, what, not: neg };
      continue;
    }
    if ((op === 'IN' || op === 'LIKE') && CMP_PREC >= min) {
      c.i += not ? 2 : 1;
      if (op === 'LIKE') { left = { k: 'like', e: left, pat: parseExpr(c, CMP_PREC + 1), not }; continue; }
      c.want('(');
      const list: Expr[] = [];
      do list.push(parseExpr(c)); while (c.eat(','));
      c.want(')');
      left = { k: 'in', e: left, list, not };
      continue;
    }
    if (op === 'BETWEEN' && 5 >= min) {
      c.i += not ? 2 : 1;
      const lo = parseExpr(c, CMP_PREC);
      c.want('AND');
      left = { k: 'between', e: left, lo, hi: parseExpr(c, CMP_PREC), not };
      continue;
    }
    const prec = BIN_PREC[op];
    if (prec === undefined || prec < min || (t.t === 'id' && !/^(OR|XOR|AND|DIV|MOD)$/.test(op))) return left;
    c.next();
    left = { k: 'bin', op, l: left, r: parseExpr(c, prec + 1) };
  }
}

// ---- evaluation ----

export interface EvalEnv {
  column(name: string, table?: string): Val;
  sysvar(name: string): Val;
  userVar(name: string): Val;
  call(name: string, args: Val[]): Val;
  /** values of aggregate nodes, once computed */
  aggregates?: Map<Expr, Val>;
}

export const isNum = (v: Val): v is bigint | number => typeof v === 'bigint' || typeof v === 'number';

export function toNumber(v: Val): number {
  if (v === null) return 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  const m = /^\s*[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+)/.exec(typeof v === 'string' ? v : v.toString('latin1'));
  return m ? Number(m[0]) : 0;
}

export function toText(v: Val): string | null {
  if (v === null) return null;
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  return String(v);
}

/** -1/0/1, or null when either side is NULL */
export function compare(a: Val, b: Val): number | null {
  if (a === null || b === null) return null;
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  if (isNum(a) || isNum(b)) { const x = toNumber(a), y = toNumber(b); return x < y ? -1 : x > y ? 1 : 0; }
  const x = Buffer.isBuffer(a) ? a : Buffer.from(a), y = Buffer.isBuffer(b) ? b : Buffer.from(b);
  return Buffer.compare(x, y);
}

export function truth(v: Val): boolean | null {
  if (v === null) return null;
  if (typeof v === 'bigint') return v !== 0n;
  return toNumber(v) !== 0;
}

const bool = (b: boolean | null): Val => (b === null ? null : b ? 1n : 0n);

function likeRegex(pat: string): RegExp {
  let re = '';
  for (let i = 0; i < pat.length; i++) {
    const ch = pat[i]!;
    if (ch === '\\' && i + 1 < pat.length) re += pat[++i]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    else if (ch === '%') re += '[\\s\\S]*';
    else if (ch === '_') re += '[\\s\\S]';
    else re += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 'i');
}

function arith(op: string, a: Val, b: Val): Val {
  if (a === null || b === null) return null;
  if (typeof a === 'bigint' && typeof b === 'bigint' && op !== '/') {
    switch (op) {
      case '+': return a + b;
      case '-': return a - b;
      case '*': return a * b;
      case 'DIV': return b === 0n ? null : a / b;
      case '%': case 'MOD': return b === 0n ? null : a % b;
      case '|': return a | b;
      case '&': return a & b;
      case '^': return a ^ b;
      case '<<': return a << b;
      case '>>': return a >> b;
    }
  }
  const x = toNumber(a), y = toNumber(b);
  switch (op) {
    case '+': return x + y;
    case '-': return x - y;
    case '*': return x * y;
    case '/': return y === 0 ? null : x / y;
    case 'DIV': return y === 0 ? null : BigInt(Math.trunc(x / y));
    case '%': case 'MOD': return y === 0 ? null : x % y;
    default: return arith(op, BigInt(Math.trunc(x)), BigInt(Math.trunc(y)));
  }
}

export function evaluate(e: Expr, env: EvalEnv): Val {
  const agg = env.aggregates?.get(e);
  if (agg !== undefined) return agg;
  switch (e.k) {
    case 'lit': return e.v;
    case 'col': return env.column(e.name, e.table);
    case 'star': throw new SqlError(1064, 'unexpected *');
    case 'sysvar': return env.sysvar(e.name);
    case 'var': return env.userVar(e.name);
    case 'fn':
      if (AGGREGATES.has(e.name)) throw new SqlError(1111, 'Invalid use of group function');
      return env.call(e.name, e.args.map((a) => evaluate(a, env)));
    case 'un': {
      const v = evaluate(e.e, env);
      if (e.op === 'NOT') { const t = truth(v); return bool(t === null ? null : !t); }
      if (v === null) return null;
      if (e.op === '-') return typeof v === 'bigint' ? -v : -toNumber(v);
      if (e.op === '~') return ~BigInt.asUintN(64, typeof v === 'bigint' ? v : BigInt(Math.trunc(toNumber(v)))) & ((1n << 64n) - 1n);
      return v;
    }
    case 'bin': {
      if (e.op === 'AND' || e.op === '&&') {
        const l = truth(evaluate(e.l, env));
        if (l === false) return 0n;
        const r = truth(evaluate(e.r, env));
        return r === false ? 0n : l === null || r === null ? null : 1n;
      }
      if (e.op === 'OR' || e.op === '||') {
        const l = truth(evaluate(e.l, env));
        if (l === true) return 1n;
        const r = truth(evaluate(e.r, env));
        return r === true ? 1n : l === null || r === null ? null : 0n;
      }
      const l = evaluate(e.l, env), r = evaluate(e.r, env);
      if (e.op === 'XOR') { const a = truth(l), b = truth(r); return a === null || b === null ? null : bool(a !== b); }
      if (e.op === '<=>') return bool(l === null || r === null ? l === r : compare(l, r) === 0);
      const c = CMP_OPS[e.op];
      if (c) { const d = compare(l, r); return d === null ? null : bool(c(d)); }
      return arith(e.op, l, r);
    }
    case 'in': {
      const v = evaluate(e.e, env);
      if (v === null) return null;
      let sawNull = false;
      for (const x of e.list) {
        const d = compare(v, evaluate(x, env));
        if (d === 0) return bool(!e.not);
        if (d === null) sawNull = true;
      }
      return sawNull ? null : bool(e.not);
    }
    case 'between': {
      const v = evaluate(e.e, env);
      const a = compare(v, evaluate(e.lo, env)), b = compare(v, evaluate(e.hi, env));
      if (a === null || b === null) return null;
      return bool((a >= 0 && b <= 0) !== e.not);
    }
    case 'like': {
      const v = toText(evaluate(e.e, env)), p = toText(evaluate(e.pat, env));
      if (v === null || p === null) return null;
      return bool(likeRegex(p).test(v) !== e.not);
    }
    case 'is': {
      const v = evaluate(e.e, env);
      const r = e.what === 'NULL' ? v === null : e.what === 'TRUE' ? truth(v) === true : truth(v) === false;
      return bool(r !== e.not);
    }
  }
}

const CMP_OPS: Record<string, (d: number) => boolean> = {
  '=': (d) => d === 0, '<>': (d) => d !== 0, '!=': (d) => d !== 0, '<': (d) => d < 0, '<=': (d) => d <= 0, '>': (d) => d > 0, '>=': (d) => d >= 0,
};

/** every aggregate call inside `e` (not looking inside aggregates) */
export function aggregatesIn(e: Expr, out: (Expr & { k: 'fn' })[] = []): (Expr & { k: 'fn' })[] {
  switch (e.k) {
    case 'fn': if (AGGREGATES.has(e.name)) out.push(e); else e.args.forEach((a) => aggregatesIn(a, out)); break;
    case 'un': aggregatesIn(e.e, out); break;
    case 'bin': aggregatesIn(e.l, out); aggregatesIn(e.r, out); break;
    case 'in': aggregatesIn(e.e, out); e.list.forEach((x) => aggregatesIn(x, out)); break;
    case 'between': [e.e, e.lo, e.hi].forEach((x) => aggregatesIn(x, out)); break;
    case 'like': aggregatesIn(e.e, out); aggregatesIn(e.pat, out); break;
    case 'is': aggregatesIn(e.e, out); break;
    default:
  }
  return out;
}
