// Shared helpers for the config tests: temp dirs, loading TOML text with flags, asserting ConfigErrors.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LightningError } from '../../../src/errors.js';
import { parseGoFlags } from '../../../src/config/goflag.js';
import { LIGHTNING_FLAGS } from '../../../src/config/flags.js';
import { loadConfig, type LoadResult } from '../../../src/config/load.js';
import type { Config } from '../../../src/config/types.js';

export const dataDir = mkdtempSync(join(tmpdir(), 'cfg-test-data-'));

/** The full sample, read from the source tree (tests run from the repo root or the build dir). */
export function sampleText(): string {
  for (const base of ['../../../../test/fixtures/config/', '../../../test/fixtures/config/']) {
    try {
      return readFileSync(new URL(`${base}tidb-lightning.toml`, import.meta.url), 'utf8');
    } catch { /* next */ }
  }
  throw new Error('fixture tidb-lightning.toml not found');
}

export function loadText(text: string, argv: readonly string[] = [], env: Record<string, string> = {}): LoadResult {
  const flags = parseGoFlags(LIGHTNING_FLAGS, argv).values;
  return loadConfig({ text, file: 'test.toml', flags, env });
}

/** Minimal valid tidb-backend config text plus `extra`. */
export function tidbToml(extra = ''): string {
  return `[tikv-importer]\nbackend = "tidb"\n[tidb]\nport = 4000\n[mydumper]\ndata-source-dir = ${JSON.stringify(dataDir)}\n${extra}`;
}

/** `extra` is the whole file; backend, port and data dir come from flags. */
export function load(extra = '', argv: readonly string[] = []): Config {
  return loadText(extra, ['-d', dataDir, '-backend', 'tidb', '-tidb-port', '4000', ...argv]).config;
}

export function assertConfigError(fn: () => unknown, code: string, key: string, line?: number): LightningError {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof LightningError, `expected a LightningError, got ${String(err)}`);
  assert.equal(err.code, code, err.message);
  assert.equal(err.exitCode, 2);
  assert.ok(err.message.includes(key), `message should name ${key}: ${err.message}`);
  if (line !== undefined) assert.ok(err.message.includes(`line ${line}`), `message should name line ${line}: ${err.message}`);
  return err;
}
