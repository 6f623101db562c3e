// The packaged chart repository (scripts/charts/package.sh) served from 127.0.0.1: helm repo add, helm search repo,
// and helm template of <repo>/<chart> give the same manifests as the chart directories.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import type { AddressInfo } from 'node:net';
import { IMPORTER, LIGHTNING, ROOT, helmBin, renderArgs } from './helpers.js';

function helmAsync(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(helmBin(), args, { env: { ...process.env, ...env }, timeout: 120_000, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr: stderr.split('\n').filter((l) => !/found symbolic link/.test(l)).join('\n') });
    });
  });
}

test('packaged repository served from 127.0.0.1: repo add, search, template == chart directory', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'charts-repo-'));
  const out = join(tmp, 'repo');
  const server = createServer((req, res) => {
    const file = normalize(join(out, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)));
    if (!file.startsWith(out)) { res.writeHead(403).end(); return; }
    try { res.writeHead(200).end(readFileSync(file)); } catch { res.writeHead(404).end(); }
  });
  try {
    execFileSync('bash', [join(ROOT, 'scripts', 'charts', 'package.sh'), out], { encoding: 'utf8', timeout: 300_000 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const env = {
      HELM_CACHE_HOME: join(tmp, 'cache'), HELM_CONFIG_HOME: join(tmp, 'config'), HELM_DATA_HOME: join(tmp, 'data'),
      HELM_REPOSITORY_CONFIG: join(tmp, 'repositories.yaml'), HELM_REPOSITORY_CACHE: join(tmp, 'repo-cache'),
    };
    const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version as string;
    let r = await helmAsync(['repo', 'add', 'lts', url], env);
    assert.equal(r.code, 0, r.stderr);
    r = await helmAsync(['search', 'repo', 'lts', '-o', 'json'], env);
    assert.equal(r.code, 0, r.stderr);
    const found = JSON.parse(r.stdout) as { name: string; version: string; app_version: string }[];
    assert.deepEqual(found.map((c) => `${c.name}@${c.version}/${c.app_version}`).sort(),
      [`lts/tidb-lightning@${version}/${version}`, `lts/tikv-importer@${version}/${version}`]);
    const cases: [string, string, string[]][] = [
      ['tidb-lightning', LIGHTNING, []],
      ['tidb-lightning', LIGHTNING, ['-f', join(LIGHTNING, 'ci', 'remote-path-importer-tls-importer-create-values.yaml')]],
      ['tidb-lightning', LIGHTNING, ['--set', 'dataSource.local.nodeName=n1', '--set', 'dataSource.local.hostPath=/d', '--set', 'backend=tidb']],
      ['tikv-importer', IMPORTER, ['--set', 'tlsCluster.enabled=true']],
    ];
    for (const [name, dir, extra] of cases) {
      const fromRepo = await helmAsync([...renderArgs(`lts/${name}`, { extra }), '--version', version], env);
      assert.equal(fromRepo.code, 0, fromRepo.stderr);
      const fromDir = await helmAsync(renderArgs(dir, { extra }), env);
      assert.equal(fromDir.code, 0, fromDir.stderr);
      assert.equal(fromRepo.stdout, fromDir.stdout, `${name} ${extra.join(' ')}`);
    }
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(tmp, { recursive: true, force: true });
  }
});
