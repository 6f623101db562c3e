// Go spellings of sizes (units.RAMInBytes), durations (time.ParseDuration) and booleans (strconv.ParseBool).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, parseByteSize, parseDuration, parseGoBool, goRegExp } from '../../../src/config/units.js';
import { findKeyLine } from '../../../src/config/locate.js';
import { tomlKeyOf } from '../../../src/config/schema.js';

test('sizes: K, KB, KiB all mean 1024; case-insensitive; fractions; plain bytes', () => {
  const cases: Array<[string, number | undefined]> = [
    ['16K', 16384], ['16KB', 16384], ['16KiB', 16384], ['16k', 16384], ['16kib', 16384], ['96MiB', 96 * 2 ** 20],
    ['512MB', 512 * 2 ** 20], ['1G', 2 ** 30], ['1.5g', 1.5 * 2 ** 30], ['2T', 2 * 2 ** 40], ['1P', 2 ** 50], ['100', 100],
    ['100B', 100], ['10 MiB', 10 * 2 ** 20], ['', undefined], ['MiB', undefined], ['-1K', undefined], ['16X', undefined],
    ['1.2.3K', undefined], ['16 K B', undefined],
  ];
  for (const [s, want] of cases) assert.equal(parseByteSize(s), want, s);
});

test('durations in milliseconds', () => {
  const cases: Array<[string, number | undefined]> = [
    ['5m', 300_000], ['1h30m', 5_400_000], ['500ms', 500], ['1.5s', 1500], ['0', 0], ['-2s', -2000], ['1h0m0s', 3_600_000],
    ['100us', 0.1], ['2h45m30.5s', 9_930_500], ['5', undefined], ['', undefined], ['5 m', undefined], ['1d', undefined], ['m', undefined],
  ];
  for (const [s, want] of cases) assert.equal(parseDuration(s), want, s);
  for (const ms of [300_000, 5_400_000, 500, 1500, 0, 90_000, 7_200_000, 3_723_004]) assert.equal(parseDuration(formatDuration(ms)), ms);
  assert.equal(formatDuration(300_000), '5m0s');
  assert.equal(formatDuration(5_400_000), '1h30m0s');
});

test('Go booleans', () => {
  for (const t of ['1', 't', 'T', 'true', 'TRUE', 'True']) assert.equal(parseGoBool(t), true);
  for (const f of ['0', 'f', 'F', 'false', 'FALSE', 'False']) assert.equal(parseGoBool(f), false);
  for (const x of ['yes', 'on', '', 'tRuE']) assert.equal(parseGoBool(x), undefined);
});

test('Go named groups are accepted', () => {
  assert.equal(goRegExp('^(?P<db>\\w+)\\.(?P<tbl>\\w+)$').exec('a.b')?.groups?.tbl, 'b');
});

test('findKeyLine: tables, arrays of tables, dotted keys, inline tables, multi-line strings', () => {
  const text = [
    'a = 1', // 1
    '[tidb]', // 2
    'port = 4000', // 3
    '"status-port" = 1', // 4
    '[[mydumper.files]]', // 5
    'pattern = "x"', // 6
    '[[mydumper.files]]', // 7
    'pattern = """', // 8
    'port = 1', // 9 (inside a string)
    '"""', // 10
    'type = "csv"', // 11
    '[lightning]', // 12
    'max-error = { type = 1 }', // 13
    'cron.switch-mode = "1m"', // 14
    '[[routes]]', // 15
    '[routes.extract-table]', // 16
    'table-regexp = "x"', // 17
  ].join('\n');
  assert.equal(findKeyLine(text, ['tidb', 'port']), 3);
  assert.equal(findKeyLine(text, ['tidb', 'status-port']), 4);
  assert.equal(findKeyLine(text, ['mydumper', 'files', 0, 'pattern']), 6);
  assert.equal(findKeyLine(text, ['mydumper', 'files', 1, 'type']), 11);
  assert.equal(findKeyLine(text, ['mydumper', 'files', 1, 'port']), 7, 'text inside a multi-line string is not a key');
  assert.equal(findKeyLine(text, ['lightning', 'max-error', 'type']), 13);
  assert.equal(findKeyLine(text, ['lightning', 'cron', 'switch-mode']), 14);
  assert.equal(findKeyLine(text, ['routes', 0, 'extract-table', 'table-regexp']), 17);
  assert.equal(findKeyLine(text, ['tidb', 'user']), 2, 'unwritten key → its section');
  assert.equal(findKeyLine(text, ['post-restore', 'checksum']), undefined);
});

test('tomlKeyOf maps camelCase paths back to TOML keys', () => {
  assert.equal(tomlKeyOf('tikvImporter.sortedKvDir'), 'tikv-importer.sorted-kv-dir');
  assert.equal(tomlKeyOf('routes[1].extractTable.tableRegexp'), 'routes[1].extract-table.table-regexp');
  assert.equal(tomlKeyOf('postRestore.level1Compact'), 'post-restore.level-1-compact');
});

test('Go leading inline flags become RegExp flags', () => {
  const re = goRegExp('(?i)^(?:[^/]*/)*([a-z0-9_]+)\\.([a-z0-9_]+)\\.csv$');
  assert.equal(re.flags, 'i');
  assert.equal(re.exec('dir/DB1.T1.CSV')?.[2], 'T1');
});
