import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startMariaDB, type MariaDB } from '../../harness/mariadb.js';
import { TidbBackend, type TidbBackendOptions } from '../../../src/backend/tidb/index.js';
import { initialCommit, type ChunkRef } from '../../../src/backend/backend.js';
import type { Conn } from '../../../src/backend/tidb/conn.js';
import { FieldKind, type Field, type Row, type RowBatch } from '../../../src/parse/types.js';
import { LightningError } from '../../../src/errors.js';

let db: MariaDB;
before(async () => { db = await startMariaDB(); });
after(async () => { await db?.stop(); });

const S = (s: string | Buffer): Field => ({ kind: FieldKind.Str, value: Buffer.isBuffer(s) ? s : Buffer.from(s, 'utf8') });
const N = (s: string | number): Field => ({ kind: FieldKind.Num, value: Buffer.from(String(s)) });
const NULL: Field = { kind: FieldKind.Null, value: Buffer.alloc(0) };
const HEX = (b: Buffer): Field => ({ kind: FieldKind.Bin, value: b });
const BITS = (b: Buffer): Field => ({ kind: FieldKind.Bits, value: b });

let offset = 0;
function rows(fieldRows: Field[][], columns: string[] | null = null): RowBatch {
  return { columns, rows: fieldRows.map((fields, i): Row => { const start = offset; offset += 100; return { fields, offset: start, end: offset, rowNo: i + 1 }; }) };
}
let task = 1000n;
function backend(extra: Partial<TidbBackendOptions> = {}): TidbBackend {
  return new TidbBackend({ host: db.host, port: db.port, user: 'root', password: '', taskId: task, onDuplicate: 'error',
    retry: { baseDelayMs: 10 }, ...extra });
}
function chunk(schema: string, table: string, path = 'f.sql'): ChunkRef {
  return { tableName: `\`${schema}\`.\`${table}\``, engineId: 0, path, offset: 0 };
}

test('batches insert exactly, all 256 byte values survive, verification passes', async () => {
  task++;
  await db.query('CREATE DATABASE b1');
  await db.query('CREATE TABLE b1.t (id INT PRIMARY KEY, b BLOB, vb VARBINARY(300), s VARCHAR(300) CHARACTER SET latin1, h VARBINARY(10))');
  const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  const be = backend({ batchSize: 200 }); // several statements per transaction
  await be.open();
  const eng = await be.openEngine({ schema: 'b1', table: 't' }, 0);
  const w = await eng.openChunk(chunk('b1', 't'), initialCommit({ offset: 0, prevRowIdMax: 0 }));
  const data: Field[][] = [];
  for (let i = 0; i < 256; i++) data.push([N(i), S(Buffer.from([i, 0x27, i])), S(all), S(all.subarray(i)), HEX(Buffer.from([i, 255 - i]))]);
  data.push([N(1000), S(''), NULL, S("\\'\"\n\r\x1a\0"), HEX(Buffer.alloc(0))]);
  const p1 = w.write(rows(data.slice(0, 100)));
  const p2 = w.write(rows(data.slice(100))); // pipelined
  const c1 = await p1;
  const c2 = await p2;
  assert.equal(c1.rows, 100);
  assert.equal(c2.rows, 257);
  assert.equal((await w.close()).pos, c2.pos);
  const got = await db.query('SELECT HEX(b) b, HEX(vb) vb, HEX(s) s, HEX(h) h FROM b1.t ORDER BY id');
  assert.equal(got.length, 257);
  for (let i = 0; i < 256; i++) {
    assert.equal(got[i].b, Buffer.from([i, 0x27, i]).toString('hex').toUpperCase());
    assert.equal(got[i].vb, all.toString('hex').toUpperCase());
    assert.equal(got[i].s, all.subarray(i).toString('hex').toUpperCase());
    assert.equal(got[i].h, Buffer.from([i, 255 - i]).toString('hex').toUpperCase());
  }
  assert.equal(got[256].s, Buffer.from("\\'\"\n\r\x1a\0").toString('hex').toUpperCase());
  const v = await be.verify({ schema: 'b1', table: 't' });
  assert.equal(v.contentSkipped, '');
  assert.ok(v.ok, JSON.stringify(v, (_, x) => (typeof x === 'bigint' ? String(x) : x)));
  await be.close();
});

test('on-duplicate: error → INSERT fails, replace → REPLACE, ignore → INSERT IGNORE', async () => {
  await db.query('CREATE DATABASE b2');
  for (const mode of ['error', 'replace', 'ignore'] as const) {
    task++;
    await db.query(`CREATE TABLE b2.${mode} (id INT PRIMARY KEY, v VARCHAR(10))`);
    await db.query(`INSERT INTO b2.${mode} VALUES (1, 'old')`);
    const be = backend({ onDuplicate: mode });
    await be.open();
    const w = await (await be.openEngine({ schema: 'b2', table: mode }, 0)).openChunk(chunk('b2', mode), initialCommit({ offset: 0, prevRowIdMax: 0 }));
    const p = w.write(rows([[N(1), S('new')], [N(2), S('two')]]));
    if (mode === 'error') {
      await assert.rejects(p, (e: LightningError) => /Duplicate entry/.test(e.message) && e.context.file === 'f.sql');
      assert.deepEqual((await db.query('SELECT id, v FROM b2.error ORDER BY id')).map((r: { v: string }) => r.v), ['old']);
      // nothing committed: the target's progress did not move
      assert.equal((await be.getCommittedProgress(chunk('b2', mode)))!.rows, 0);
    } else {
      await p;
      const got = (await db.query(`SELECT v FROM b2.${mode} ORDER BY id`)).map((r: { v: string }) => r.v);
      assert.deepEqual(got, mode === 'replace' ? ['new', 'two'] : ['old', 'two']);
    }
    await be.close();
  }
});

