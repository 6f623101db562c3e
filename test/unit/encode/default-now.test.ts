// DEFAULT CURRENT_TIMESTAMP / NOW(n) for columns a row leaves out: the encoder's fixed timestamp, in the
// session time zone, with the column's precision (TIMESTAMP stored in UTC, DATETIME as written).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTableInfo } from '../../../src/encode/schema/create-table.js';
import { TableEncoder, timestampText } from '../../../src/encode/table.js';
import { selectRow } from '../../../src/encode/decode/select.js';
import { FieldKind } from '../../../src/parse/types.js';

const AT = Date.UTC(2024, 1, 29, 23, 30, 5, 123);

test('timestampText: UTC, fixed offsets, IANA zones, fractional seconds', () => {
  assert.equal(timestampText(AT, 'UTC', 0), '2024-02-29 23:30:05');
  assert.equal(timestampText(AT, '+08:00', 3), '2024-03-01 07:30:05.123');
  assert.equal(timestampText(AT, '-05:30', 6), '2024-02-29 18:00:05.123000');
  assert.equal(timestampText(AT, 'Asia/Tokyo', 0), '2024-03-01 08:30:05');
});

test('a row without the defaulted columns gets the encoder timestamp (same KVs on every run)', () => {
  const info = buildTableInfo('CREATE TABLE t (id INT PRIMARY KEY, ts TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP, dt DATETIME(3) DEFAULT NOW(3), n INT DEFAULT 7)', { tableID: 100 });
  const enc = (tz: string) => new TableEncoder(info, { timeZone: tz, timestamp: AT });
  const row = [{ kind: FieldKind.Num, value: Buffer.from('1') }];
  const a = enc('+08:00').encodeRow(row, 1, [0]);
  const b = enc('+08:00').encodeRow(row, 1, [0]);
  assert.deepEqual(a, b);
  const text = selectRow(info, a[0]!.key, a[0]!.val, { timeZone: '+08:00' }).map((x) => x?.toString());
  assert.deepEqual(text, ['1', '2024-03-01 07:30:05', '2024-03-01 07:30:05.123', '7']);
  // TIMESTAMP is stored in UTC: read in UTC it is the instant itself
  assert.equal(selectRow(info, a[0]!.key, a[0]!.val, { timeZone: 'UTC' })[1]!.toString(), '2024-02-29 23:30:05');
});

test('other default expressions are a coded error naming the column', () => {
  const info = buildTableInfo('CREATE TABLE t (id INT PRIMARY KEY, u VARCHAR(36) DEFAULT (UUID()))', { tableID: 101 });
  assert.throws(() => new TableEncoder(info).encodeRow([{ kind: FieldKind.Num, value: Buffer.from('1') }], 1, [0]),
    (e: Error & { code?: string }) => e.code === 'Lightning:Restore:ErrEncodeKV' && /column u/.test(e.message));
});
