// The simulated TiDB front through a real MySQL client (mysql2) and its status port: DDL with assigned ids,
// SHOW / variables / mysql.tidb, ADMIN CHECKSUM through the coprocessor, ANALYZE, AUTO_INCREMENT rebase,
// information_schema prechecks, and SELECTs answered by decoding the KV an import wrote (protocol.md §8, §10
// items 18–19).
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import mysql from 'mysql2/promise';
import { startSimCluster, type SimCluster } from './sim/index.js';
import { clientsFor, type Clients } from './helpers.js';
import { importPairs } from './job-runner.js';
import { TableEncoder, KVChecksum, fromTiDBJSON, type TableInfo } from '../../src/encode/index.js';
import { FieldKind, type Field } from '../../src/parse/types.js';

interface Env { sim: SimCluster; c: Clients; db: mysql.Connection; status: string }

async function setup(t: TestContext): Promise<Env> {
  const sim = await startSimCluster({ stores: 3, testContext: t });
  const c = await clientsFor(sim);
  t.after(() => c.close());
  const [host, port] = sim.tidbAddr!.split(':');
  const db = await mysql.createConnection({ host, port: Number(port), user: 'root', dateStrings: true, supportBigNumbers: true, bigNumberStrings: true });
  t.after(() => db.end());
  return { sim, c, db, status: `http://${sim.statusAddr}` };
}

const json = async (url: string) => { const r = await fetch(url); assert.equal(r.status, 200, url); return r.json() as Promise<Record<string, unknown>>; };
const field = (v: string | null): Field => (v === null ? { kind: FieldKind.Null, value: Buffer.alloc(0) } : { kind: FieldKind.Str, value: Buffer.from(v) });

/** what the local backend does: table info from the status API, encode, import the KV; returns the local checksum */
async function importRows(e: Env, dbName: string, table: string, rows: (string | null)[][]): Promise<KVChecksum> {
  const info: TableInfo = fromTiDBJSON(await json(`${e.status}/schema/${dbName}/${table}`));
  const enc = new TableEncoder(info);
  const sum = new KVChecksum();
  const pairs = rows.flatMap((r, i) => enc.encodeRow(r.map(field), i + 1)).map((p) => ({ key: Buffer.from(p.key), value: Buffer.from(p.val) }));
  pairs.sort((a, b) => Buffer.compare(a.key, b.key));
  for (const p of pairs) sum.update(p.key, p.value);
  await importPairs(e.c, pairs, await e.c.pd.getTS());
  return sum;
}

const SOURCE: (string | null)[][] = [
  ['1', 'apple', '1.50', '2024-01-02 03:04:05', 'x'.repeat(300)],
  ['2', 'banana', '0.25', '2023-12-31 23:59:59', null],
  ['3', null, '100.00', '2020-02-29 00:00:00', 'short'],
];
const DDL = 'CREATE TABLE IF NOT EXISTS `shop`.`fruit` (`id` int NOT NULL AUTO_INCREMENT, `name` varchar(20), `price` decimal(10,2) NOT NULL, ' +
  '`seen` datetime, `note` text, PRIMARY KEY (`id`) /*T![clustered_index] CLUSTERED */, KEY `idx_name` (`name`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4';

