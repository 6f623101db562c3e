// tidb-lightning-ctl's engine actions against tikv-importer (src/backend/importer/ctl.ts with src/ctl/table-arg.ts: --import-engine,
// --cleanup-engine) and tikv-importer under mutual TLS ([security], cert-allowed-cn) towards its clients and
// towards a simulated cluster that requires client certificates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { engineUuid, formatUuid } from '../../src/cluster/engine-uuid.js';
import { cleanupEngineByUuid, importEngineByUuid } from '../../src/backend/importer/index.js';
import { engineArg } from '../../src/ctl/table-arg.js';
import { ensureCerts } from './sim/certs.js';
import { startSimCluster } from './sim/index.js';
import { client, pair, startImporter, tempDir } from './importer-fixture.js';

const arg = (v: string): Buffer => engineArg('import-engine', v).uuid;

test('ctl --import-engine closes an engine a crashed tikv-importer left open and imports it; --cleanup-engine removes it', async (t) => {
  const sim = await startSimCluster({ stores: 3, tidb: false, testContext: t });
  const dir = tempDir(t, 'imp-ctl-');
  const first = await startImporter(t, { dir });
  const u = engineUuid('`db`.`t`', 0);
  const c1 = client(t, first.addr);
  await c1.openEngine(u);
  await c1.writeEngine(u, 500n, [pair('t\x80x1', 'a'), pair('t\x80x2', 'b')]);
  const s = await startImporter(t, { dir }); // the engine is open only on disk for this one
  assert.equal(await importEngineByUuid(s.addr, arg('`db`.`t`:0'), sim.pdAddr, { retryImportDelayMs: 10 }), formatUuid(u));
  for (const id of sim.storeIds) assert.deepEqual(sim.data(id).map((kv) => `${kv.key.toString()}=${kv.value}@${kv.commitTs}`), ['t\x80x1=a@500', 't\x80x2=b@500']);
  assert.equal(await importEngineByUuid(s.addr, arg(formatUuid(u)), sim.pdAddr), formatUuid(u), 'again: closed already, imported again');
  await assert.rejects(importEngineByUuid(s.addr, arg('`db`.`t`:7'), sim.pdAddr), /FileNotExists/, 'an engine tikv-importer never had');
  assert.equal(await cleanupEngineByUuid(s.addr, u), formatUuid(u));
  assert.ok(!existsSync(join(dir, formatUuid(u))) && !existsSync(join(dir, '.temp', formatUuid(u))));
  const open = engineUuid('`db`.`t`', 1);
  const c = client(t, s.addr);
  await c.openEngine(open);
  await cleanupEngineByUuid(s.addr, arg('`db`.`t`:1'));
  assert.ok(!existsSync(join(dir, '.temp', formatUuid(open))), 'an open engine is closed and deleted');
});

test('mutual TLS: clients need a certificate of the CA, cert-allowed-cn is enforced, imports reach a TLS cluster', async (t) => {
  const certs = ensureCerts(tempDir(t, 'imp-tls-'));
  const pem = (k: keyof typeof certs) => readFileSync(certs[k]);
  const sim = await startSimCluster({ stores: 2, tidb: false, testContext: t, tls: { ca: pem('ca.pem'), cert: pem('server.pem'), key: pem('server.key'), checkClientCert: true } });
  const security = (cn: string) => `[security]\nca-path = ${JSON.stringify(certs['ca.pem'])}\ncert-path = ${JSON.stringify(certs['server.pem'])}\nkey-path = ${JSON.stringify(certs['server.key'])}\ncert-allowed-cn = [${cn}]\n`;
  const s = await startImporter(t, { dir: tempDir(t, 'imp-tls-dir-'), extra: security('"lightning-sim-client"') });
  const tls = { caPath: certs['ca.pem'], certPath: certs['client.pem'], keyPath: certs['client.key'] };
  const u = engineUuid('`db`.`tls`', 0);

  await assert.rejects(client(t, s.addr, { timeoutMs: 3000 }).openEngine(u), /UNAVAILABLE/, 'plaintext is refused');
  await assert.rejects(client(t, s.addr, { timeoutMs: 3000, tls: { caPath: certs['ca.pem'] } }).openEngine(u), /UNAVAILABLE/, 'no client certificate');
  const c = client(t, s.addr, { tls });
  await c.openEngine(u);
  await c.writeEngine(u, 600n, [pair('t\x80tls', 'ok')]);
  await c.closeEngine(u);
  await c.importEngine(u, sim.pdAddr);
  for (const id of sim.storeIds) assert.deepEqual(sim.data(id).map((kv) => kv.value.toString()), ['ok']);

  const strict = await startImporter(t, { dir: tempDir(t, 'imp-tls-cn-'), extra: security('"someone-else"') });
  await assert.rejects(client(t, strict.addr, { tls }).openEngine(u), /UNAUTHENTICATED: Common name check fail/);
  await assert.rejects(client(t, strict.addr, { tls }).writeEngine(u, 1n, [pair('a', 'b')]), /UNAUTHENTICATED/);
});
