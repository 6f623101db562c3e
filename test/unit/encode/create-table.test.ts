// The offline CREATE TABLE builder must encode every table-row vector exactly like the vector's own table_info.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { buildTableInfo } from '../../../src/encode/schema/create-table.js';
import { TableEncoder } from '../../../src/encode/table.js';
import { fieldFromInput } from '../../../src/encode/convert.js';
import { Tp, Flag } from '../../../src/encode/types.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const file = path.join(root, '..', 'shared', 'vectors', 'table-row.json');

interface Case { name: string; create_table: string; table_info: { id: number }; row: unknown[]; handle?: string; sql_mode: string; time_zone: string; row_format_version: 1 | 2; expect: { key: string; val: string }[] }

test('CREATE TABLE builder reproduces every table-row vector', { skip: !existsSync(file) && 'no vectors' }, () => {
  const cases = JSON.parse(readFileSync(file, 'utf8')) as Case[];
  const fails: string[] = [];
  for (const c of cases) {
    try {
      const ti = buildTableInfo(c.create_table, { tableID: Number(c.table_info.id) });
      const enc = new TableEncoder(ti, { sqlMode: c.sql_mode, timeZone: c.time_zone, rowFormatVersion: c.row_format_version });
      const got = enc.encodeRow(c.row.map(fieldFromInput), c.handle ? BigInt.asIntN(64, BigInt(c.handle)) : 1n)
        .map((p) => ({ key: p.key.toString('hex'), val: p.val.toString('hex') }));
      if (JSON.stringify(got) !== JSON.stringify(c.expect)) fails.push(c.name);
    } catch (e) {
      fails.push(`${c.name}: ${(e as Error).message}`);
    }
  }
  assert.deepEqual(fails.slice(0, 10), []);
});

test('builder: sysbench table, int handle, defaults, partition ids', () => {
  const t = buildTableInfo(`CREATE TABLE IF NOT EXISTS \`db\`.\`sbtest1\` (
    \`id\` int(11) NOT NULL AUTO_INCREMENT, \`k\` int NOT NULL DEFAULT '0', \`c\` char(120) NOT NULL DEFAULT '',
    PRIMARY KEY (\`id\`), KEY \`k_1\` (\`k\`)) ENGINE=InnoDB /*!40101 DEFAULT CHARSET=latin1 */
    PARTITION BY HASH(id) PARTITIONS 3`, { tableID: 50 });
  assert.equal(t.pk_is_handle, true);
  assert.equal(t.index_info.length, 1);
  assert.equal(t.index_info[0]!.id, 1);
  assert.equal(t.cols[2]!.type.Tp, Tp.String);
  assert.equal(t.cols[2]!.type.Collate, 'latin1_bin');
  assert.ok(t.cols[0]!.type.Flag & Flag.AutoIncrement);
  assert.equal(t.cols[1]!.default, '0');
  assert.deepEqual(t.partition!.definitions.map((d) => d.id), [51, 52, 53]);
});
