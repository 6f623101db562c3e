// Reading and parsing a TOML file with the Go tool's error codes. Secrets written in the file are registered
// before parsing, because a syntax error message quotes the offending line.
import { readFileSync } from 'node:fs';
import { parse, TomlError } from 'smol-toml';
import { Codes, ConfigError } from '../errors.js';
import { registerSecret } from '../redact.js';
import { registerDsnSecret } from './adjust.js';

export function readConfigText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read config file '${file}': ${(e as Error).message}`, { file }, e, Codes.ReadConfigFile);
  }
}

/** Register values of password-like keys (and a DSN's password) found anywhere in the text. */
export function registerTextSecrets(text: string): void {
  const re = /^\s*["']?(password|passwd|pwd|dsn|[a-z-]*secret[a-z-]*|[a-z-]*token)["']?\s*=\s*("(?:[^"\\]|\\.)*"|'[^']*')/gim;
  for (const m of text.matchAll(re)) {
    const raw = m[2]!;
    let value = raw.slice(1, -1);
    if (raw.startsWith('"')) {
      try {
        value = JSON.parse(raw) as string;
      } catch { /* keep the raw form */ }
    }
    if (m[1]!.toLowerCase() === 'dsn') registerDsnSecret(value);
    else registerSecret(value);
  }
}

/** smol-toml with integers as BigInt, so `port = 1.0` (a float) can be told from `port = 1`. */
export function parseToml(text: string, file?: string): Record<string, unknown> {
  registerTextSecrets(text);
  try {
    return parse(text, { integersAsBigInt: true }) as Record<string, unknown>;
  } catch (e) {
    if (e instanceof TomlError) {
      // Only the first line: the rest is a code frame that may quote secrets.
      const msg = e.message.split('\n')[0]!.replace(/^Invalid TOML document: /, '');
      throw new ConfigError(`cannot parse config file${file ? ` '${file}'` : ''}: ${msg}`, { file, line: e.line, column: e.column }, undefined, Codes.ParseConfigFile);
    }
    throw new ConfigError(`cannot parse config file${file ? ` '${file}'` : ''}: ${(e as Error).message}`, { file }, undefined, Codes.ParseConfigFile);
  }
}