test('killed connection and a lost COMMIT reply: retried without duplicating rows (no primary key)', async () => {
  task++;
  await db.query('CREATE DATABASE b3');
  await db.query('CREATE TABLE b3.t (a INT, b VARCHAR(20))');
  let retries = 0;
  const be = backend({ retry: { baseDelayMs: 10, onRetry: () => { retries++; } } });
  await be.open();
  const w = await (await be.openEngine({ schema: 'b3', table: 't' }, 0)).openChunk(chunk('b3', 't'), initialCommit({ offset: 0, prevRowIdMax: 0 }));
  await w.write(rows([[N(1), S('a')], [N(2), S('b')]]));
  // A wrapped pool: `KILL <id>` from another session right before a batch's INSERT, then (2) a COMMIT whose reply is lost.
  const pool = be.pool;
  const acquire = pool.acquire.bind(pool);
  let kill = true;
  let broke = false;
  let breakCommit = false;
  pool.acquire = async () => {
    const c = await acquire();
    const q = c.query.bind(c) as (s: string, v?: unknown) => Promise<unknown>;
    (c as Conn & { query: unknown }).query = (async (sql: string, v?: unknown) => {
      if (kill && sql.startsWith('INSERT INTO `b3`')) { kill = false; await db.query(`KILL ${c.threadId}`); }
      const r = await q(sql, v);
      if (sql === 'COMMIT' && breakCommit && !broke) { broke = true; throw Object.assign(new Error('Connection lost: The server closed the connection.'), { code: 'PROTOCOL_CONNECTION_LOST', fatal: true }); }
      return r;
    }) as unknown as Conn['query'];
    return c;
  };
  await w.write(rows([[N(3), S('c')]]));
  assert.equal(retries, 1, 'the killed batch was retried');
  const before = retries;
  breakCommit = true;
  const c = await w.write(rows([[N(4), S('d')], [N(5), S('e')]]));
  assert.ok(broke && retries === before + 1);
  assert.equal(c.rows, 5);
  const n = await db.query('SELECT COUNT(*) n, COUNT(DISTINCT a) d FROM b3.t');
  assert.equal(Number(n[0].n), 5);
  assert.equal(Number(n[0].d), 5);
  pool.acquire = acquire;
  assert.ok((await be.verify({ schema: 'b3', table: 't' })).ok);
  await be.close();
});

test('resume from the target progress after a crash; verification catches an altered row', async () => {
  task++;
  await db.query('CREATE DATABASE b4');
  await db.query(`CREATE TABLE b4.t (i INT, d DECIMAL(10,2), c CHAR(5), bn BINARY(4), dt DATE, ts DATETIME(3), e ENUM('a','B'),
    st SET('x','y','z'), bt BIT(10), f DOUBLE, n INT NULL)`);
  const r = (k: number): Field[] => [N(`00${k}`), N('1.5'), S('ab  '), S('x'), S('2020-03-07'), S('2020-03-07 01:02:03.5'), S('b'),
    S('z,x'), BITS(Buffer.from([k & 3, 7])), N('1.0e0'), k % 2 ? NULL : N(-k)];
  const all = Array.from({ length: 10 }, (_, k) => r(k));
  const ref = chunk('b4', 't');
  let be = backend();
  await be.open();
  let w = await (await be.openEngine({ schema: 'b4', table: 't' }, 0)).openChunk(ref, initialCommit({ offset: 0, prevRowIdMax: 0 }));
  offset = 0;
  const batch1 = rows(all.slice(0, 4));
  const batch2 = rows(all.slice(4));
  await w.write(batch1);
  await be.close(); // "crash": the local checkpoint never heard of batch 1
  be = backend();
  await be.open();
  const resume = (await be.getCommittedProgress(ref))!;
  assert.equal(resume.pos, batch1.rows[3]!.end);
  assert.equal(resume.rows, 4);
  // resuming from anything else is refused
  const eng = await be.openEngine({ schema: 'b4', table: 't' }, 0);
  await assert.rejects(eng.openChunk(ref, initialCommit({ offset: 0, prevRowIdMax: 0 })), /committed up to/);
  w = await eng.openChunk(ref, resume);
  await w.write(batch2);
  const v = await be.verify({ schema: 'b4', table: 't' });
  assert.equal(v.contentSkipped, '');
  assert.ok(v.ok, JSON.stringify(v, (_, x) => (typeof x === 'bigint' ? String(x) : x)));
  assert.equal(v.actualRows, 10);
  await db.query("UPDATE b4.t SET c = 'abd' WHERE i = 3");
  const bad = await be.verify({ schema: 'b4', table: 't' });
  assert.equal(bad.ok, false);
  assert.equal(bad.actualRows, 10);
  await be.close();
});
