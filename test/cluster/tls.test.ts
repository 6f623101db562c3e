// TLS plumbing: the simulator serves mTLS with one CA; the src/cluster clients connect with ca/cert/key
// (files and bytes), and a client without a certificate is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimCluster } from './sim/index.js';
import { PdClient, ImportSstClient } from '../../src/cluster/index.js';

function makeCerts(dir: string): void {
  const ossl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  ossl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=sim-ca');
  writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  for (const name of ['server', 'client']) {
    ossl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
    ossl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '1', '-extfile', 'ext.cnf');
  }
}

test('mTLS: clients with [security] ca/cert/key reach PD and TiKV; without a client cert they are refused', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sim-tls-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  makeCerts(dir);
  const read = (f: string) => readFileSync(join(dir, f));
  const sim = await startSimCluster({ stores: 1, testContext: t, tls: { ca: read('ca.pem'), cert: read('server.pem'), key: read('server.key'), checkClientCert: true } });
  const pd = await PdClient.connect(sim.pdAddr, { tls: { caPath: join(dir, 'ca.pem'), certPath: join(dir, 'client.pem'), keyPath: join(dir, 'client.key') } });
  t.after(() => pd.close());
  assert.equal((await pd.getAllStores()).length, 1);
  const sst = new ImportSstClient(sim.storeAddrs[0]!, { tls: { ca: read('ca.pem'), cert: read('client.pem'), key: read('client.key') }, timeoutMs: 3000 });
  t.after(() => sst.close());
  assert.equal(await sst.getMode(), 'Normal');
  const noCert = new ImportSstClient(sim.storeAddrs[0]!, { tls: { ca: read('ca.pem') }, timeoutMs: 3000 });
  t.after(() => noCert.close());
  await assert.rejects(noCert.getMode());
});
