// MySQL TLS to MariaDB (issue 9) with certificates the test makes with openssl: the server's certificate is
// verified against the CA and its name against tidb.host, the client certificate comes from [tidb.security] or
// [security] (the import user is REQUIRE X509), the checkpoint in the target (driver = "mysql") and
// tidb-lightning-ctl use the same TLS; a wrong CA, a wrong host name and a half-configured client certificate
// are clear coded errors that exit at once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMariaDB, type MariaDB } from '../harness/mariadb.js';
import { makePki, type KeyPair, type TestPki } from '../harness/certs.js';
import { assertSameDatabase } from '../harness/compare.js';
import { loadDumpInto, writeMydumperDir } from '../harness/dump-files.js';
import { runCtl, runLightning, writeToml } from '../harness/lightning.js';

const PASSWORD = 'Tls-Pw-3390';
const ENV = { TIDB_PASSWORD: PASSWORD };
let db: MariaDB;
let pki: TestPki;
let work = '';
let seq = 0;

const active = () => ({ cert: join(pki.dir, 'active.pem'), key: join(pki.dir, 'active.key') });
function serve(kp: KeyPair): void {
  copyFileSync(kp.cert, active().cert);
  copyFileSync(kp.key, active().key);
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'tls-'));
  pki = await makePki(join(work, 'pki'));
  serve(pki.server);
  db = await startMariaDB({ args: [`--ssl-ca=${pki.ca}`, `--ssl-cert=${active().cert}`, `--ssl-key=${active().key}`] });
  await db.query(`CREATE USER 'tls'@'127.0.0.1' IDENTIFIED BY '${PASSWORD}' REQUIRE X509; GRANT ALL ON *.* TO 'tls'@'127.0.0.1'`);
});
after(async () => {
  await db?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

function dump(bad = false): { dir: string; schema: string } {
  const schema = `tls${++seq}`;
  const rows = (from: number) => Array.from({ length: 200 }, (_, i) => `(${from + i},'row ${from + i}')`).join(',');
  const dir = writeMydumperDir(join(work, schema), schema, [
    { name: 'a', ddl: 'CREATE TABLE `a` (`id` int PRIMARY KEY, `v` varchar(20))', data: `INSERT INTO \`a\` VALUES ${rows(1)};\n` },
    { name: 'b', ddl: 'CREATE TABLE `b` (`id` int, `v` varchar(20))', data: `INSERT INTO \`b\` VALUES ${rows(1)};\n${bad ? 'INSERT INTO `b` VALUES (1) oops;\n' : ''}` },
  ]);
  return { dir, schema };
}

/** the import's arguments: security settings in a TOML section, connection flags as the chart passes them */
function args(dir: string, security: string, extra = ''): string[] {
  const cfg = writeToml(work, `run${++seq}.toml`, `[lightning]\nfile = ${JSON.stringify(join(work, `run${seq}.log`))}\n` +
    `[mydumper]\ndata-source-dir = ${JSON.stringify(dir)}\n${security}\n${extra}`);
  return ['-config', cfg, '--backend', 'tidb', '--tidb-host', '127.0.0.1', '--tidb-port', String(db.port), '--tidb-user', 'tls'];
}
const sec = (section: string, o: { ca?: string; cert?: string; key?: string }) => [`[${section}]`,
  ...(o.ca ? [`ca-path = ${JSON.stringify(o.ca)}`] : []), ...(o.cert ? [`cert-path = ${JSON.stringify(o.cert)}`] : []),
  ...(o.key ? [`key-path = ${JSON.stringify(o.key)}`] : [])].join('\n');
const full = () => ({ ca: pki.ca, cert: pki.client.cert, key: pki.client.key });

test('TLS with the CA and a client certificate from [tidb.security]: import, exact rows', async () => {
  const { dir, schema } = dump();
  const before = Number((await db.query<Array<{ Value: string }>>("SHOW GLOBAL STATUS LIKE 'Ssl_accepts'"))[0]!.Value);
  const r = await runLightning(args(dir, sec('tidb.security', full())), ENV);
  assert.equal(r.exitCode, 0, r.stderr);
  await loadDumpInto(db, dir, schema, `${schema}_expected`);
  await assertSameDatabase(db, `${schema}_expected`, db, schema);
  const afterAccepts = Number((await db.query<Array<{ Value: string }>>("SHOW GLOBAL STATUS LIKE 'Ssl_accepts'"))[0]!.Value);
  assert.ok(afterAccepts > before, 'the server accepted TLS connections');
});

test('TLS from [security] (copied to [tidb.security]) with the checkpoint in the target and tidb-lightning-ctl over the same TLS', async () => {
  const { dir, schema } = dump(true);
  const a = args(dir, sec('security', full()), `[checkpoint]\ndriver = "mysql"\nschema = "${schema}_checkpoint"\n`);
  const failed = await runLightning(a, ENV);
  assert.equal(failed.exitCode, 1, failed.stderr);
  assert.match(failed.stderr, /Lightning:Loader:ErrSyntax/);
  const destroy = await runCtl([...a, '--checkpoint-error-destroy=all'], ENV);
  assert.equal(destroy.exitCode, 0, destroy.stderr);
  assert.match(destroy.stderr, new RegExp(`Dropping table: \`${schema}\`\\.\`b\``));
  writeFileSync(join(dir, `${schema}.b.sql`), `INSERT INTO \`b\` VALUES ${Array.from({ length: 200 }, (_, i) => `(${i + 1},'row ${i + 1}')`).join(',')};\n`);
  const rerun = await runLightning(a, ENV);
  assert.equal(rerun.exitCode, 0, rerun.stderr);
  await loadDumpInto(db, dir, schema, `${schema}_expected`);
  await assertSameDatabase(db, `${schema}_expected`, db, schema);
});

test('a wrong CA, a certificate for another host name, a missing client certificate: clear errors, no retries', async () => {
  const { dir } = dump();
  const t0 = Date.now();
  const wrongCa = await runLightning(args(dir, sec('tidb.security', { ...full(), ca: pki.otherCa })), ENV);
  assert.equal(wrongCa.exitCode, 1);
  assert.match(wrongCa.stderr, /Lightning:DB:ErrTLS.*TLS to 127\.0\.0\.1:\d+ failed: the server's certificate is not signed by the CA in tidb\.security\.ca-path/s);
  assert.ok(Date.now() - t0 < 20_000, 'a certificate problem is not retried');

  const noClientCert = await runLightning(args(dir, sec('tidb.security', { ca: pki.ca })), ENV);
  assert.equal(noClientCert.exitCode, 1);
  assert.match(noClientCert.stderr, /Lightning:DB:ErrDBConnect.*Access denied for user 'tls'/s);

  const half = await runLightning(args(dir, sec('tidb.security', { ca: pki.ca, cert: pki.client.cert })), ENV);
  assert.equal(half.exitCode, 2);
  assert.match(half.stderr, /Lightning:Config:ErrInvalidTLSConfig.*cert-path and tidb\.security\.key-path must be set together/s);

  serve(pki.serverLocalhostOnly);
  await db.query('FLUSH SSL');
  try {
    const wrongHost = await runLightning(args(dir, sec('tidb.security', full())), ENV);
    assert.equal(wrongHost.exitCode, 1);
    assert.match(wrongHost.stderr, /Lightning:DB:ErrTLS.*the server's certificate does not name the host in tidb\.host.*127\.0\.0\.1/s);
    // tls = "skip-verify" accepts it (and any CA): encrypted, not authenticated
    const { dir: d2, schema } = dump();
    const skip = await runLightning(args(d2, sec('tidb.security', { ...full(), ca: pki.otherCa }), '[tidb]\ntls = "skip-verify"\n'), ENV);
    assert.equal(skip.exitCode, 0, skip.stderr);
    await loadDumpInto(db, d2, schema, `${schema}_expected`);
    await assertSameDatabase(db, `${schema}_expected`, db, schema);
  } finally {
    serve(pki.server);
    await db.query('FLUSH SSL');
  }
});
