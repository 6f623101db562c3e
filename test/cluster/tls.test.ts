// TLS (protocol.md §9): the simulator serves mTLS with one CA on every endpoint — PD gRPC and the PD HTTP API on
// one port (routed by ALPN), TiKV gRPC, the TiDB status port — the src/cluster clients connect with ca/cert/key
// (files and bytes), a client without a certificate is refused, and the TiDB front's own ADMIN CHECKSUM reaches
// PD and TiKV over mTLS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { startSimCluster } from './sim/index.js';
import { ensureCerts } from './sim/certs.js';
import { PdClient, ImportSstClient } from '../../src/cluster/index.js';

function httpsGet(url: string, opts: { ca: Buffer; cert?: Buffer; key?: Buffer }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, opts, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('mTLS: PD gRPC + HTTP on one port, TiKV, TiDB status; no client cert → refused; ADMIN CHECKSUM over mTLS', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sim-tls-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const p = ensureCerts(dir);
  const read = (f: string) => readFileSync(f);
  const sim = await startSimCluster({
    stores: 1, testContext: t,
    tls: { ca: read(p['ca.pem']), cert: read(p['server.pem']), key: read(p['server.key']), checkClientCert: true, clientCert: read(p['client.pem']), clientKey: read(p['client.key']) },
  });
  const pd = await PdClient.connect(sim.pdAddr, { tls: { caPath: p['ca.pem'], certPath: p['client.pem'], keyPath: p['client.key'] } });
  t.after(() => pd.close());
  assert.equal((await pd.getAllStores()).length, 1);
  assert.deepEqual((await pd.getMembers()).leader?.clientUrls, [`https://${sim.pdAddr}`]);
  const client = { ca: read(p['ca.pem']), cert: read(p['client.pem']), key: read(p['client.key']) };
  const version = await httpsGet(`https://${sim.pdAddr}/pd/api/v1/version`, client);
  assert.deepEqual([version.status, JSON.parse(version.body)], [200, { version: 'v8.5.0' }]);
  assert.equal(JSON.parse((await httpsGet(`https://${sim.statusAddr}/status`, client)).body).version, '8.0.11-TiDB-v8.5.0');
  await assert.rejects(httpsGet(`https://${sim.statusAddr}/status`, { ca: client.ca }));

  const sst = new ImportSstClient(sim.storeAddrs[0]!, { tls: client, timeoutMs: 3000 });
  t.after(() => sst.close());
  assert.equal(await sst.getMode(), 'Normal');
  const noCert = new ImportSstClient(sim.storeAddrs[0]!, { tls: { ca: client.ca }, timeoutMs: 3000 });
  t.after(() => noCert.close());
  await assert.rejects(noCert.getMode());

  const [host, port] = sim.tidbAddr!.split(':');
  const db = await mysql.createConnection({ host, port: Number(port), user: 'root' });
  t.after(() => db.end());
  await db.query('CREATE TABLE test.t (a int)');
  const [[sum]] = await db.query<mysql.RowDataPacket[]>('ADMIN CHECKSUM TABLE test.t');
  assert.deepEqual([sum!.Total_kvs, sum!.Total_bytes], [0, 0]);
});
