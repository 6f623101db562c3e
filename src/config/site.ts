// Builds ConfigErrors that name the TOML key, and the file and line it was written on (when it was).
import { ConfigError, Codes, type Code } from '../errors.js';
import { findKeyLine, keyPathSegments } from './locate.js';

export interface Source {
  /** config file path (or a label such as "task") */
  file?: string;
  /** its TOML text */
  text?: string;
  /** where keys were overridden from flags/env: TOML key → "flag -tidb-port" / "env TIDB_PORT" */
  overrides?: ReadonlyMap<string, string>;
}

export function configError(src: Source, message: string, keys: string | readonly string[], code: Code = Codes.InvalidConfig, cause?: unknown): ConfigError {
  const list = typeof keys === 'string' ? [keys] : keys;
  const key = list[0];
  // The first key that came from a flag/env or is written in the file names the place.
  for (const k of list) {
    const from = src.overrides?.get(k);
    if (from) return new ConfigError(`${message} (set by ${from})`, { key: k, from }, cause, code);
    const line = src.text === undefined ? undefined : findKeyLine(src.text, keyPathSegments(k));
    if (line !== undefined) return new ConfigError(message, { file: src.file, line, key: k }, cause, code);
  }
  return new ConfigError(message, { file: src.file, key }, cause, code);
}
