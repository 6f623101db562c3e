// TOML table → config data, driven by SCHEMA: type checks with Go's conversions (sizes, durations, bool-or-
// string levels, int-or-table max-error), unknown keys rejected, and the set of keys the file wrote.
import { Codes } from '../errors.js';
import { SCHEMA, sectionDefaults, type Kind, type Section } from './schema.js';
import { configError, type Source } from './site.js';
import { parseByteSize, parseDuration } from './units.js';

export interface Decoded {
  data: Record<string, unknown>;
  /** TOML keys the file set, dotted (`tidb.port`, `mydumper.files`) */
  present: Set<string>;
}

function typeName(v: unknown): string {
  if (typeof v === 'bigint') return 'integer';
  if (typeof v === 'number') return 'float';
  if (Array.isArray(v)) return 'array';
  if (v !== null && typeof v === 'object') return v.constructor?.name === 'TomlDate' ? 'datetime' : 'table';
  return typeof v;
}

function isTable(v: unknown): v is Record<string, unknown> {
  return typeName(v) === 'table';
}

function toInt(v: bigint): number {
  const n = Number(v);
  return Math.max(Math.min(n, Number.MAX_SAFE_INTEGER), Number.MIN_SAFE_INTEGER);
}

const DUP_ALGO: Record<string, string> = { '': '', none: '', replace: 'replace', ignore: 'ignore', error: 'error', remove: 'replace', record: 'replace' };
const POST_OP: Record<string, string> = { off: 'off', false: 'off', required: 'required', true: 'required', optional: 'optional' };
const KEEP: Record<string, string> = { remove: 'remove', false: 'remove', rename: 'rename', true: 'rename', origin: 'origin' };

class Decoder {
  readonly present = new Set<string>();
  readonly unknown: string[] = [];
  constructor(private readonly src: Source) {}

  bad(key: string, msg: string): never {
    throw configError(this.src, msg, key);
  }

  expect(key: string, what: string, v: unknown): never {
    this.bad(key, `invalid value for \`${key}\`: expected ${what}, got ${typeName(v)}${typeof v === 'string' ? ` "${v}"` : ''}`);
  }

  section(section: Section, input: Record<string, unknown>, prefix: string, into: Record<string, unknown>): void {
    for (const [k, v] of Object.entries(input)) {
      const key = prefix ? `${prefix}.${k}` : k;
      const field = section[k];
      if (!field || !Object.hasOwn(section, k)) {
        this.unknown.push(key);
        continue;
      }
      this.present.add(key);
      into[field.prop] = this.value(field.kind, v, key, into[field.prop]);
    }
  }

