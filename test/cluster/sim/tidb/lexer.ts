// SQL tokens for the simulated TiDB front, and a cursor the statement parsers walk. TiDB executable comments
// (`/*T![...] ... */`, `/*!... */`) become code; other comments vanish.
export type TokType = 'id' | 'qid' | 'str' | 'num' | 'hex' | 'var' | 'sysvar' | 'op';
export interface Tok { t: TokType; v: string; pos: number; end: number }

export class SqlError extends Error {
  constructor(readonly errno: number, message: string, readonly sqlState = 'HY000') { super(message); }
}

export const syntaxError = (near: string) =>
  new SqlError(1064, `You have an error in your SQL syntax; check the manual that corresponds to your TiDB version for the right syntax to use near '${near}'`, '42000');

const HEX_QUOTED = /[xX]'([0-9a-fA-F]*)'/y;
const HEX_0X = /0x([0-9a-fA-F]+)/y;
const NUM = /(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?)/y;
const SYSVAR = /@@((global|session|local)\.)?([A-Za-z0-9_$]+)/iy;
const USERVAR = /@([A-Za-z0-9_$.]+)/y;
const IDENT = /[A-Za-z_$\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*/y;
const OPS = ['<=>', '<=', '>=', '<>', '!=', '||', '&&', ':=', '<<', '>>'];

export function tokenize(sql: string): Tok[] {
  const s = sql;
  const out: Tok[] = [];
  let i = 0;
  let inExec = 0; // open executable comments, whose text is code
  const push = (t: TokType, v: string, pos: number) => out.push({ t, v, pos, end: i });
  const quoted = (q: string): string => {
    let j = i + 1, v = '';
    for (;;) {
      if (j >= s.length) throw syntaxError(s.slice(i, i + 20));
      const d = s[j]!;
      if (d === '\\' && q !== '`') {
        const e = s[j + 1] ?? '';
        v += ({ n: '\n', t: '\t', r: '\r', '0': '\0', Z: '\x1a', b: '\b' } as Record<string, string>)[e] ?? e;
        j += 2;
      } else if (d === q) {
        if (s[j + 1] === q) { v += q; j += 2; } else { i = j + 1; return v; }
      } else { v += d; j++; }
    }
  };
  while (i < s.length) {
    const c = s[i]!;
    const pos = i;
    if (/\s/.test(c)) { i++; continue; }
    if (s.startsWith('/*', i)) {
      const exec = /^\/\*(T!\[[^\]]*\]|!\d*)/.exec(s.slice(i, i + 64));
      if (exec) { inExec++; i += exec[0].length; continue; }
      const e = s.indexOf('*/', i + 2);
      i = e < 0 ? s.length : e + 2;
      continue;
    }
    if (inExec > 0 && s.startsWith('*/', i)) { inExec--; i += 2; continue; }
    if (c === '#' || (s.startsWith('--', i) && /\s/.test(s[i + 2] ?? ' '))) {
      const e = s.indexOf('\n', i);
      i = e < 0 ? s.length : e + 1;
      continue;
    }
    if (c === '`') { const v = quoted('`'); push('qid', v, pos); continue; }
    if (c === "'" || c === '"') { const v = quoted(c); push('str', v, pos); continue; }
    const at = (re: RegExp) => { re.lastIndex = i; return re.exec(s); };
    let m: RegExpExecArray | null;
    if ((m = at(HEX_QUOTED)) || (m = at(HEX_0X))) { i += m[0].length; push('hex', m[1]!, pos); continue; }
    if ((m = at(NUM))) { i += m[0].length; push('num', m[0], pos); continue; }
    if ((m = at(SYSVAR))) {
      i += m[0].length;
      push('sysvar', `${(m[2] ?? 'session').toLowerCase().replace('local', 'session')}.${m[3]!.toLowerCase()}`, pos);
      continue;
    }
    if ((m = at(USERVAR))) { i += m[0].length; push('var', m[1]!.toLowerCase(), pos); continue; }
    if ((m = at(IDENT))) { i += m[0].length; push('id', m[0], pos); continue; }
    const op = OPS.find((o) => s.startsWith(o, i));
    i += op ? op.length : 1;
    push('op', op ?? c, pos);
  }
  return out;
}

export class Cursor {
  i = 0;
  constructor(readonly toks: Tok[], readonly sql: string) {}
  peek(o = 0): Tok | undefined { return this.toks[this.i + o]; }
  done(): boolean { return this.i >= this.toks.length || (this.toks[this.i]!.v === ';' && this.i === this.toks.length - 1); }
  /** the next token is the (unquoted, case-insensitive) keyword or operator */
  is(word: string, o = 0): boolean {
    const t = this.peek(o);
    return !!t && (t.t === 'id' || t.t === 'op') && t.v.toUpperCase() === word;
  }
  eat(...words: string[]): boolean {
    for (let k = 0; k < words.length; k++) if (!this.is(words[k]!, k)) return false;
    this.i += words.length;
    return true;
  }
  want(...words: string[]): void { if (!this.eat(...words)) throw this.error(); }
  next(): Tok { const t = this.toks[this.i++]; if (!t) throw syntaxError(''); return t; }
  error(): SqlError { const t = this.peek(); return syntaxError(t ? this.sql.slice(t.pos, t.pos + 40) : ''); }
  /** an identifier (quoted or not) */
  ident(): string {
    const t = this.next();
    if (t.t !== 'id' && t.t !== 'qid' && t.t !== 'str') { this.i--; throw this.error(); }
    return t.v;
  }
  /** `name` or `db`.`name` */
  qualified(): { db?: string; name: string } {
    const a = this.ident();
    if (this.eat('.')) return { db: a, name: this.ident() };
    return { name: a };
  }
  /** the raw text from token i to the end */
  restFrom(i: number): string { const t = this.toks[i]; return t ? this.sql.slice(t.pos) : ''; }
  end(): void { this.eat(';'); if (this.i < this.toks.length) throw this.error(); }
}
