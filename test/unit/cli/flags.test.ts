// Flags over the config file with Go's precedence, flag by flag; Go flag syntax; -h/-V; ctl actions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Codes, LightningError } from '../../../src/errors.js';
import { parseCtlArgs, parseLightningArgs } from '../../../src/config/args.js';
import { FLAG_KEYS, LIGHTNING_FLAGS } from '../../../src/config/flags.js';
import type { Config } from '../../../src/config/types.js';

const dir = mkdtempSync(join(tmpdir(), 'cfg-flags-'));
const dataA = mkdtempSync(join(tmpdir(), 'cfg-flags-a-'));
const dataB = mkdtempSync(join(tmpdir(), 'cfg-flags-b-'));
let n = 0;
function file(text: string): string {
  const p = join(dir, `c${n++}.toml`);
  writeFileSync(p, text);
  return p;
}

/** A file setting every flag-overridable key to a non-default value. */
const FILE = `
[lightning]
level = "warn"
file = "-"
status-addr = "127.0.0.1:1111"
server-mode = false
check-requirements = true
[tidb]
host = "file-host"
port = 1111
user = "file-user"
password = "file-pass-123"
status-port = 1112
pd-addr = "file-pd:2379"
[mydumper]
data-source-dir = ${JSON.stringify(dataA)}
no-schema = false
filter = ["file.*"]
[tikv-importer]
backend = "tidb"
addr = "file-importer:8287"
sorted-kv-dir = "/tmp/file-skv"
remote-addr = "file-remote"
[checkpoint]
enable = true
[post-restore]
checksum = "optional"
analyze = "optional"
[security]
ca-path = "/file/ca"
cert-path = "/file/cert"
key-path = "/file/key"
redact-info-log = false
`;

function run(argv: string[], env: Record<string, string> = {}): Config {
  const r = parseLightningArgs(argv, env);
  assert.equal(r.kind, 'run');
  return (r as Extract<typeof r, { kind: 'run' }>).config;
}

interface FlagCase {
  flag: string;
  value?: string;
  /** path in Config and the values expected: from the file alone, with the flag */
  get: (c: Config) => unknown;
  fileValue: unknown;
  flagValue: unknown;
  /** a value that must NOT override (Go: empty / zero / true) */
  noOverride?: string;
}

const cases: FlagCase[] = [
  { flag: 'L', value: 'debug', get: (c) => c.lightning.level, fileValue: 'warn', flagValue: 'debug', noOverride: '' },
  { flag: 'log-file', value: '/tmp/x.log', get: (c) => c.lightning.file, fileValue: '-', flagValue: '/tmp/x.log', noOverride: '' },
  { flag: 'tidb-host', value: 'flag-host', get: (c) => c.tidb.host, fileValue: 'file-host', flagValue: 'flag-host', noOverride: '' },
  { flag: 'tidb-port', value: '4000', get: (c) => c.tidb.port, fileValue: 1111, flagValue: 4000, noOverride: '0' },
  { flag: 'tidb-user', value: 'flag-user', get: (c) => c.tidb.user, fileValue: 'file-user', flagValue: 'flag-user', noOverride: '' },
  { flag: 'tidb-password', value: 'flag-pass-456', get: (c) => c.tidb.password, fileValue: 'file-pass-123', flagValue: 'flag-pass-456', noOverride: '' },
  { flag: 'tidb-status', value: '20080', get: (c) => c.tidb.statusPort, fileValue: 1112, flagValue: 20080, noOverride: '0' },
  { flag: 'pd-urls', value: 'flag-pd:2379', get: (c) => c.tidb.pdAddr, fileValue: 'file-pd:2379', flagValue: 'flag-pd:2379', noOverride: '' },
  { flag: 'd', value: dataB, get: (c) => c.mydumper.dataSourceDir, fileValue: dataA, flagValue: dataB, noOverride: '' },
  { flag: 'f', value: 'flag.*', get: (c) => c.mydumper.filter, fileValue: ['file.*'], flagValue: ['flag.*'] },
  { flag: 'backend', value: 'importer', get: (c) => c.tikvImporter.backend, fileValue: 'tidb', flagValue: 'importer', noOverride: '' },
  { flag: 'importer', value: 'flag-importer:8287', get: (c) => c.tikvImporter.addr, fileValue: 'file-importer:8287', flagValue: 'flag-importer:8287', noOverride: '' },
  { flag: 'remote-addr', value: 'flag-remote', get: (c) => c.tikvImporter.remoteAddr, fileValue: 'file-remote', flagValue: 'flag-remote', noOverride: '' },
  { flag: 'sorted-kv-dir', value: '/tmp/flag-skv', get: (c) => c.tikvImporter.sortedKvDir, fileValue: '/tmp/file-skv', flagValue: '/tmp/flag-skv', noOverride: '' },
  { flag: 'enable-checkpoint', value: 'false', get: (c) => c.checkpoint.enable, fileValue: true, flagValue: false, noOverride: 'true' },
  { flag: 'no-schema', value: 'true', get: (c) => c.mydumper.noSchema, fileValue: false, flagValue: true, noOverride: 'false' },
  { flag: 'checksum', value: 'off', get: (c) => c.postRestore.checksum, fileValue: 'optional', flagValue: 'off', noOverride: '' },
  { flag: 'analyze', value: 'true', get: (c) => c.postRestore.analyze, fileValue: 'optional', flagValue: 'required', noOverride: '' },
  { flag: 'check-requirements', value: 'false', get: (c) => c.lightning.checkRequirements, fileValue: true, flagValue: false, noOverride: 'true' },
  { flag: 'ca', value: '/flag/ca', get: (c) => c.security.caPath, fileValue: '/file/ca', flagValue: '/flag/ca', noOverride: '' },
  { flag: 'cert', value: '/flag/cert', get: (c) => c.security.certPath, fileValue: '/file/cert', flagValue: '/flag/cert', noOverride: '' },
  { flag: 'key', value: '/flag/key', get: (c) => c.security.keyPath, fileValue: '/file/key', flagValue: '/flag/key', noOverride: '' },
  { flag: 'redact-info-log', value: 'true', get: (c) => c.security.redactInfoLog, fileValue: false, flagValue: true, noOverride: 'false' },
  { flag: 'status-addr', value: '127.0.0.1:2222', get: (c) => c.lightning.statusAddr, fileValue: '127.0.0.1:1111', flagValue: '127.0.0.1:2222', noOverride: '' },
  { flag: 'server-mode', value: 'true', get: (c) => c.lightning.serverMode, fileValue: false, flagValue: true, noOverride: 'false' },
];

