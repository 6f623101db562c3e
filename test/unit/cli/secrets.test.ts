// A password given by file, by flag or by TIDB_PASSWORD never reaches log output or error messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { createLogger } from '../../../src/log.js';
import { formatError } from '../../../src/errors.js';
import { parseLightningArgs } from '../../../src/config/args.js';
import { redactedConfig, toToml } from '../../../src/config/to-toml.js';

const dir = mkdtempSync(join(tmpdir(), 'cfg-secret-'));
const data = mkdtempSync(join(tmpdir(), 'cfg-secret-data-'));
const CLI = fileURLToPath(new URL('../../../src/cli/tidb-lightning.js', import.meta.url));

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

function capture(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  return { stream: new Writable({ write(c, _e, cb) { chunks.push(String(c)); cb(); } }), text: () => chunks.join('') };
}

const base = (extra = ''): string => `[tikv-importer]\nbackend = "tidb"\n[tidb]\nport = 4000\n${extra}[mydumper]\ndata-source-dir = ${JSON.stringify(data)}\n`;

test('in-process: config logged raw or redacted never shows the password (file, flag, env)', () => {
  const runs: Array<[string, string[], Record<string, string>]> = [
    ['Pw-File-4821', ['-config', file('a.toml', base('password = "Pw-File-4821"\n'))], {}],
    ['Pw-Flag-9134', ['-config', file('b.toml', base()), '-tidb-password', 'Pw-Flag-9134'], {}],
    ['Pw-Env-5570', ['-config', file('c.toml', base())], { TIDB_PASSWORD: 'Pw-Env-5570' }],
  ];
  for (const [secret, argv, env] of runs) {
    const r = parseLightningArgs(argv, env);
    assert.equal(r.kind, 'run');
    const config = (r as Extract<typeof r, { kind: 'run' }>).config;
    assert.equal(config.tidb.password, secret, 'the value is there for the code that needs it');
    const out = capture();
    const { logger } = createLogger({ stream: out.stream, level: 'debug' });
    logger.info({ config: redactedConfig(config) }, 'effective config');
    logger.info({ raw: config }, 'raw config object');
    logger.debug(`connecting as root:${secret}@tcp(127.0.0.1:4000)/ with password ${secret}`);
    logger.error(new Error(`login failed for password '${secret}'`), 'failure');
    assert.ok(out.text().includes('effective config'));
    assert.ok(!out.text().includes(secret), `log output leaked ${secret}: ${out.text()}`);
    assert.ok(!toToml(config).includes(secret));
  }
});

test('in-process: config errors in a file holding the password do not show it', () => {
  const cases = [
    base('password = "Pw-Syntax-1193" oops\n'),
    base('password = "Pw-Unknown-2281"\nprot = 1\n'),
    base('password = "Pw-Type-3379"\nuser = 7\n'),
    `${base('password = "Pw-Dsn-Tidb-9911"\n')}[checkpoint]\ndriver = "sqlite"\ndsn = "u:Pw-Dsn-4463@tcp(h:1)/"\n`,
  ];
  for (const text of cases) {
    const secrets = [...text.matchAll(/Pw-[A-Za-z-]+\d+/g)].map((m) => m[0]);
    let msg = '';
    try {
      parseLightningArgs(['-config', file('err.toml', text)], {});
    } catch (e) {
      msg = `${formatError(e, true)}\n${String(e)}`;
    }
    assert.ok(msg.length > 0, 'expected a config error');
    for (const s of secrets) assert.ok(!msg.includes(s), `error leaked ${s}: ${msg}`);
  }
});

async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

function runCli(argv: string[], env: Record<string, string>): Promise<{ out: string; code: number | null }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...argv], { env: { ...process.env, ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ out: `${stdout}\n${stderr}`, code: err ? (typeof err.code === 'number' ? err.code : null) : 0 });
    });
  });
}

test('built CLI with --log-file=-: no password in stdout/stderr (file, flag, env)', async () => {
  const port = await closedPort();
  const common = ['--log-file=-', '-L', 'debug', '-d', data, '-tidb-port', String(port), '-check-requirements=false', '-enable-checkpoint=false'];
  const runs: Array<[string, string[], Record<string, string>]> = [
    ['Cli-File-6617', ['-config', file('cli-a.toml', '[tikv-importer]\nbackend = "tidb"\n[tidb]\npassword = "Cli-File-6617"\n')], {}],
    ['Cli-Flag-7728', ['-backend', 'tidb', '--tidb-password=Cli-Flag-7728'], {}],
    ['Cli-Env-8839', ['-backend', 'tidb'], { TIDB_PASSWORD: 'Cli-Env-8839' }],
  ];
  for (const [secret, argv, env] of runs) {
    const { out, code } = await runCli([...argv, ...common], env);
    assert.match(out, /effective config/, out);
    assert.notEqual(code, 0, 'no TiDB listens there, so the run fails');
    assert.ok(!out.includes(secret), `CLI output leaked ${secret}:\n${out}`);
  }
  const bad = await runCli(['-config', file('cli-b.toml', '[tidb]\npassword = "Cli-Bad-9940" x\n')], {});
  assert.equal(bad.code, 2);
  assert.match(bad.out, /ErrParseConfigFile/);
  assert.ok(!bad.out.includes('Cli-Bad-9940'), bad.out);
});

test('built CLI: --help lists every flag and exits 0; bad flag exits 2', async () => {
  const help = await runCli(['--help'], {});
  assert.equal(help.code, 0);
  for (const f of ['-tidb-password', '-sorted-kv-dir', '-enable-checkpoint', '-server-mode', '-redact-info-log', '-f value']) assert.ok(help.out.includes(f), f);
  const bad = await runCli(['-nope'], {});
  assert.equal(bad.code, 2);
  assert.match(bad.out, /flag provided but not defined: -nope/);
  assert.equal((await runCli(['-V'], {})).code, 0);
});
