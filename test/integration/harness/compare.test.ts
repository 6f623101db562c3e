// The exact-comparison helpers notice a one-byte difference in a BLOB, with and without a primary key,
// across two servers and within one.
import assert from 'node:assert/strict';
import { AssertionError } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { startMariaDB, type MariaDB } from '../../harness/mariadb.js';
import { assertSameDatabase, assertSameRows, tableChecksum, tableDump } from '../../harness/compare.js';

const SETUP = `CREATE DATABASE s;
  CREATE TABLE s.pk (id INT PRIMARY KEY, b BLOB, t VARCHAR(20), d DOUBLE, ts DATETIME(6));
  CREATE TABLE s.nopk (b LONGBLOB, t VARCHAR(20) COLLATE utf8mb4_general_ci, n DECIMAL(30,10));
  INSERT INTO s.pk SELECT seq, UNHEX(REPEAT(LPAD(HEX(seq), 4, '0'), 50)), CONCAT('r', seq), seq / 3, '2020-03-07 01:02:03.456789'
    FROM s.seq_1_to_500;
  INSERT INTO s.pk VALUES (0, NULL, NULL, NULL, NULL), (1000, x'00FF0A27225C', 'q"u''o\\\\te', -0.0, NULL);
  INSERT INTO s.nopk VALUES (x'00010203', 'a', 1.5), (x'00010203', 'A', 1.5), (NULL, NULL, NULL), (x'', '', 0);`;

describe('harness: compare helpers', () => {
  let a: MariaDB;
  let b: MariaDB;
  before(async () => {
    [a, b] = await Promise.all([startMariaDB(), startMariaDB()]);
    await Promise.all([a.query(SETUP), b.query(SETUP)]);
  });
  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it('identical tables compare equal, whatever the server or table name', async () => {
    await assertSameRows(a, 's', 'pk', b, 's', 'pk');
    await assertSameRows(a, 's', 'nopk', b, 's', 'nopk');
    await assertSameDatabase(a, 's', b, 's');
    await a.query('CREATE TABLE s.pk_copy LIKE s.pk; INSERT INTO s.pk_copy SELECT * FROM s.pk ORDER BY id DESC');
    await assertSameRows(a, 's', 'pk', a, 's', 'pk_copy');
    assert.equal(await tableChecksum(a, 's', 'pk'), await tableChecksum(b, 's', 'pk'));
    const dump = await tableDump(a, 's', 'pk');
    assert.equal(dump.split('\n').length, 502);
    assert.match(dump, /^\(0,NULL,NULL,NULL,NULL\);$/m);
    assert.match(dump, /^\(1000,0x00FF0A27225C,/m);
    const nopk = await tableDump(a, 's', 'nopk');
    assert.equal(nopk.split('\n').length, 4);
    await a.query('DROP TABLE s.pk_copy');
  });

  it('a one-byte difference in a BLOB is detected (primary key: mariadb-dump; no key: HEX select)', async () => {
    await b.query("UPDATE s.pk SET b = CONCAT(LEFT(b, 57), x'FF', SUBSTRING(b, 59)) WHERE id = 321");
    await assert.rejects(assertSameRows(a, 's', 'pk', b, 's', 'pk'), (e: unknown) => {
      assert.ok(e instanceof AssertionError);
      assert.match(e.message, /first difference at row 322/);
      assert.match(e.message, /A: \(321,0x0141/);
      return true;
    });
    await assert.rejects(assertSameDatabase(a, 's', b, 's'), AssertionError);
    assert.notEqual(await tableChecksum(a, 's', 'pk'), await tableChecksum(b, 's', 'pk'));

    await b.query("UPDATE s.nopk SET b = x'00010204' WHERE t = 'A' COLLATE utf8mb4_bin");
    await assert.rejects(assertSameRows(a, 's', 'nopk', b, 's', 'nopk'), /rows differ/);
  });

  it('a case-only difference under a case-insensitive collation is detected too', async () => {
    await a.query('CREATE TABLE s.ci (t VARCHAR(5) COLLATE utf8mb4_general_ci); INSERT INTO s.ci VALUES ("a"), ("b")');
    await b.query('CREATE TABLE s.ci (t VARCHAR(5) COLLATE utf8mb4_general_ci); INSERT INTO s.ci VALUES ("A"), ("b")');
    await assert.rejects(assertSameRows(a, 's', 'ci', b, 's', 'ci'), /rows differ/);
  });

  it('missing rows and missing tables are reported', async () => {
    await a.query('CREATE TABLE s.few (id INT PRIMARY KEY); INSERT INTO s.few VALUES (1), (2), (3)');
    await b.query('CREATE TABLE s.few (id INT PRIMARY KEY); INSERT INTO s.few VALUES (1), (2)');
    await assert.rejects(assertSameRows(a, 's', 'few', b, 's', 'few'), /has 3 rows, .* has 2; first difference at row 3/);
    await assert.rejects(tableDump(a, 's', 'nope'), /not found/);
    await assert.rejects(tableChecksum(a, 's', 'nope'), /not found/);
  });
});
