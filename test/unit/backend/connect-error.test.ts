// A target that cannot be reached is a coded connect error (not a query error), with the password masked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { connect } from '../../../src/backend/tidb/conn.js';
import { Codes, LightningError } from '../../../src/errors.js';

test('connect to a closed loopback port fails with ErrDBConnect', async () => {
  // Take a free port, then close it so nothing listens there.
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  await assert.rejects(connect({ host: '127.0.0.1', port, user: 'root', password: 'pw-9f8e7d' }), (e: unknown) => {
    assert.ok(e instanceof LightningError);
    assert.equal(e.code, Codes.DBConnect);
    assert.match(e.message, new RegExp(`cannot connect to 127\\.0\\.0\\.1:${port}`));
    assert.ok(!e.message.includes('pw-9f8e7d'));
    return true;
  });
});
