// Secrets never reach output (issue 9): an import run the way the chart runs it (password from TIDB_PASSWORD, the
// checkpoint DSN with its password and the TLS key in the config file, nothing secret on the command line), a
// failure, the refused rerun, tidb-lightning-ctl --checkpoint-dump / --checkpoint-error-destroy, a wrong DSN
// password and an unreachable DSN: every stdout, stderr, log file, dumped CSV file and the process argument
// list is scanned for the target password, the DSN password and the private key's material.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startMariaDB, type MariaDB } from '../harness/mariadb.js';
import { makePki, type TestPki } from '../harness/certs.js';
import { assertSameDatabase } from '../harness/compare.js';
import { loadDumpInto, writeMydumperDir } from '../harness/dump-files.js';
import { runCtl, runLightning, startLightning, writeToml, type RunResult } from '../harness/lightning.js';

const TARGET_PW = 'Tgt-Secret-9Qw!x4';
const DSN_PW = 'Dsn-Secret-7hq:2@';
let db: MariaDB;
let pki: TestPki;
let work = '';

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'secrets-'));
  pki = await makePki(join(work, 'pki'));
  db = await startMariaDB({ args: [`--ssl-ca=${pki.ca}`, `--ssl-cert=${pki.server.cert}`, `--ssl-key=${pki.server.key}`] });
  await db.query(`CREATE USER 'imp'@'127.0.0.1' IDENTIFIED BY '${TARGET_PW}' REQUIRE X509; GRANT ALL ON *.* TO 'imp'@'127.0.0.1';
    CREATE USER 'cp'@'127.0.0.1' IDENTIFIED BY '${DSN_PW.replace(/'/g, "''")}'; GRANT ALL ON *.* TO 'cp'@'127.0.0.1'`);
});
after(async () => {
  await db?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Everything a secret could leak into, with where it came from. */
const captured: Array<[string, string]> = [];
function keep(what: string, r: RunResult): RunResult {
  captured.push([`${what} stdout`, r.stdout], [`${what} stderr`, r.stderr]);
  return r;
}

test('no password, DSN password or key material in any output of an import, a failure and the repair', async () => {
  const keyLines = readFileSync(pki.client.key, 'utf8').split('\n').filter((l) => /^[A-Za-z0-9+/=]{40,}$/.test(l));
  assert.ok(keyLines.length > 5);
  const secrets = [TARGET_PW, DSN_PW, encodeURIComponent(DSN_PW), ...keyLines.slice(1, 4)];
  const rows = (n: number) => Array.from({ length: n }, (_, i) => `(${i + 1},'r${i}')`).join(',');
  // a secret-looking value in the data must arrive untouched: redaction is for output, never for rows
  const dir = writeMydumperDir(join(work, 'dump'), 'sec', [
    { name: 'a', ddl: 'CREATE TABLE `a` (`id` int PRIMARY KEY, `v` varchar(40))', data: `INSERT INTO \`a\` VALUES ${rows(300)},(301,'${TARGET_PW}');\n` },
    { name: 'b', ddl: 'CREATE TABLE `b` (`id` int, `v` varchar(40))', data: `INSERT INTO \`b\` VALUES ${rows(300)};\nINSERT INTO \`b\` VALUES (1,'${TARGET_PW}') broken;\n` },
  ]);
  const dsn = `cp:${DSN_PW}@tcp(127.0.0.1:${db.port})/`;
  const toml = (name: string, d: string) => writeToml(work, `${name}.toml`, [
    '[lightning]', `file = ${JSON.stringify(join(work, `${name}.log`))}`, 'level = "debug"',
    '[mydumper]', `data-source-dir = ${JSON.stringify(dir)}`,
    '[checkpoint]', 'driver = "mysql"', `dsn = ${JSON.stringify(d)}`, 'schema = "sec_checkpoint"',
    '[security]', `ca-path = ${JSON.stringify(pki.ca)}`, `cert-path = ${JSON.stringify(pki.client.cert)}`, `key-path = ${JSON.stringify(pki.client.key)}`,
  ].join('\n'));
  const cfg = toml('run', dsn);
  // the chart's way: connection flags on the command line, the password in the environment
  const args = ['-config', cfg, '--backend', 'tidb', '--tidb-host', '127.0.0.1', '--tidb-port', String(db.port), '--tidb-user', 'imp'];
  const env = { TIDB_PASSWORD: TARGET_PW };

  const child = startLightning(args, env);
  let cmdline = '';
  for (let i = 0; i < 100 && !cmdline && child.pid; i++) {
    try {
      cmdline = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0').join(' ');
    } catch {
      await sleep(10);
    }
  }
  assert.match(cmdline, /tidb-lightning\.js -config/);
  captured.push(['process arguments', cmdline]);
  const first = await child;
  keep('failed import', { exitCode: first.exitCode ?? -1, stdout: String(first.stdout), stderr: String(first.stderr) });
  assert.equal(first.exitCode, 1, String(first.stderr));
  const refused = keep('refused rerun', await runLightning(args, env));
  assert.match(refused.stderr, /has failed last time/);
  const dumpDir = join(work, 'cp-dump');
  keep('ctl dump', await runCtl([...args, `--checkpoint-dump=${dumpDir}`], env));
  for (const f of readdirSync(dumpDir)) captured.push([`dump ${f}`, readFileSync(join(dumpDir, f), 'utf8')]);
  assert.match(readFileSync(join(dumpDir, 'tables.csv'), 'utf8'), /ErrSyntax/, 'the dump holds the recorded error');
  keep('ctl destroy', await runCtl([...args, '--checkpoint-error-destroy=all'], env));
  writeFileSync(join(dir, 'sec.b.sql'), `INSERT INTO \`b\` VALUES ${rows(300)};\n`);
  const ok = keep('rerun', await runLightning(args, env));
  assert.equal(ok.exitCode, 0, ok.stderr);
  await loadDumpInto(db, dir, 'sec', 'sec_expected');
  await assertSameDatabase(db, 'sec_expected', db, 'sec');

  // a wrong DSN password and an unreachable DSN server fail clearly, without the password
  const wrong = keep('wrong DSN password', await runLightning(['-config', toml('wrong', `cp:${DSN_PW}x@tcp(127.0.0.1:${db.port})/`), ...args.slice(2)], env));
  assert.equal(wrong.exitCode, 1);
  assert.match(wrong.stderr, /Lightning:Checkpoint:ErrOpenCheckpoint.*schema `sec_checkpoint` on cp@127\.0\.0\.1:\d+.*Access denied for user 'cp'/s);
  const gone = keep('unreachable DSN', await runLightning(['-config', toml('gone', `cp:${DSN_PW}@tcp(127.0.0.1:1)/`), ...args.slice(2)], env));
  assert.equal(gone.exitCode, 1);
  assert.match(gone.stderr, /cp@127\.0\.0\.1:1/);

  for (const f of readdirSync(work).filter((x) => x.endsWith('.log'))) captured.push([`log ${f}`, readFileSync(join(work, f), 'utf8')]);
  // the values were there to leak: the logged config shows where they were masked
  const log = readFileSync(join(work, 'run.log'), 'utf8');
  assert.match(log, /effective config/);
  assert.match(log, /"password":"\*{6}"/);
  assert.match(log, /"dsn":"cp:\*{6}@tcp\(127\.0\.0\.1:\d+\)\/"/);
  let scanned = 0;
  for (const [where, text] of captured) {
    scanned += text.length;
    for (const s of secrets) assert.ok(!text.includes(s), `${where} leaks ${s.slice(0, 6)}…:\n${text.slice(Math.max(0, text.indexOf(s) - 300), text.indexOf(s) + 100)}`);
  }
  assert.ok(scanned > 10_000, `${scanned} characters scanned`);
});
