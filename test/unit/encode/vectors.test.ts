// Every golden vector file in ../shared/vectors must pass byte for byte (new files are picked up as they come).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { checkVectorFiles } from '../../../src/encode/check-vectors.js';

// dist*/test/unit/encode/x.js → repo root is 4 levels up; the vectors sit beside the repo
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const dir = path.join(root, '..', 'shared', 'vectors');

test('golden vectors pass byte for byte', { skip: !existsSync(dir) && 'no ../shared/vectors' }, () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => path.join(dir, f));
  assert.ok(files.length > 0);
  const r = checkVectorFiles(files);
  assert.equal(r.failed, 0, r.failures.slice(0, 20).join('\n'));
  assert.ok(r.passed > 0);
});
