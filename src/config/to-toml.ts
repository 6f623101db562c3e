// Config → TOML (Go key names; sizes as bytes, durations as Go strings). Loading the output gives back an
// equal Config. Secrets are masked unless asked for, so the same form serves the "effective config" log line.
import { stringify } from 'smol-toml';
import { REDACTED, redact } from '../redact.js';
import { SCHEMA, UNLIMITED, type Kind, type Section } from './schema.js';
import type { Config } from './types.js';
import { formatDuration } from './units.js';

export interface ToTomlOptions {
  /** write tidb.password and the checkpoint DSN as they are (default: masked) */
  includeSecrets?: boolean;
}

type Obj = Record<string, unknown>;

function value(kind: Kind, v: unknown, opts: ToTomlOptions): unknown {
  if (typeof kind === 'object') {
    if ('table' in kind) return section(kind.table, v as Obj, opts);
    if ('array' in kind) return (v as Obj[]).map((item) => section(kind.array, item, opts));
    return v;
  }
  switch (kind) {
    case 'duration':
      return formatDuration(v as number);
    case 'maxError': {
      const m = v as { type: number; conflict: number };
      return m.conflict === UNLIMITED ? m.type : { type: m.type, conflict: m.conflict };
    }
    case 'strings':
    case 'stringOrStrings':
      return [...(v as string[])];
    case 'stringMap':
      return { ...(v as Obj) };
    default:
      return v;
  }
}

function section(schema: Section, obj: Obj, opts: ToTomlOptions): Obj {
  const out: Obj = {};
  for (const [key, field] of Object.entries(schema)) {
    const v = obj[field.prop];
    if (v === undefined) continue;
    out[key] = value(field.kind, v, opts);
  }
  return out;
}

/** The config as a plain object with TOML key names. */
export function toTomlObject(config: Config, opts: ToTomlOptions = {}): Obj {
  const out = section(SCHEMA, config as unknown as Obj, opts);
  if (!opts.includeSecrets) {
    const tidb = out.tidb as Obj;
    if (tidb.password) tidb.password = REDACTED;
    const cp = out.checkpoint as Obj;
    cp.dsn = redact(cp.dsn as string);
  }
  return out;
}

export function toToml(config: Config, opts: ToTomlOptions = {}): string {
  return stringify(toTomlObject(config, opts));
}

/** For the "effective config" log line: TOML names, secrets masked. */
export function redactedConfig(config: Config): Obj {
  return toTomlObject(config);
}
