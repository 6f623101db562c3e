// Schema files as statements: split a dump's `-schema-create.sql` / `-schema.sql` / `-schema-view.sql` text at
// top-level `;` (quotes, backticks, comments and `/*! … */` version comments respected), and rewrite the head of
// CREATE DATABASE / CREATE TABLE to the routed target name with IF NOT EXISTS, as the Go tool does with the TiDB
// parser. Text is handled as latin1 (one char per byte) so the statement bytes reach the server unchanged.
import { quoteIdent } from '../backend/tidb/values.js';

/** Statements of a schema file (latin1 text), without the trailing `;`, empty ones dropped. */
export function splitStatements(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (c === "'" || c === '"' || c === '`') {
      i = skipQuoted(text, i, c);
    } else if (c === '/' && text[i + 1] === '*') {
      const e = text.indexOf('*/', i + 2);
      i = e < 0 ? n : e + 2;
    } else if ((c === '-' && text[i + 1] === '-' && (i + 2 >= n || /\s/.test(text[i + 2]!))) || c === '#') {
      const e = text.indexOf('\n', i);
      i = e < 0 ? n : e + 1;
    } else if (c === ';') {
      push(out, text.slice(start, i));
      start = ++i;
    } else {
      i++;
    }
  }
  push(out, text.slice(start));
  return out;
}

function push(out: string[], s: string): void {
  if (stripComments(s).trim() !== '') out.push(s.trim());
}

function skipQuoted(text: string, i: number, q: string): number {
  for (let j = i + 1; j < text.length; j++) {
    const c = text[j]!;
    if (c === '\\' && q !== '`') { j++; continue; }
    if (c === q) {
      if (text[j + 1] === q) { j++; continue; }
      return j + 1;
    }
  }
  return text.length;
}

