import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LightningError, ConfigError, SourceError, Codes, formatError, toLightningError } from '../../../src/errors.js';
import { registerSecret, redact, clearSecrets } from '../../../src/redact.js';

test('coded errors carry code, context, exit code and cause', () => {
  const cause = new Error('inner');
  const e = new SourceError(Codes.UnclosedQuote, 'unclosed quote', { file: 'db.t.sql', offset: 42, row: 3, expected: "closing '" }, cause);
  assert.equal(e.code, 'Lightning:Loader:ErrUnclosedQuote');
  assert.equal(e.exitCode, 1);
  assert.match(e.message, /unclosed quote; expected closing ' \(file db\.t\.sql, offset 42, row 3\)/);
  assert.equal(e.cause, cause);
  assert.ok(e instanceof LightningError);
  assert.ok(e instanceof SourceError);
  assert.ok(!(e instanceof ConfigError));
  assert.equal(new ConfigError('bad').exitCode, 2);
  assert.match(formatError(e), /unclosed quote.*caused by: inner/);
});

test('toLightningError keeps the original as cause', () => {
  const raw = new Error('boom');
  const e = toLightningError(raw, Codes.DBConnect);
  assert.equal(e.code, Codes.DBConnect);
  assert.equal(e.cause, raw);
  assert.equal(toLightningError(e), e);
});

test('registered secrets and DSN/PEM patterns are masked in messages', () => {
  clearSecrets();
  registerSecret('s3cr3t-Pa55');
  const e = new LightningError(Codes.DBConnect, 'cannot connect as root:s3cr3t-Pa55@tcp(127.0.0.1:4000)/ with password=s3cr3t-Pa55');
  assert.ok(!e.message.includes('s3cr3t-Pa55'), e.message);
  assert.equal(redact('user:hunter22@tcp(h:1)/'), 'user:******@tcp(h:1)/');
  assert.equal(redact('--tidb-password=abc'), '--tidb-password=******');
  const pem = '-----BEGIN PRIVATE KEY-----\nMIIabc\n-----END PRIVATE KEY-----';
  assert.ok(!redact(pem).includes('MIIabc'));
  assert.equal(redact('plain text stays'), 'plain text stays');
  clearSecrets();
});
