// Where the checkpoint goes (file next to the data) and how a mysql-driver DSN is read: Go's DSN form, the
// password registered as a secret and absent from every message about the DSN.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkpointFilePath, describeDsn, mysqlConnectionOf, parseMysqlDsn } from '../../../src/checkpoint/index.js';
import { Codes, formatError, LightningError } from '../../../src/errors.js';
import { redact } from '../../../src/redact.js';

test('default file location is next to the data', () => {
  assert.equal(checkpointFilePath({ dsn: '', schema: 'tidb_lightning_checkpoint', dataSourceDir: '/data/dump' }), '/data/dump/tidb_lightning_checkpoint.db');
  assert.equal(checkpointFilePath({ dsn: '', schema: 'tidb_lightning_checkpoint', dataSourceDir: 'file:///data/d2' }), '/data/d2/tidb_lightning_checkpoint.db');
  assert.equal(checkpointFilePath({ dsn: '/x/cp.db', schema: 's', dataSourceDir: '/data' }), '/x/cp.db');
  assert.throws(() => checkpointFilePath({ dsn: '', schema: 's', dataSourceDir: 's3://b/p' }), /checkpoint\.dsn/);
});

test('Go DSN forms: user:pass@tcp(host:port)/, passwords with : @ /, unix sockets, params, defaults', () => {
  assert.deepEqual(parseMysqlDsn('root:Dsn-Pw-1@tcp(10.0.0.5:4000)/'),
    { user: 'root', password: 'Dsn-Pw-1', host: '10.0.0.5', port: 4000, database: '', params: {} });
  const odd = parseMysqlDsn('u:p@ss:w/rd@tcp([::1]:3307)/db?tls=skip-verify&charset=utf8mb4');
  assert.equal(odd.user, 'u');
  assert.equal(odd.password, 'p@ss:w/rd');
  assert.equal(odd.host, '::1');
  assert.equal(odd.port, 3307);
  assert.equal(odd.database, 'db');
  assert.deepEqual(odd.params, { tls: 'skip-verify', charset: 'utf8mb4' });
  assert.equal(parseMysqlDsn('u@unix(/run/mysqld.sock)/').socketPath, '/run/mysqld.sock');
  assert.deepEqual(parseMysqlDsn('/'), { user: '', password: '', host: '127.0.0.1', port: 3306, database: '', params: {} });
  assert.equal(parseMysqlDsn('u:x@tcp(h)/').port, 3306);
  assert.equal(mysqlConnectionOf('u:x@tcp(h:1)/?tls=skip-verify').ssl?.rejectUnauthorized, false);
  assert.equal(mysqlConnectionOf('u:x@tcp(h:1)/?tls=true').ssl?.rejectUnauthorized, true);
  assert.equal(mysqlConnectionOf('u:x@tcp(h:1)/').ssl, undefined);
  const cluster = { ca: 'CA', rejectUnauthorized: true };
  assert.equal(mysqlConnectionOf('u:x@tcp(h:1)/?tls=cluster', cluster).ssl, cluster);
});

test('bad DSNs are config errors that never show the password', () => {
  const cases = ['root:Dsn-Bad-Pw-7781@tcp(h:99999)/', 'root:Dsn-Bad-Pw-7782@tcp(h:1', 'root:Dsn-Bad-Pw-7783@tcp(h:1)/?tls=bogus',
    'root:Dsn-Bad-Pw-7784@tcp(h:1)/?tls=cluster'];
  for (const dsn of cases) {
    const secret = /Dsn-Bad-Pw-\d+/.exec(dsn)![0];
    let err: unknown;
    try {
      mysqlConnectionOf(dsn);
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof LightningError, `${dsn} should be refused`);
    assert.equal(err.exitCode, 2);
    assert.ok([Codes.InvalidConfig, Codes.InvalidTLSConfig].includes(err.code as never), err.code);
    assert.match(err.message, /checkpoint\.dsn/);
    assert.ok(!formatError(err, true).includes(secret), formatError(err, true));
    // the password is registered: any later output masks it
    assert.ok(!redact(`connecting with ${secret}`).includes(secret));
  }
  assert.equal(describeDsn('root:xyz@tcp(h:1)/'), "'root:******@tcp(h:1)/'");
  assert.equal(describeDsn(parseMysqlDsn('root:xyz@tcp(h:1)/')), 'root@h:1/');
});
