// config → TOML (smol-toml stringify) → config is the identity, for the whole config and section by section.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stringify } from 'smol-toml';
import { dataDir, load, loadText, sampleText } from './helpers.js';
import { toToml, toTomlObject } from '../../../src/config/to-toml.js';
import { SCHEMA } from '../../../src/config/schema.js';
import type { Config } from '../../../src/config/types.js';

const sample = (): Config => loadText(sampleText(), ['-d', dataDir]).config;

test('the whole sample round-trips', () => {
  const c = sample();
  const again = loadText(toToml(c, { includeSecrets: true })).config;
  assert.deepEqual(again, c);
});

test('defaults round-trip', () => {
  const c = load();
  assert.deepEqual(loadText(toToml(c, { includeSecrets: true })).config, c);
});

for (const [key, field] of Object.entries(SCHEMA)) {
  test(`section [${key}] round-trips on its own`, () => {
    const c = sample();
    const obj = toTomlObject(c, { includeSecrets: true });
    // The keys the section depends on (backend, data dir, port) come along; the section itself is the one under test.
    const base = { 'tikv-importer': obj['tikv-importer'], mydumper: { 'data-source-dir': dataDir }, tidb: { port: 4001 } } as Record<string, unknown>;
    if (key === 'mydumper' || key === 'tikv-importer' || key === 'tidb') base[key] = obj[key];
    else base[key] = obj[key];
    if (key === 'conflict' || key === 'routes') base.mydumper = obj.mydumper;
    const again = loadText(stringify(base)).config as unknown as Record<string, unknown>;
    assert.deepEqual(again[field.prop], (c as unknown as Record<string, unknown>)[field.prop]);
  });
}

test('without includeSecrets the password and DSN password are masked', () => {
  const text = toToml(sample());
  assert.ok(!text.includes('tidb-secret-55'));
  assert.ok(!text.includes('cp-secret-77'));
  assert.match(text, /password = "\*\*\*\*\*\*"/);
});