test('every overriding flag has a precedence case', () => {
  assert.deepEqual([...FLAG_KEYS.keys()].sort(), cases.map((c) => c.flag).sort());
});

for (const c of cases) {
  test(`flag -${c.flag} overrides ${FLAG_KEYS.get(c.flag)} (one dash, two dashes, =, space)`, () => {
    const cfg = file(FILE);
    assert.deepEqual(c.get(run(['-config', cfg])), c.fileValue, 'file value without the flag');
    const isBool = LIGHTNING_FLAGS.find((s) => s.name === c.flag)!.kind === 'bool';
    const forms = isBool ? [[`-${c.flag}=${c.value}`], [`--${c.flag}=${c.value}`]] : [[`-${c.flag}`, c.value!], [`--${c.flag}=${c.value}`], [`--${c.flag}`, c.value!]];
    if (isBool && c.value === 'true') forms.push([`-${c.flag}`], [`--${c.flag}`]);
    for (const form of forms) assert.deepEqual(c.get(run(['--config', cfg, ...form])), c.flagValue, form.join(' '));
    if (c.noOverride !== undefined) {
      assert.deepEqual(c.get(run(['-config', cfg, `-${c.flag}=${c.noOverride}`])), c.fileValue, `-${c.flag}=${c.noOverride} must not override`);
    }
  });
}

test('-f is repeatable and replaces the whole filter list', () => {
  assert.deepEqual(run(['-c', file(FILE), '-f', 'a.*', '--f=!a.b', '-f', 'c.d']).mydumper.filter, ['a.*', '!a.b', 'c.d']);
});

test('-c and -config: the last one wins', () => {
  const a = file(FILE);
  const b = file(FILE.replace('file-host', 'other-host'));
  assert.equal(run(['-c', a, '-config', b]).tidb.host, 'other-host');
  assert.equal(run(['-config', b, '-c', a]).tidb.host, 'file-host');
});

test('Go boolean spellings', () => {
  const cfg = file(FILE);
  for (const v of ['1', 't', 'T', 'TRUE', 'true', 'True']) assert.equal(run(['-config', cfg, `-no-schema=${v}`]).mydumper.noSchema, true, v);
  for (const v of ['0', 'f', 'F', 'FALSE', 'false', 'False']) assert.equal(run(['-config', cfg, `--enable-checkpoint=${v}`]).checkpoint.enable, false, v);
  assert.equal(run(['-config', cfg, '-enable-checkpoint']).checkpoint.enable, true);
});