test('version queries, DDL with ids from one allocator, SHOW …, status API TableInfo JSON with the exact keys', async (t) => {
  const e = await setup(t);
  const [[v]] = await e.db.query<mysql.RowDataPacket[]>('SELECT tidb_version()');
  assert.match(v!['tidb_version()'], /^Release Version: v8\.5\.0\n/);
  const [[ver]] = await e.db.query<mysql.RowDataPacket[]>('SELECT version(), @@version');
  assert.deepEqual(Object.values(ver!), ['8.0.11-TiDB-v8.5.0', '8.0.11-TiDB-v8.5.0']);
  await e.db.query('CREATE DATABASE IF NOT EXISTS `shop` /*!40100 DEFAULT CHARACTER SET utf8mb4 */');
  await e.db.query('CREATE DATABASE IF NOT EXISTS `shop`');
  await assert.rejects(e.db.query('CREATE DATABASE shop'), { errno: 1007 });
  await e.db.query(DDL);
  await e.db.query('USE shop');
  await e.db.query('CREATE TABLE parts (a bigint, b char(3)) PARTITION BY HASH(a) PARTITIONS 4');
  await e.db.query('CREATE TABLE after_parts (a int)');
  const [dbs] = await e.db.query<mysql.RowDataPacket[]>('SHOW DATABASES');
  assert.deepEqual(dbs.map((r) => r.Database), ['INFORMATION_SCHEMA', 'METRICS_SCHEMA', 'PERFORMANCE_SCHEMA', 'mysql', 'shop', 'test']);
  const [tables] = await e.db.query<mysql.RowDataPacket[]>("SHOW TABLES LIKE '%a%'");
  assert.deepEqual(tables.map((r) => r.Tables_in_shop), ['after_parts', 'parts']);
  const [[sct]] = await e.db.query<mysql.RowDataPacket[]>('SHOW CREATE TABLE fruit');
  assert.match(sct!['Create Table'], /^CREATE TABLE `fruit` \(`id` int NOT NULL AUTO_INCREMENT/);

  const shop = await json(`${e.status}/schema`) as unknown as { id: number; db_name: { O: string } }[];
  const shopId = shop.find((d) => d.db_name.O === 'shop')!.id;
  const fruit = await json(`${e.status}/schema/shop/fruit`);
  // protocol.md §8.1: keys in marshal order (auto_inc_id_extra and old_schema_id are omitempty)
  assert.deepEqual(Object.keys(fruit), ['id', 'name', 'charset', 'collate', 'cols', 'index_info', 'constraint_info', 'fk_info', 'state',
    'pk_is_handle', 'is_common_handle', 'common_handle_version', 'comment', 'auto_inc_id', 'auto_id_cache', 'auto_rand_id', 'max_col_id',
    'max_idx_id', 'max_fk_id', 'max_cst_id', 'update_timestamp', 'ShardRowIDBits', 'max_shard_row_id_bits', 'auto_random_bits',
    'auto_random_range_bits', 'pre_split_regions', 'partition', 'compression', 'view', 'sequence', 'Lock', 'version', 'tiflash_replica',
    'is_columnar', 'temp_table_type', 'cache_table_status', 'policy_ref_info', 'stats_options', 'exchange_partition_info', 'ttl_info', 'revision']);
  const cols = fruit.cols as Record<string, unknown>[];
  assert.deepEqual(Object.keys(cols[0]!), ['id', 'name', 'offset', 'origin_default', 'origin_default_bit', 'default', 'default_bit',
    'default_is_expr', 'generated_expr_string', 'generated_stored', 'dependences', 'type', 'state', 'comment', 'hidden', 'change_state_info', 'version']);
  assert.deepEqual(Object.keys(cols[0]!.type as object), ['Tp', 'Flag', 'Flen', 'Decimal', 'Charset', 'Collate', 'Elems', 'ElemsIsBinaryLit', 'Array']);
  assert.deepEqual(cols.map((c) => c.id), [1, 2, 3, 4, 5]);
  assert.deepEqual(cols[1]!.type, { Tp: 15, Flag: 8, Flen: 20, Decimal: 0, Charset: 'utf8mb4', Collate: 'utf8mb4_bin', Elems: null, ElemsIsBinaryLit: null, Array: false });
  const idx = fruit.index_info as Record<string, unknown>[];
  assert.deepEqual(idx.map((i) => [i.id, (i.idx_name as { O: string }).O]), [[1, 'idx_name']]);
  assert.deepEqual(Object.keys(idx[0]!).slice(0, 13), ['id', 'idx_name', 'tbl_name', 'idx_cols', 'state', 'backfill_state', 'comment',
    'index_type', 'is_unique', 'is_primary', 'is_invisible', 'is_global', 'mv_index']);
  assert.equal(fruit.pk_is_handle, true);
  assert.ok((fruit.id as number) > shopId);
  const parts = await json(`${e.status}/schema/shop/parts`);
  const defs = (parts.partition as { definitions: { id: number }[] }).definitions.map((d) => d.id);
  assert.deepEqual(defs, [1, 2, 3, 4].map((i) => (parts.id as number) + i));
  assert.equal((await json(`${e.status}/schema/shop/after_parts`)).id, (parts.id as number) + 5);
  assert.equal((await json(`${e.status}/schema?table_id=${fruit.id as number}`)).id, fruit.id);
  assert.equal(((await (await fetch(`${e.status}/schema/shop`)).json()) as unknown[]).length, 3);
  const status = await json(`${e.status}/status`);
  assert.deepEqual([status.version, status.connections], ['8.0.11-TiDB-v8.5.0', 1]);
  assert.equal((await fetch(`${e.status}/schema/shop/nope`)).status, 404);
  assert.equal((await json(`${e.status}/settings`)).port, Number(e.sim.tidbAddr!.split(':')[1]));
});

test('rows imported as KV: SELECT * / COUNT(*) / WHERE / ORDER BY decode them; ADMIN CHECKSUM equals the local checksum', async (t) => {
  const e = await setup(t);
  await e.db.query('CREATE DATABASE shop');
  await e.db.query(DDL);
  // the precheck's emptiness probe on a fresh table
  const [none] = await e.db.query<mysql.RowDataPacket[]>('SELECT 1 FROM `shop`.`fruit` USE INDEX() LIMIT 1');
  assert.equal(none.length, 0);
  const local = await importRows(e, 'shop', 'fruit', SOURCE);
  const [one] = await e.db.query<mysql.RowDataPacket[]>('SELECT 1 FROM `shop`.`fruit` USE INDEX() LIMIT 1');
  assert.equal(one.length, 1);
  const [[cnt]] = await e.db.query<mysql.RowDataPacket[]>('SELECT COUNT(*) AS n FROM shop.fruit');
  assert.equal(Number(cnt!.n), 3);
  const [all] = await e.db.query<mysql.RowDataPacket[]>({ sql: 'SELECT * FROM shop.fruit ORDER BY id', rowsAsArray: true });
  assert.deepEqual(all, SOURCE.map((r) => [Number(r[0]), ...r.slice(1)]));
  const [some] = await e.db.query<mysql.RowDataPacket[]>("SELECT name, price FROM shop.fruit WHERE price > 1 AND name IS NOT NULL OR id = 2 ORDER BY price DESC");
  assert.deepEqual(some.map((r) => [r.name, r.price]), [['apple', '1.50'], ['banana', '0.25']]);
  const [[agg]] = await e.db.query<mysql.RowDataPacket[]>('SELECT MAX(id) AS m, MIN(seen) AS s, COUNT(name) AS c FROM shop.fruit');
  assert.deepEqual([Number(agg!.m), agg!.s, Number(agg!.c)], [3, '2020-02-29 00:00:00', 2]);

  const [[sum]] = await e.db.query<mysql.RowDataPacket[]>('ADMIN CHECKSUM TABLE `shop`.`fruit`');
  assert.deepEqual(sum, { Db_name: 'shop', Table_name: 'fruit', Checksum_crc64_xor: local.sum.toString(), Total_kvs: String(local.kvs), Total_bytes: String(local.bytes) });
  assert.equal(local.kvs, 6); // 3 rows + 3 idx_name entries (a NULL name is indexed too)
});

test('mysql.tidb GC life time, variables (SET / @@ / SHOW VARIABLES), ANALYZE, ALTER TABLE AUTO_INCREMENT, SHOW TABLE NEXT_ROW_ID', async (t) => {
  const e = await setup(t);
  const gc = "SELECT VARIABLE_VALUE FROM mysql.tidb WHERE VARIABLE_NAME = 'tikv_gc_life_time'";
  assert.deepEqual((await e.db.query<mysql.RowDataPacket[]>(gc))[0], [{ VARIABLE_VALUE: '10m0s' }]);
  const [upd] = await e.db.query<mysql.ResultSetHeader>("UPDATE mysql.tidb SET VARIABLE_VALUE = '100h0m0s' WHERE VARIABLE_NAME = 'tikv_gc_life_time'");
  assert.equal(upd.affectedRows, 1);
  assert.deepEqual((await e.db.query<mysql.RowDataPacket[]>(gc))[0], [{ VARIABLE_VALUE: '100h0m0s' }]);
  assert.deepEqual((await e.db.query<mysql.RowDataPacket[]>('SELECT @@global.tidb_gc_life_time AS v'))[0], [{ v: '100h0m0s' }]);

  await e.db.query("SET SESSION tidb_backoff_weight = '30', @@session.tidb_build_stats_concurrency = 20, NAMES utf8mb4");
  await e.db.query('SET @@tidb_distsql_scan_concurrency = 15');
  const [[vars]] = await e.db.query<mysql.RowDataPacket[]>('SELECT @@tidb_backoff_weight AS w, @@session.tidb_build_stats_concurrency AS b, @@global.tidb_backoff_weight AS g');
  assert.deepEqual([vars!.w, vars!.b, vars!.g], ['30', '20', '2']);
  const [shown] = await e.db.query<mysql.RowDataPacket[]>("SHOW VARIABLES WHERE Variable_name IN ('tidb_row_format_version', 'max_allowed_packet')");
  assert.deepEqual(shown.map((r) => [r.Variable_name, r.Value]), [['max_allowed_packet', '67108864'], ['tidb_row_format_version', '2']]);
  assert.equal((await e.db.query<mysql.RowDataPacket[]>("SHOW VARIABLES LIKE 'TIDB_ROW_FORMAT%'"))[0].length, 1);
  await assert.rejects(e.db.query('SELECT @@no_such_variable'), { errno: 1193 });
  assert.deepEqual((await e.db.query<mysql.RowDataPacket[]>('select current_resource_group() AS g'))[0], [{ g: 'default' }]);

  await e.db.query('CREATE DATABASE shop');
  await e.db.query(DDL);
  await e.db.query('ANALYZE TABLE `shop`.`fruit`');
  assert.equal(e.sim.tidb!.catalog.table('shop', 'fruit').analyzeCount, 1);
  const nextRowId = async () => (await e.db.query<mysql.RowDataPacket[]>('SHOW TABLE `shop`.`fruit` NEXT_ROW_ID'))[0].map((r) => [r.COLUMN_NAME, r.NEXT_GLOBAL_ROW_ID, r.ID_TYPE]);
  assert.deepEqual(await nextRowId(), [['id', '1', 'AUTO_INCREMENT']]);
  await e.db.query('ALTER TABLE `shop`.`fruit` AUTO_INCREMENT=100');
  await e.db.query('ALTER TABLE `shop`.`fruit` AUTO_INCREMENT=50'); // never backwards …
  assert.deepEqual(await nextRowId(), [['id', '100', 'AUTO_INCREMENT']]);
  assert.equal((await json(`${e.status}/schema/shop/fruit`)).auto_inc_id, 100);
  await e.db.query('ALTER TABLE `shop`.`fruit` FORCE AUTO_INCREMENT=50'); // … unless forced
  assert.deepEqual(await nextRowId(), [['id', '50', 'AUTO_INCREMENT']]);
  const [[it]] = await e.db.query<mysql.RowDataPacket[]>("SELECT AUTO_INCREMENT, TIDB_TABLE_ID FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'shop' AND TABLE_NAME = 'fruit'");
  assert.equal(it!.AUTO_INCREMENT, '50');
  assert.match((await e.db.query<mysql.RowDataPacket[]>('SHOW CREATE TABLE shop.fruit'))[0][0]!['Create Table'], /AUTO_INCREMENT=50$/);
});

test('information_schema as prechecks read it; errors carry MySQL codes; authentication', async (t) => {
  const e = await setup(t);
  await e.db.query('CREATE DATABASE shop');
  await e.db.query(DDL);
  const [tabs] = await e.db.query<mysql.RowDataPacket[]>("SELECT TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'shop'");
  assert.deepEqual(tabs, [{ TABLE_NAME: 'fruit', TABLE_TYPE: 'BASE TABLE' }]);
  const [colsIs] = await e.db.query<mysql.RowDataPacket[]>("SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_KEY FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'shop' AND TABLE_NAME = 'fruit' ORDER BY ORDINAL_POSITION");
  assert.deepEqual(colsIs.map((r) => Object.values(r)), [['id', 'int(11)', 'NO', 'PRI'], ['name', 'varchar(20)', 'YES', 'MUL'],
    ['price', 'decimal(10,2)', 'NO', ''], ['seen', 'datetime', 'YES', ''], ['note', 'text', 'YES', '']]);
  assert.deepEqual((await e.db.query<mysql.RowDataPacket[]>('SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.TIFLASH_REPLICA WHERE REPLICA_COUNT > 0;'))[0], []);
  const [[sch]] = await e.db.query<mysql.RowDataPacket[]>("SELECT COUNT(*) AS n FROM information_schema.SCHEMATA WHERE SCHEMA_NAME IN ('shop', 'mysql')");
  assert.equal(Number(sch!.n), 2);
  const [ci] = await e.db.query<mysql.RowDataPacket[]>("SELECT TYPE FROM information_schema.CLUSTER_INFO WHERE TYPE = 'tikv'");
  assert.equal(ci.length, 3);

  await assert.rejects(e.db.query('SELECT * FROM shop.nope'), { errno: 1146, code: 'ER_NO_SUCH_TABLE' });
  await assert.rejects(e.db.query('USE nope'), { errno: 1049 });
  await assert.rejects(e.db.query('SELECT * FROM fruit'), { errno: 1046 });
  await assert.rejects(e.db.query('SELEC 1'), { errno: 8200 });
  await assert.rejects(e.db.query('SELECT 1 FROM'), { errno: 1064 });
  await assert.rejects(e.db.query('SELECT nope FROM shop.fruit'), { errno: 1054 });
  await assert.rejects(e.db.query('ALTER TABLE shop.fruit ADD INDEX i2 (price)'), (x: { errno: number; message: string }) => x.errno === 8200 && /simulator/.test(x.message));
  await assert.rejects(e.db.query('CREATE TABLE shop.bad (a nosuchtype)'), { errno: 1064 });
  const [host, port] = e.sim.tidbAddr!.split(':');
  await assert.rejects(mysql.createConnection({ host, port: Number(port), user: 'root', password: 'secret' }), { errno: 1045 });
  await assert.rejects(mysql.createConnection({ host, port: Number(port), user: 'root', database: 'nope' }), { errno: 1049 });
  const withDb = await mysql.createConnection({ host, port: Number(port), user: 'root', database: 'shop' });
  assert.deepEqual((await withDb.query<mysql.RowDataPacket[]>('SELECT DATABASE() AS d'))[0], [{ d: 'shop' }]);
  await withDb.end();
});

test('a user with a password (mysql_native_password is checked)', async (t) => {
  const sim = await startSimCluster({ stores: 1, testContext: t, tidb: { users: { lightning: 's3cret' } } });
  const [host, port] = sim.tidbAddr!.split(':');
  await assert.rejects(mysql.createConnection({ host, port: Number(port), user: 'lightning', password: 'wrong' }), { errno: 1045 });
  await assert.rejects(mysql.createConnection({ host, port: Number(port), user: 'root' }), { errno: 1045 });
  const ok = await mysql.createConnection({ host, port: Number(port), user: 'lightning', password: 's3cret' });
  assert.deepEqual((await ok.query<mysql.RowDataPacket[]>('SELECT CURRENT_USER() AS u'))[0], [{ u: 'lightning@127.0.0.1' }]);
  await ok.end();
});

test('INSERT … VALUES: rows encoded like an import and committed on every peer; duplicates 1062 or IGNOREd; auto ids; checksum sees them', async (t) => {
  const e = await setup(t);
  await e.db.query('CREATE DATABASE shop');
  await e.db.query(DDL);
  const [r1] = await e.db.query<mysql.ResultSetHeader>("INSERT INTO shop.fruit (name, price, seen) VALUES ('kiwi', 2.5, '2024-05-06 07:08:09'), ('fig', -1, NULL)");
  assert.deepEqual([r1.affectedRows, r1.insertId], [2, 1]);
  const [r2] = await e.db.query<mysql.ResultSetHeader>("INSERT INTO shop.fruit VALUES (10, 'lime', 0.1, NULL, x'00ff')");
  assert.equal(r2.affectedRows, 1);
  const [r3] = await e.db.query<mysql.ResultSetHeader>("INSERT INTO shop.fruit (name, price) VALUES ('plum', 3)");
  assert.equal(r3.insertId, 11); // past the explicit id 10
  await assert.rejects(e.db.query("INSERT INTO shop.fruit VALUES (10, 'dup', 1, NULL, NULL)"), { errno: 1062 });
  const [r4] = await e.db.query<mysql.ResultSetHeader>("INSERT IGNORE INTO shop.fruit VALUES (10, 'dup', 1, NULL, NULL), (12, 'pear', 1, NULL, NULL)");
  assert.equal(r4.affectedRows, 1);
  await assert.rejects(e.db.query("INSERT INTO shop.fruit (name) VALUES ('x', 'y')"), { errno: 1136 });
  const [rows] = await e.db.query<mysql.RowDataPacket[]>({ sql: 'SELECT id, name, price, seen, note FROM shop.fruit ORDER BY id', rowsAsArray: true });
  assert.deepEqual(rows, [[1, 'kiwi', '2.50', '2024-05-06 07:08:09', null], [2, 'fig', '-1.00', null, null], [10, 'lime', '0.10', null, '\u0000\ufffd'],
    [11, 'plum', '3.00', null, null], [12, 'pear', '1.00', null, null]]);
  for (const id of e.sim.storeIds) assert.equal(e.sim.data(id).length, 10); // 5 rows + 5 idx_name entries on every peer
  const [[cs]] = await e.db.query<mysql.RowDataPacket[]>('ADMIN CHECKSUM TABLE shop.fruit');
  assert.equal(cs!.Total_kvs, '10');
  assert.equal((await e.db.query<mysql.RowDataPacket[]>('SELECT 1 FROM shop.fruit USE INDEX() LIMIT 1'))[0].length, 1);
});
