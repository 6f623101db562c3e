// tikv-importer: its TOML, defaults, validation, and clap-style flags over the file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Codes, LightningError } from '../../../src/errors.js';
import { loadImporterConfig, parseImporterArgs } from '../../../src/config/importer.js';

const dir = mkdtempSync(join(tmpdir(), 'cfg-importer-'));

test('defaults', () => {
  const c = loadImporterConfig();
  assert.equal(c.server.addr, '127.0.0.1:8287');
  assert.equal(c.statusServerAddress, '127.0.0.1:8286');
  assert.equal(c.import.importDir, '/tmp/tikv/import');
  assert.equal(c.import.numThreads, 16);
  assert.equal(c.import.numImportJobs, 24);
  assert.equal(c.import.maxOpenEngines, 8);
  assert.equal(c.import.streamChannelWindow, 128);
  assert.equal(c.import.regionSplitSize, 512 * 2 ** 20);
  assert.equal(c.import.maxPrepareDuration, 300_000);
  assert.equal(c.logLevel, 'info');
});

test('file values, then flags over them', () => {
  const p = join(dir, 'importer.toml');
  writeFileSync(p, `log-level = "debug"\nlog-file = "/tmp/imp.log"\nstatus-server-address = "0.0.0.0:9286"\n[server]\naddr = "0.0.0.0:9287"\n[import]\nimport-dir = "/data/import"\nnum-threads = 4\nnum-import-jobs = 6\nmax-open-engines = 3\nstream-channel-window = 64\nregion-split-size = "256MB"\n[metric]\njob = "imp"\ninterval = "30s"\naddress = ""\n[rocksdb]\nmax-background-jobs = 8\n[rocksdb.defaultcf]\nwrite-buffer-size = "512MB"\n`);
  const r = parseImporterArgs(['-C', p]);
  assert.equal(r.kind, 'run');
  const c = (r as Extract<typeof r, { kind: 'run' }>).config;
  assert.equal(c.server.addr, '0.0.0.0:9287');
  assert.equal(c.import.importDir, '/data/import');
  assert.equal(c.import.numThreads, 4);
  assert.equal(c.import.maxOpenEngines, 3);
  assert.equal(c.import.regionSplitSize, 256 * 2 ** 20);
  assert.equal(c.metric.interval, 30_000);
  assert.equal(c.rocksdb.defaultcf.writeBufferSize, 512 * 2 ** 20);
  const f = parseImporterArgs(['--config', p, '-A', '127.0.0.1:1', '--status-server=127.0.0.1:2', '--import-dir', '/x', '-L', 'warn', '--log-file', '-']);
  const fc = (f as Extract<typeof f, { kind: 'run' }>).config;
  assert.deepEqual([fc.server.addr, fc.statusServerAddress, fc.import.importDir, fc.logLevel, fc.logFile], ['127.0.0.1:1', '127.0.0.1:2', '/x', 'warn', '-']);
});

test('errors: unknown key, zero values, bad flag', () => {
  assert.throws(() => loadImporterConfig({}, '[import]\nnum-thread = 4\n'), (e: unknown) => e instanceof LightningError && /import.num-thread/.test(e.message) && /line 2/.test(e.message));
  assert.throws(() => loadImporterConfig({}, '[import]\n\nmax-open-engines = 0\n'), /import.max_open_engines can not be 0.*line 3/);
  assert.throws(() => parseImporterArgs(['--bogus']), (e: unknown) => e instanceof LightningError && e.code === Codes.InvalidArgument && e.exitCode === 2);
  assert.equal(parseImporterArgs(['-h']).kind, 'help');
  assert.equal(parseImporterArgs(['-V']).kind, 'version');
});