  value(kind: Kind, v: unknown, key: string, current: unknown): unknown {
    if (typeof kind === 'object') {
      if ('enum' in kind) {
        if (typeof v !== 'string') this.expect(key, 'a string', v);
        const s = v.toLowerCase();
        if (!kind.enum.includes(s)) this.bad(key, `invalid \`${key}\` '${v}', please choose valid option between [${kind.enum.map((e) => `'${e}'`).join(', ')}]`);
        return s;
      }
      if ('table' in kind) {
        if (!isTable(v)) this.expect(key, 'a table', v);
        const into = isTable(current) ? current : sectionDefaults(kind.table);
        this.section(kind.table, v, key, into);
        return into;
      }
      if (!Array.isArray(v)) this.expect(key, 'an array of tables', v);
      return v.map((item, i) => {
        if (!isTable(item)) this.expect(`${key}[${i}]`, 'a table', item);
        const into = sectionDefaults(kind.array);
        this.section(kind.array, item, `${key}[${i}]`, into);
        return into;
      });
    }
    switch (kind) {
      case 'string':
        if (typeof v !== 'string') this.expect(key, 'a string', v);
        return v;
      case 'int':
        if (typeof v !== 'bigint') this.expect(key, 'an integer', v);
        return toInt(v);
      case 'float':
        if (typeof v === 'bigint') return Number(v);
        if (typeof v !== 'number') this.expect(key, 'a number', v);
        return v;
      case 'bool':
        if (typeof v !== 'boolean') this.expect(key, 'a boolean', v);
        return v;
      case 'size': {
        if (typeof v === 'bigint') return toInt(v);
        if (typeof v !== 'string') this.expect(key, 'a size (integer bytes or a string like "96MiB")', v);
        const n = parseByteSize(v);
        if (n === undefined) this.bad(key, `invalid size for \`${key}\`: "${v}" (expected bytes or a string like "96MiB", "16K", "64KiB")`);
        return n;
      }
      case 'duration': {
        if (typeof v !== 'string') this.expect(key, 'a duration string like "5m"', v);
        const ms = parseDuration(v);
        if (ms === undefined) this.bad(key, `invalid duration for \`${key}\`: "${v}" (expected a Go duration like "5m", "1h30m", "500ms")`);
        return ms;
      }
      case 'strings':
        if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) this.expect(key, 'an array of strings', v);
        return [...(v as string[])];
      case 'stringOrStrings':
        if (typeof v === 'string') return [v];
        if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) this.expect(key, 'a string or an array of strings', v);
        return [...(v as string[])];
      case 'stringMap': {
        if (!isTable(v)) this.expect(key, 'a table of strings', v);
        const out: Record<string, string> = {};
        for (const [k, x] of Object.entries(v)) {
          if (typeof x !== 'string') this.expect(`${key}.${k}`, 'a string', x);
          out[k] = x;
        }
        return out;
      }
      case 'postOp':
        return this.choice(key, v, POST_OP, `invalid op level '%s', please choose valid option between ['off', 'optional', 'required']`);
      case 'keep':
        return this.choice(key, v, KEEP, `invalid checkpoint keep strategy '%s', please choose valid option between ['remove', 'rename', 'origin']`);
      case 'dupAlgo':
        if (typeof v !== 'string') this.expect(key, 'a string', v);
        return this.choice(key, v, DUP_ALGO, `invalid ${key} '%s', please choose valid option between ['', 'replace', 'ignore', 'error']`);
      case 'maxError':
        return this.maxError(key, v, current as Record<string, number>);
    }
  }

  /** bool or case-insensitive string, mapped through `table` */
  choice(key: string, v: unknown, table: Record<string, string>, msg: string): string {
    const s = typeof v === 'boolean' ? String(v) : typeof v === 'string' ? v.toLowerCase() : undefined;
    const out = s === undefined ? undefined : table[s];
    if (out === undefined || !Object.hasOwn(table, s!)) this.bad(key, `${msg.replace('%s', String(v))} (key \`${key}\`)`);
    return out;
  }

  /** Go MaxError.UnmarshalTOML: an int sets `type`; a table's `type` is read; negatives keep the default. */
  maxError(key: string, v: unknown, current: Record<string, number>): Record<string, number> {
    const out: Record<string, number> = { ...current, syntax: 0, type: 0 };
    if (typeof v === 'bigint') {
      if (v >= 0n) out.type = toInt(v);
      return out;
    }
    if (!isTable(v)) this.bad(key, `invalid max-error '${String(v)}', should be an integer or a map of string:int64 (key \`${key}\`)`);
    for (const [k, x] of Object.entries(v)) {
      const sub = `${key}.${k}`;
      if (!['syntax', 'charset', 'type', 'conflict'].includes(k)) {
        this.unknown.push(sub);
        continue;
      }
      this.present.add(sub);
      if (typeof x !== 'bigint') this.expect(sub, 'an integer', x);
      if (k === 'type' && x >= 0n) out.type = toInt(x);
      if (k === 'conflict' && x >= 0n) out.conflict = toInt(x);
    }
    return out;
  }
}

/** Overlay a parsed TOML table onto `base` (defaults or an earlier layer). */
export function decodeInto(base: Record<string, unknown>, toml: Record<string, unknown>, src: Source, schema: Section = SCHEMA): Decoded {
  const d = new Decoder(src);
  d.section(schema, toml, '', base);
  if (d.unknown.length > 0) {
    throw configError(src, `config file contained unknown configuration options: ${d.unknown.join(', ')}`, d.unknown, Codes.InvalidConfig);
  }
  return { data: base, present: d.present };
}