/** Remove plain comments (keeps MySQL version comments such as `/*!40101 ...`, which the server executes). */
function stripComments(s: string): string {
  return s.replace(/\/\*(?!!)[\s\S]*?\*\//g, ' ').replace(/(^|\n)\s*(--\s|#)[^\n]*/g, '$1');
}

/** Skip whitespace and plain comments from i. */
function skipSpace(s: string, i: number): number {
  for (;;) {
    while (i < s.length && /\s/.test(s[i]!)) i++;
    if (s.startsWith('/*', i) && s[i + 2] !== '!') {
      const e = s.indexOf('*/', i + 2);
      i = e < 0 ? s.length : e + 2;
      continue;
    }
    if (s.startsWith('-- ', i) || s[i] === '#') {
      const e = s.indexOf('\n', i);
      i = e < 0 ? s.length : e + 1;
      continue;
    }
    return i;
  }
}

function word(s: string, i: number): [string, number] {
  const m = /^[A-Za-z_]+/.exec(s.slice(i, i + 32));
  return m ? [m[0].toUpperCase(), i + m[0].length] : ['', i];
}

/** An identifier (bare or backquoted) at i: [end, name]. */
function ident(s: string, i: number): [number, string] | undefined {
  if (s[i] === '`') {
    const e = skipQuoted(s, i, '`');
    return [e, s.slice(i + 1, e - 1).replace(/``/g, '`')];
  }
  const m = /^[A-Za-z0-9_$\u0080-\uffff]+/.exec(s.slice(i, i + 256));
  return m ? [i + m[0].length, m[0]] : undefined;
}

export type CreateKind = 'database' | 'table';

export interface CreateHead {
  kind: CreateKind;
  /** schema qualifier of a CREATE TABLE, if written */
  schema?: string;
  name: string;
  /** [start, end) of the name (with qualifier) in the statement */
  span: [number, number];
  ifNotExists: boolean;
}

/** The head of a CREATE DATABASE/SCHEMA/TABLE statement, or undefined for any other statement. */
export function parseCreateHead(stmt: string): CreateHead | undefined {
  let i = skipSpace(stmt, 0);
  let [w, j] = word(stmt, i);
  if (w !== 'CREATE') return undefined;
  i = skipSpace(stmt, j);
  [w, j] = word(stmt, i);
  let kind: CreateKind;
  if (w === 'DATABASE' || w === 'SCHEMA') kind = 'database';
  else if (w === 'TABLE') kind = 'table';
  else return undefined;
  i = skipSpace(stmt, j);
  let ifNotExists = false;
  const save = i;
  [w, j] = word(stmt, i);
  if (w === 'IF') {
    const [w2, j2] = word(stmt, skipSpace(stmt, j));
    const [w3, j3] = word(stmt, skipSpace(stmt, j2));
    if (w2 === 'NOT' && w3 === 'EXISTS') { ifNotExists = true; i = skipSpace(stmt, j3); } else i = save;
  }
  const first = ident(stmt, i);
  if (!first) return undefined;
  let [end, name] = first;
  let schema: string | undefined;
  if (kind === 'table' && stmt[end] === '.') {
    const second = ident(stmt, end + 1);
    if (second) { schema = name; [end, name] = second; }
  }
  return { kind, schema, name, span: [i, end], ifNotExists };
}

/**
 * Rewrite a CREATE statement to target names (routes) with IF NOT EXISTS. `target` is a display string;
 * the result is latin1 (identifiers encoded as UTF-8 bytes).
 */
export function rewriteCreate(stmt: string, head: CreateHead, target: { schema: string; table?: string }): string {
  const name = head.kind === 'database' ? quoteIdent(target.schema) : `${quoteIdent(target.schema)}.${quoteIdent(target.table ?? head.name)}`;
  const [s, e] = head.span;
  return stmt.slice(0, s) + (head.ifNotExists ? '' : 'IF NOT EXISTS ') + name + stmt.slice(e);
}

/** The items of a CREATE TABLE's column/index list, split at top-level commas, with their span. */
function tableItems(stmt: string): { open: number; close: number; items: Array<{ text: string; start: number; end: number }> } | undefined {
  const open = stmt.indexOf('(', parseCreateHead(stmt)?.span[1] ?? 0);
  if (open < 0) return undefined;
  const items: Array<{ text: string; start: number; end: number }> = [];
  let depth = 0;
  let start = open + 1;
  for (let i = open + 1; i < stmt.length; i++) {
    const c = stmt[i]!;
    if (c === "'" || c === '"' || c === '`') { i = skipQuoted(stmt, i, c) - 1; continue; }
    if (c === '(') depth++;
    else if (c === ')') {
      if (depth === 0) {
        items.push({ text: stmt.slice(start, i), start, end: i });
        return { open, close: i, items };
      }
      depth--;
    } else if (c === ',' && depth === 0) {
      items.push({ text: stmt.slice(start, i), start, end: i });
      start = i + 1;
    }
  }
  return undefined;
}

export interface DeferredIndexes {
  /** the CREATE TABLE without the deferred index definitions */
  stmt: string;
  /** `KEY `name` (...)` definitions, as written */
  indexes: Array<{ name: string; definition: string }>;
}

/**
 * Non-unique secondary indexes that can be added after the data (sort-based build: ~20% less server CPU for a
 * sysbench table on MariaDB). Kept in place: PRIMARY/UNIQUE (they decide duplicates), FULLTEXT/SPATIAL, the key
 * of an AUTO_INCREMENT column (required at CREATE time), and every index of a table with foreign keys.
 */
export function deferIndexes(stmt: string): DeferredIndexes {
  const t = tableItems(stmt);
  if (!t) return { stmt, indexes: [] };
  const items = t.items.map((x) => ({ ...x, trimmed: x.text.trim() }));
  if (items.some((x) => /^(CONSTRAINT\b.*\bFOREIGN\s+KEY|FOREIGN\s+KEY)\b/is.test(x.trimmed))) return { stmt, indexes: [] };
  const autoCols = new Set(items.filter((x) => /^[`"]?[^\s`"]+[`"]?\s/.test(x.trimmed) && /\bAUTO_INCREMENT\b/i.test(x.trimmed) &&
    !/^(KEY|INDEX|PRIMARY|UNIQUE|CONSTRAINT|FULLTEXT|SPATIAL|CHECK)\b/i.test(x.trimmed)).map((x) => firstIdent(x.trimmed)?.toLowerCase()));
  const keep: typeof items = [];
  const indexes: DeferredIndexes['indexes'] = [];
  for (const x of items) {
    const m = /^(?:KEY|INDEX)\s+(`(?:[^`]|``)+`|[A-Za-z0-9_$]+)\s*(?:USING\s+\w+\s*)?\(\s*(`(?:[^`]|``)+`|[A-Za-z0-9_$]+)/is.exec(x.trimmed);
    const name = m ? unquote(m[1]!) : undefined;
    if (!m || !name || autoCols.has(unquote(m[2]!).toLowerCase())) { keep.push(x); continue; }
    indexes.push({ name, definition: x.trimmed });
  }
  if (!indexes.length) return { stmt, indexes };
  return { stmt: stmt.slice(0, t.open + 1) + keep.map((x) => x.text).join(',') + stmt.slice(t.close), indexes };
}

function unquote(s: string): string {
  return s.startsWith('`') ? s.slice(1, -1).replace(/``/g, '`') : s;
}

function firstIdent(s: string): string | undefined {
  const r = ident(s, 0);
  return r?.[1];
}