test('env supplies TIDB_* only where the file is silent; flags still win', () => {
  const cfg = file(FILE.replace('password = "file-pass-123"\n', '').replace('user = "file-user"\n', ''));
  const env = { TIDB_PASSWORD: 'env-pass-789', TIDB_USER: 'env-user', TIDB_HOST: 'env-host', TIDB_PORT: '5000' };
  const c = run(['-config', cfg], env);
  assert.equal(c.tidb.password, 'env-pass-789');
  assert.equal(c.tidb.user, 'env-user');
  assert.equal(c.tidb.host, 'file-host', 'file wins over env');
  assert.equal(c.tidb.port, 1111);
  assert.equal(run(['-config', cfg, '-tidb-password', 'flag-pass-000'], env).tidb.password, 'flag-pass-000');
  assert.equal(run(['-d', dataA, '-backend', 'tidb'], env).tidb.port, 5000);
});

function argError(argv: string[], re: RegExp): void {
  assert.throws(() => parseLightningArgs(argv, {}), (e: unknown) => {
    assert.ok(e instanceof LightningError);
    assert.equal(e.code, Codes.InvalidArgument);
    assert.equal(e.exitCode, 2);
    assert.match(e.message, re);
    return true;
  });
}

test('flag errors exit 2 with Go messages', () => {
  argError(['-nope'], /flag provided but not defined: -nope/);
  argError(['--tidb-port=abc'], /invalid value "abc" for flag -tidb-port/);
  argError(['-tidb-port'], /flag needs an argument: -tidb-port/);
  argError(['-no-schema=yes'], /invalid boolean value "yes" for -no-schema/);
  argError(['-backend', 'spark'], /invalid value "spark" for flag -backend/);
  argError(['-L', 'verbose'], /invalid value "verbose" for flag -L/);
  argError(['-checksum=maybe'], /invalid value "maybe" for flag -checksum/);
  argError(['---x'], /bad flag syntax: ---x/);
});

test('-h / --help / -V; parsing stops at the first non-flag (Go)', () => {
  for (const h of ['-h', '--help', '-help']) {
    const r = parseLightningArgs([h], {});
    assert.equal(r.kind, 'help');
    for (const s of LIGHTNING_FLAGS) assert.ok((r as { usage: string }).usage.includes(`-${s.name} `) || (r as { usage: string }).usage.includes(`-${s.name}\n`) || (r as { usage: string }).usage.includes(`-${s.name}\t`), s.name);
  }
  assert.equal(parseLightningArgs(['-V'], {}).kind, 'version');
  assert.equal(parseLightningArgs(['--V'], {}).kind, 'version');
  const c = run(['-d', dataA, '-backend', 'tidb', '-tidb-port', '1', 'positional', '-tidb-host', 'ignored']);
  assert.equal(c.tidb.host, '127.0.0.1');
});

test('ctl: -d defaults to noop:// unless the file or flag sets it; actions in Go order', () => {
  const ctl = (argv: string[]): Extract<ReturnType<typeof parseCtlArgs>, { kind: 'run' }> => {
    const r = parseCtlArgs(argv, {});
    assert.equal(r.kind, 'run');
    return r as Extract<ReturnType<typeof parseCtlArgs>, { kind: 'run' }>;
  };
  const noFile = ctl(['-backend', 'tidb', '-tidb-port', '4000', '--checkpoint-remove=all']);
  assert.equal(noFile.config.mydumper.dataSourceDir, 'noop://');
  assert.deepEqual(noFile.action, { name: 'checkpoint-remove', table: 'all' });
  assert.equal(ctl(['-config', file(FILE), '-compact']).config.mydumper.dataSourceDir, dataA);
  assert.equal(ctl(['-config', file(FILE), '-compact']).config.checkpoint.dsn, join(dataA, 'tidb_lightning_checkpoint.db'));
  assert.equal(ctl(['-config', file(FILE), '-d', dataB, '-compact']).config.mydumper.dataSourceDir, dataB);
  const all = ['--cleanup-engine=u2', '--import-engine=u1', '--check-local-storage', '--checkpoint-dump=/tmp/d',
    '--checkpoint-error-destroy=all', '--checkpoint-error-ignore=`a`.`b`', '--checkpoint-remove=all', '--switch-mode=import', '--fetch-mode', '--compact'];
  const expected = ['compact', 'fetch-mode', 'switch-mode', 'checkpoint-remove', 'checkpoint-error-ignore', 'checkpoint-error-destroy',
    'checkpoint-dump', 'check-local-storage', 'import-engine', 'cleanup-engine'];
  for (let i = 0; i < all.length; i++) {
    const got = ctl(['-config', file(FILE), ...all.slice(0, all.length - i)]).action?.name;
    assert.equal(got, expected[i]);
  }
  assert.deepEqual(ctl(['-config', file(FILE), '--switch-mode', 'normal']).action, { name: 'switch-mode', mode: 'normal' });
  assert.deepEqual(ctl(['-config', file(FILE), '--checkpoint-error-ignore=`a`.`b`']).action, { name: 'checkpoint-error-ignore', table: '`a`.`b`' });
  assert.equal(ctl(['-config', file(FILE)]).action, undefined);
});
