// Go table-filter syntax (`-f` / [mydumper] filter): one rule per entry, `schema.table`, wildcards `*` `?`
// `[a-z]` `[!a-z]`, `\` escapes, backtick or double-quote quoted names, `/regex/` names, `!` negation.
// Later rules win; a name no rule matches is filtered out. Case-insensitive unless case-sensitive.
import { ConfigError } from '../errors.js';

export const DEFAULT_FILTER = ['*.*', '!mysql.*', '!sys.*', '!INFORMATION_SCHEMA.*', '!PERFORMANCE_SCHEMA.*',
  '!METRICS_SCHEMA.*', '!INSPECTION_SCHEMA.*'];

interface Rule { positive: boolean; schema: RegExp; table: RegExp; tableIsAll: boolean; text: string }

export interface TableFilter {
  matchTable(schema: string, table: string): boolean;
  /** could any table of this schema match (used for `{db}-schema-create.sql`) */
  matchSchema(schema: string): boolean;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Parse one name pattern starting at i; stops at an unquoted `.` (schema part) or end. */
function parseName(text: string, i: number, stopAtDot: boolean, ci: boolean, key: string): { re: string; all: boolean; next: number } {
  let re = '';
  let all = true;
  let any = false;
  if (text[i] === '/') { // regex
    let j = i + 1;
    let body = '';
    for (; j < text.length && text[j] !== '/'; j++) {
      if (text[j] === '\\' && j + 1 < text.length) { body += text[j]! + text[j + 1]!; j++; } else body += text[j]!;
    }
    if (j >= text.length) throw new ConfigError(`table filter "${text}": unterminated regular expression`, { key });
    try { new RegExp(body); } catch (e) { throw new ConfigError(`table filter "${text}": invalid regular expression`, { key }, e); }
    return { re: `(?:${body})`, all: false, next: j + 1 };
  }
  let j = i;
  while (j < text.length) {
    const c = text[j]!;
    if (c === '.' && stopAtDot) break;
    any = true;
    if (c === '`' || c === '"') {
      let lit = '';
      let k = j + 1;
      for (;;) {
        const q = text.indexOf(c, k);
        if (q < 0) throw new ConfigError(`table filter "${text}": unterminated quoted name`, { key });
        lit += text.slice(k, q);
        if (text[q + 1] === c) { lit += c; k = q + 2; continue; }
        k = q + 1;
        break;
      }
      re += escapeRe(ci ? lit.toLowerCase() : lit);
      all = false;
      j = k;
    } else if (c === '*') { re += '.*'; j++; } else if (c === '?') { re += '.'; all = false; j++; } else if (c === '[') {
      const close = text.indexOf(']', j + 2);
      if (close < 0) throw new ConfigError(`table filter "${text}": unterminated character class`, { key });
      let cls = text.slice(j + 1, close);
      const neg = cls.startsWith('!') || cls.startsWith('^');
      if (neg) cls = cls.slice(1);
      re += `[${neg ? '^' : ''}${cls.replace(/[\\\]^]/g, '\\$&')}]`;
      all = false;
      j = close + 1;
    } else if (c === '\\' && j + 1 < text.length) {
      re += escapeRe(ci ? text[j + 1]!.toLowerCase() : text[j + 1]!); all = false; j += 2;
    } else if (/\s/.test(c)) {
      throw new ConfigError(`table filter "${text}": unexpected whitespace`, { key });
    } else {
      re += escapeRe(ci ? c.toLowerCase() : c); all = false; j++;
    }
  }
  if (!any) throw new ConfigError(`table filter "${text}": empty name`, { key });
  return { re, all, next: j };
}

/** `key` names the setting in errors (`mydumper.filter`, or the table-filter of ignore-data-columns). */
export function parseTableFilter(rules: readonly string[], caseSensitive = false, key = 'mydumper.filter'): TableFilter {
  const parsed: Rule[] = [];
  for (const raw of rules) {
    let text = raw.trim();
    if (!text || text.startsWith('#')) continue;
    const positive = !text.startsWith('!');
    if (!positive) text = text.slice(1);
    const flags = caseSensitive ? '' : 'i';
    const s = parseName(text, 0, true, !caseSensitive, key);
    if (text[s.next] !== '.') throw new ConfigError(`table filter "${raw}": expected "schema.table" (missing '.')`, { key });
    const t = parseName(text, s.next + 1, false, !caseSensitive, key);
    if (t.next !== text.length) throw new ConfigError(`table filter "${raw}": unexpected characters after the table name`, { key });
    parsed.push({ positive, schema: new RegExp(`^(?:${s.re})$`, flags + 's'), table: new RegExp(`^(?:${t.re})$`, flags + 's'), tableIsAll: t.all, text: raw });
  }
  return {
    matchTable(schema, table) {
      for (let i = parsed.length - 1; i >= 0; i--) {
        const r = parsed[i]!;
        if (r.schema.test(schema) && r.table.test(table)) return r.positive;
      }
      return false;
    },
    matchSchema(schema) {
      for (let i = parsed.length - 1; i >= 0; i--) {
        const r = parsed[i]!;
        if (!r.schema.test(schema)) continue;
        if (r.positive) return true;
        if (r.tableIsAll) return false;
      }
      return false;
    },
  };
}
