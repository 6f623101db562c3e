// The simulator (test/cluster) and every other test helper must stay out of production code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../../', import.meta.url));

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
  });
}

test('nothing under src/ imports from test/', () => {
  const offenders = walk(join(root, 'src')).filter((f) => /from\s+['"](\.\.\/)+test\//.test(readFileSync(f, 'utf8')) ||
    /import\(\s*['"](\.\.\/)+test\//.test(readFileSync(f, 'utf8')));
  assert.deepEqual(offenders, []);
});

test('the check itself sees a violation', () => {
  assert.ok(/from\s+['"](\.\.\/)+test\//.test("import { x } from '../../test/cluster/pd.js'"));
});
