// Every test/charts/bad-values/*.yaml is rejected by `helm template` and `helm lint` with the message in its header
// (`# chart: <chart>`, `# expect: <substring of Helm's error>`); the schema (values.schema.json) catches all but the
// contradictions it cannot express, which the chart's templates reject with `fail`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, helm } from './helpers.js';

const dir = join(ROOT, 'test', 'charts', 'bad-values');
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();

test('at least 15 bad values files', () => {
  assert.ok(files.length >= 15, `${files.length}`);
});

for (const f of files) {
  test(`bad values ${f} rejected`, () => {
    const text = readFileSync(join(dir, f), 'utf8');
    const chart = /^# chart: (\S+)$/m.exec(text)?.[1];
    const expect = /^# expect: (.+)$/m.exec(text)?.[1];
    assert.ok(chart && expect, 'header # chart: / # expect: missing');
    const chartDir = join(ROOT, 'charts', chart);
    const t = helm(['template', 'r', chartDir, '-f', join(dir, f)]);
    assert.notEqual(t.code, 0, `helm template accepted ${f}`);
    assert.ok(t.stderr.includes(expect), `expected "${expect}" in:\n${t.stderr}`);
    const l = helm(['lint', chartDir, '-f', join(dir, f)]);
    const lintOut = l.stdout + l.stderr;
    assert.ok(lintOut.includes(expect), `helm lint does not report "${expect}":\n${lintOut}`);
    if (!/^# rejected-by: template/m.test(text)) {
      assert.notEqual(l.code, 0, `helm lint accepted ${f}`);
      assert.match(lintOut, /1 chart\(s\) failed/);
    }
  });
}

test('the good defaults of both charts are accepted (the bad files are bad because of their own keys)', () => {
  for (const chart of ['tidb-lightning', 'tikv-importer']) {
    assert.equal(helm(['template', 'r', join(ROOT, 'charts', chart)]).code, 0, chart);
  }
});
