// Bad config files: each error has the Go tool's code, names the TOML key and the line it is on.
import { test } from 'node:test';
import { Codes } from '../../../src/errors.js';
import { assertConfigError, dataDir, loadText } from './helpers.js';
import { loadConfig } from '../../../src/config/load.js';

/** The rest of a valid config comes from flags, so each case's TOML is the whole file and its lines are exact. */
function baseFlags(c: { extra: string; backend?: string }): string[] {
  const flags = ['-d', dataDir, '-tidb-port', '4000'];
  if (/^backend\s*=/m.test(c.extra)) return flags;
  if (c.backend === 'local') return [...flags, '-backend', 'local', '-sorted-kv-dir', '/tmp/skv'];
  return [...flags, '-backend', 'tidb'];
}

interface Case { name: string; extra: string; key: string; line: number; backend?: string; code?: string; msg?: RegExp }
const cases: Case[] = [
  { name: 'unknown key', extra: '[tidb]\nprot = 4000\n', key: 'tidb.prot', line: 2 },
  { name: 'unknown section', extra: '[lightnin]\nlevel = "info"\n', key: 'lightnin', line: 1 },
  { name: 'unknown key in array table', extra: '[[mydumper.files]]\npattern = "x"\ntype = "csv"\nschemas = "a"\n', key: 'mydumper.files[0].schemas', line: 4 },
  { name: 'wrong type: string for int', extra: '[lightning]\nio-concurrency = "5"\n', key: 'lightning.io-concurrency', line: 2 },
  { name: 'wrong type: float for int', extra: '[lightning]\n\nregion-concurrency = 1.5\n', key: 'lightning.region-concurrency', line: 3 },
  { name: 'wrong type: int for bool', extra: '[checkpoint]\nenable = 1\n', key: 'checkpoint.enable', line: 2 },
  { name: 'wrong type: table for string', extra: '[lightning.file]\nx = 1\n', key: 'lightning.file', line: 1 },
  { name: 'wrong type: filter not a list', extra: '[mydumper]\nfilter = "*.*"\n', key: 'mydumper.filter', line: 2 },
  { name: 'bad size', extra: '[mydumper]\nread-block-size = "64 kilobytes"\n', key: 'mydumper.read-block-size', line: 2 },
  { name: 'bad size type', extra: '[tikv-importer]\nsend-kv-size = true\n', key: 'tikv-importer.send-kv-size', line: 2 },
  { name: 'bad duration', extra: '[cron]\nswitch-mode = "5 minutes"\n', key: 'cron.switch-mode', line: 2 },
  { name: 'duration without unit', extra: '[cron]\n\nlog-progress = "300"\n', key: 'cron.log-progress', line: 3 },
  { name: 'bad enum: checkpoint driver', extra: '[checkpoint]\ndriver = "sqlite"\n', key: 'checkpoint.driver', line: 2 },
  { name: 'bad enum: tidb.tls', extra: '[tidb]\ntls = "yes"\n', key: 'tidb.tls', line: 2 },
  { name: 'bad op level', extra: '[post-restore]\nchecksum = "maybe"\n', key: 'post-restore.checksum', line: 2 },
  { name: 'bad keep-after-success', extra: '[checkpoint]\nkeep-after-success = "keep"\n', key: 'checkpoint.keep-after-success', line: 2 },
  { name: 'bad conflict strategy', extra: '[conflict]\nstrategy = "overwrite"\n', key: 'conflict.strategy', line: 2 },
  { name: 'bad max-error', extra: '[lightning]\nmax-error = "10"\n', key: 'lightning.max-error', line: 2 },
  { name: 'bad log level', extra: '[lightning]\nlevel = "verbose"\n', key: 'lightning.level', line: 2 },
  { name: 'unsupported backend', extra: '[tikv-importer]\nbackend = "spark"\n', key: 'tikv-importer.backend', line: 2 },
  { name: 'server-mode without status-addr', extra: '[lightning]\nserver-mode = true\n', key: 'lightning.server-mode', line: 2, msg: /If server-mode is enabled, the status-addr must be a valid listen address/ },
  { name: 'strategy=ignore with local', extra: '[conflict]\nstrategy = "ignore"\n', backend: 'local', key: 'conflict.strategy', line: 2, msg: /cannot be set to "ignore" when use tikv-importer.backend = "local"/ },
  { name: 'threshold with strategy=error', extra: '[conflict]\nstrategy = "error"\nthreshold = 10\n', key: 'conflict.threshold', line: 3, msg: /conflict.threshold cannot be set when use conflict.strategy = "error"/ },
  { name: 'strategy and duplicate-resolution', extra: '[conflict]\nstrategy = "replace"\n[tikv-importer]\nduplicate-resolution = "remove"\n', backend: 'local', key: 'conflict.strategy', line: 2, msg: /cannot be used with tikv-importer.duplicate-resolution/ },
  { name: 'precheck conflicts with tidb backend', extra: '[conflict]\nprecheck-conflict-before-import = true\n', key: 'conflict.precheck-conflict-before-import', line: 2 },
  { name: 'csv separator is a prefix of delimiter', extra: '[mydumper.csv]\nseparator = "\'"\ndelimiter = "\'\'"\n', key: 'mydumper.csv.separator', line: 2, msg: /must not be prefix of each other/ },
  { name: 'csv separator empty', extra: '[mydumper.csv]\nseparator = ""\n', key: 'mydumper.csv.separator', line: 2 },
  { name: 'csv escaped-by two chars', extra: '[mydumper.csv]\nescaped-by = "\\\\\\\\"\n', key: 'mydumper.csv.escaped-by', line: 2 },
  { name: 'csv escaped-by = separator', extra: '[mydumper.csv]\nseparator = "|"\nescaped-by = "|"\n', key: 'mydumper.csv.escaped-by', line: 3 },
  { name: 'csv starting-by contains the terminator', extra: '[mydumper.csv]\nterminator = ";"\nstarting-by = "a;"\n', key: 'mydumper.csv.starting-by', line: 3 },
  { name: 'csv starting-by not a string', extra: '[mydumper.csv]\nstarting-by = 1\n', key: 'mydumper.csv.starting-by', line: 2 },
  { name: 'csv allow-empty-line not a bool', extra: '[mydumper.csv]\nallow-empty-line = "yes"\n', key: 'mydumper.csv.allow-empty-line', line: 2 },
  { name: 'invalid char replace collides', extra: '[mydumper]\ndata-invalid-char-replace = ","\n', key: 'mydumper.data-invalid-char-replace', line: 2 },
  { name: 'strict-format without terminator', extra: '[mydumper]\nstrict-format = true\n', key: 'mydumper.strict-format', line: 2 },
  { name: 'bad data-character-set', extra: '[mydumper]\ndata-character-set = "ebcdic"\n', key: 'mydumper.data-character-set', line: 2 },
  { name: 'file rule bad type', extra: '[[mydumper.files]]\npattern = "x"\ntype = "xml"\n', key: 'mydumper.files[0].type', line: 3 },
  { name: 'file rule bad regexp', extra: '[[mydumper.files]]\ntype = "csv"\npattern = "(unclosed"\n', key: 'mydumper.files[0].pattern', line: 3 },
  { name: 'route without target schema', extra: '[[routes]]\nschema-pattern = "a"\n\n[[routes]]\nschema-pattern = "b"\n', key: 'routes[0].target-schema', line: 1 },
  { name: 'bad sql-mode', extra: '[tidb]\nsql-mode = "NOT_A_MODE"\n', key: 'tidb.sql-mode', line: 2 },
  { name: 'tls=cluster without ca', extra: '[tidb]\ntls = "cluster"\n', key: 'tidb.tls', line: 2 },
  { name: 'logical batch rows 0', extra: '[tikv-importer]\nlogical-import-batch-rows = 0\n', key: 'tikv-importer.logical-import-batch-rows', line: 2 },
  { name: 'pause scope', extra: '[tikv-importer]\npause-pd-scheduler-scope = "cluster"\n', backend: 'local', key: 'tikv-importer.pause-pd-scheduler-scope', line: 2 },
  { name: 'parallel-import with add-index-by-sql', extra: '[tikv-importer]\nparallel-import = true\nadd-index-by-sql = true\n', backend: 'local', key: 'tikv-importer.add-index-by-sql', line: 3 },
  { name: 'syntax error', extra: '[tidb]\nhost = "a" "b"\n', key: 'test.toml', line: 2, code: Codes.ParseConfigFile },
  { name: 'duplicate key', extra: '[tidb]\nuser = "a"\nuser = "b"\n', key: 'test.toml', line: 3, code: Codes.ParseConfigFile },
];

for (const c of cases) {
  test(`config error: ${c.name}`, () => {
    const err = assertConfigError(() => loadText(c.extra, baseFlags(c)), c.code ?? Codes.InvalidConfig, c.key, c.line);
    if (c.msg && !c.msg.test(err.message)) throw new Error(`message ${err.message} does not match ${String(c.msg)}`);
  });
}

test('config error: unreadable file', () => {
  assertConfigError(() => loadConfig({ file: '/nonexistent/lightning.toml' }), Codes.ReadConfigFile, '/nonexistent/lightning.toml');
});

test('config error: a key given by flag is named with the flag', () => {
  const err = assertConfigError(() => loadText('', ['-d', dataDir, '-backend', 'tidb']), Codes.InvalidConfig, 'tidb.port');
  if (!/invalid `tidb.port` setting/.test(err.message)) throw new Error(err.message);
  assertConfigError(() => loadText('', ['-d', '/nonexistent/dir', '-backend', 'tidb', '-tidb-port', '1']), Codes.InvalidConfig, 'flag -d');
});
