// A parser with the semantics of Go's `flag` package, which the Go tools use: one or two dashes, `-f value`
// or `-f=value`, booleans only as `-f` / `-f=<strconv.ParseBool>`, parsing stops at `--` or the first
// non-flag argument, `-h`/`-help` asks for usage. (commander's GNU conventions, e.g. `--no-x` negation and
// bundled short options, would misread `-no-schema` and `-tidb-port`.)
import { Codes, ConfigError } from '../errors.js';
import { parseGoBool } from './units.js';

export type FlagKind = 'string' | 'int' | 'bool' | 'strings' | { choice: readonly string[] };

export interface FlagSpec {
  name: string;
  kind: FlagKind;
  usage: string;
  /** default shown by -h and used when not given (Go: "" / 0 / false unless set) */
  def?: string | number | boolean;
  /** store the value under this name instead (Go: two flags bound to one variable, the last one wins) */
  dest?: string;
}

export interface ParsedFlags {
  /** values of the flags given, by name (strings flags: all values in order) */
  values: Map<string, string | number | boolean | string[]>;
  help: boolean;
  /** arguments after the flags (Go ignores them) */
  rest: string[];
}

/** A bad command line; `key` names the flag (`-tidb-port`) so every rejection says where, as config keys do. */
function argError(message: string, flag: string): ConfigError {
  return new ConfigError(message, { key: flag }, undefined, Codes.InvalidArgument);
}

function parseGoInt(s: string): number | undefined {
  const t = s.replace(/_/g, '');
  const m = /^([+-]?)(0x[0-9a-f]+|0o?[0-7]+|0b[01]+|[1-9]\d*|0)$/i.exec(t);
  if (!m) return undefined;
  let digits = m[2]!;
  if (/^0[0-7]/.test(digits)) digits = `0o${digits.slice(1)}`;
  const n = Number(digits);
  return Number.isSafeInteger(n) ? (m[1] === '-' ? -n : n) : undefined;
}

function convert(spec: FlagSpec, raw: string): string | number | boolean {
  const k = spec.kind;
  if (k === 'int') {
    const n = parseGoInt(raw);
    if (n === undefined) throw argError(`invalid value "${raw}" for flag -${spec.name}: parse error`, `-${spec.name}`);
    return n;
  }
  if (k === 'bool') {
    const b = parseGoBool(raw);
    if (b === undefined) throw argError(`invalid boolean value "${raw}" for -${spec.name}: parse error`, `-${spec.name}`);
    return b;
  }
  if (typeof k === 'object' && !k.choice.includes(raw)) {
    throw argError(`invalid value "${raw}" for flag -${spec.name}: choose from ${k.choice.filter((c) => c !== '').join(', ')}`, `-${spec.name}`);
  }
  return raw;
}

export function parseGoFlags(specs: readonly FlagSpec[], argv: readonly string[]): ParsedFlags {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const values: ParsedFlags['values'] = new Map();
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg.length < 2 || arg[0] !== '-') break;
    if (arg === '--') {
      i++;
      break;
    }
    let name = arg.slice(arg[1] === '-' ? 2 : 1);
    if (name === '' || name[0] === '-' || name[0] === '=') throw argError(`bad flag syntax: ${arg}`, arg);
    let value: string | undefined;
    const eq = name.indexOf('=');
    if (eq >= 0) {
      value = name.slice(eq + 1);
      name = name.slice(0, eq);
    }
    const spec = byName.get(name);
    if (!spec) {
      if (name === 'h' || name === 'help') return { values, help: true, rest: [] };
      throw argError(`flag provided but not defined: -${name}`, `-${name}`);
    }
    const dest = spec.dest ?? name;
    if (spec.kind === 'bool') {
      values.set(dest, value === undefined ? true : convert(spec, value));
      continue;
    }
    if (value === undefined) {
      if (i + 1 >= argv.length) throw argError(`flag needs an argument: -${name}`, `-${name}`);
      value = argv[++i]!;
    }
    if (spec.kind === 'strings') {
      const list = (values.get(dest) as string[] | undefined) ?? [];
      list.push(value);
      values.set(dest, list);
    } else values.set(dest, convert(spec, value));
  }
  return { values, help: false, rest: argv.slice(i) };
}

/** Go's FlagSet.PrintDefaults layout, flags sorted by name. */
export function goUsage(tool: string, specs: readonly FlagSpec[]): string {
  const lines = [`Usage of ${tool}:`];
  for (const s of [...specs].sort((a, b) => a.name.localeCompare(b.name))) {
    const type = s.kind === 'bool' ? '' : s.kind === 'int' ? ' int' : s.kind === 'strings' ? ' value' : ' string';
    let line = `  -${s.name}${type}`;
    line += s.name.length === 1 && type === '' ? '\t' : '\n    \t';
    line += s.usage.replace(/\n/g, '\n    \t');
    const def = s.def;
    if (def !== undefined && def !== '' && def !== 0 && def !== false) line += typeof def === 'string' ? ` (default "${def}")` : ` (default ${String(def)})`;
    lines.push(line);
  }
  return `${lines.join('\n')}\n`;
}
