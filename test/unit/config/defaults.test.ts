// Go's defaults (NewConfig + Adjust) for a minimal file, per backend.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { dataDir, load, loadText } from './helpers.js';
import { DEFAULT_FILTER } from '../../../src/config/schema.js';

const MiB = 1024 * 1024;
const cpus = availableParallelism();

test('tidb backend defaults', () => {
  const c = load();
  assert.equal(c.lightning.level, 'info');
  assert.equal(c.lightning.file, '');
  assert.equal(c.lightning.statusAddr, '');
  assert.equal(c.lightning.checkRequirements, true);
  assert.equal(c.lightning.regionConcurrency, cpus);
  assert.equal(c.lightning.tableConcurrency, cpus, 'tidb backend: table-concurrency = region-concurrency');
  assert.equal(c.lightning.indexConcurrency, cpus);
  assert.equal(c.lightning.ioConcurrency, 5);
  assert.equal(c.lightning.maxSize, 512);
  assert.equal(c.lightning.maxDays, 7);
  assert.equal(c.lightning.maxError.type, 0);
  assert.equal(c.lightning.taskInfoSchemaName, 'lightning_task_info');
  assert.deepEqual(c.checkpoint, {
    enable: true, schema: 'tidb_lightning_checkpoint', driver: 'file', keepAfterSuccess: 'remove',
    dsn: join(dataDir, 'tidb_lightning_checkpoint.db'),
  });
  assert.deepEqual(c.conflict, { strategy: 'error', precheckConflictBeforeImport: false, threshold: 0, maxRecordRows: 0 });
  assert.equal(c.tikvImporter.logicalImportBatchSize, 96 * 1024);
  assert.equal(c.tikvImporter.logicalImportBatchRows, 65536);
  assert.equal(c.tikvImporter.sendKvSize, 16 * 1024);
  assert.equal(c.tikvImporter.diskQuota, Number.MAX_SAFE_INTEGER);
  assert.equal(c.tikvImporter.pausePdSchedulerScope, 'table');
  assert.equal(c.mydumper.readBlockSize, 64 * 1024);
  assert.equal(c.mydumper.maxRegionSize, 256 * MiB);
  assert.equal(c.mydumper.batchSize, 0);
  assert.equal(c.mydumper.batchImportRatio, 0);
  assert.equal(c.mydumper.characterSet, 'auto');
  assert.equal(c.mydumper.dataCharacterSet, 'binary');
  assert.equal(c.mydumper.dataInvalidCharReplace, '\uFFFD');
  assert.equal(c.mydumper.defaultFileRules, true, 'no [[mydumper.files]] → default rules on');
  assert.deepEqual(c.mydumper.filter, [...DEFAULT_FILTER]);
  assert.deepEqual(c.mydumper.csv, {
    separator: ',', delimiter: '"', terminator: '', null: ['\\N'], header: true, headerSchemaMatch: true, notNull: false,
    backslashEscape: true, escapedBy: '\\', trimLastSeparator: false,
    startingBy: '', allowEmptyLine: false, quotedNullIsText: true, unescapedQuote: false,
  });
  assert.deepEqual(c.tidb, {
    host: '127.0.0.1', port: 4000, user: 'root', password: '', statusPort: 10080, pdAddr: '', logLevel: 'error',
    sqlMode: 'ONLY_FULL_GROUP_BY,NO_AUTO_CREATE_USER', tls: '', maxAllowedPacket: 64 * MiB, buildStatsConcurrency: 20,
    distsqlScanConcurrency: 15, indexSerialScanConcurrency: 20, checksumTableConcurrency: 2, sessionVars: {},
    security: { caPath: '', certPath: '', keyPath: '', redactInfoLog: false },
  });
  assert.deepEqual(c.postRestore, { checksum: 'required', analyze: 'optional', level1Compact: false, compact: false, postProcessAtLast: true, checksumViaSql: false });
  assert.deepEqual(c.cron, { switchMode: 300_000, logProgress: 300_000, checkDiskQuota: 60_000 });
  assert.deepEqual(c.routes, []);
});

test('local backend defaults: concurrency 6/2, region-concurrency capped at CPUs, port 0 kept for /settings', () => {
  const text = `[tikv-importer]\nbackend = "local"\nsorted-kv-dir = "/tmp/sorted"\n[lightning]\nregion-concurrency = ${cpus + 10}\n[mydumper]\ndata-source-dir = ${JSON.stringify(dataDir)}\n`;
  const c = loadText(text).config;
  assert.equal(c.lightning.tableConcurrency, 6);
  assert.equal(c.lightning.indexConcurrency, 2);
  assert.equal(c.lightning.regionConcurrency, cpus);
  assert.equal(c.tidb.port, 0);
  assert.equal(c.conflict.strategy, '');
  assert.equal(c.conflict.threshold, 0);
  assert.equal(c.tikvImporter.rangeConcurrency, 16);
  assert.equal(c.tikvImporter.engineMemCacheSize, 512 * MiB);
  assert.equal(c.tikvImporter.localWriterMemCacheSize, 128 * MiB);
  assert.equal(c.tikvImporter.blockSize, 16 * 1024);
});

test('importer backend gets the default tikv-importer address', () => {
  const c = loadText(`[tikv-importer]\nbackend = "importer"\n[mydumper]\ndata-source-dir = ${JSON.stringify(dataDir)}\n`).config;
  assert.equal(c.tikvImporter.addr, '127.0.0.1:8287');
});

test('checkpoint file next to the source data; non-local sources fall back to the temp dir', () => {
  assert.equal(load('[checkpoint]\nschema = "cp2"\n').checkpoint.dsn, join(dataDir, 'cp2.db'));
  const c = loadText('[tikv-importer]\nbackend = "tidb"\n[tidb]\nport = 4000\n[mydumper]\ndata-source-dir = "s3://bucket/dump"\n').config;
  assert.equal(c.mydumper.dataSourceDir, 's3://bucket/dump');
  assert.equal(c.checkpoint.dsn, join(tmpdir(), 'tidb_lightning_checkpoint.db'));
  assert.equal(load('[checkpoint]\ndriver = "mysql"\n').checkpoint.dsn, '');
});

test('data-source-dir: relative path and file:// URL become an absolute path', () => {
  const rel = loadText(tidbTomlWithDir('.')).config.mydumper.dataSourceDir;
  assert.equal(rel, process.cwd());
  assert.equal(loadText(tidbTomlWithDir(`file://${dataDir}`)).config.mydumper.dataSourceDir, dataDir);
});

function tidbTomlWithDir(dir: string): string {
  return `[tikv-importer]\nbackend = "tidb"\n[tidb]\nport = 4000\n[mydumper]\ndata-source-dir = ${JSON.stringify(dir)}\n`;
}

test('legacy and alternative spellings', () => {
  const c = load('[lightning]\npprof-port = 8300\nmax-error = { type = 7, syntax = 3 }\n[post-restore]\nchecksum = true\nanalyze = "OFF"\n[checkpoint]\nkeep-after-success = true\n[mydumper.csv]\nnull = "NULL"\n');
  assert.equal(c.lightning.statusAddr, ':8300');
  assert.equal(c.lightning.maxError.type, 7);
  assert.equal(c.lightning.maxError.syntax, 0, 'v8 reads only max-error.type');
  assert.equal(c.postRestore.checksum, 'required');
  assert.equal(c.postRestore.analyze, 'off');
  assert.equal(c.checkpoint.keepAfterSuccess, 'rename');
  assert.deepEqual(c.mydumper.csv.null, ['NULL']);
  assert.equal(load('[lightning]\nmax-error = -5\n').lightning.maxError.type, 0, 'negative keeps the default');
});

test('conflict strategy resolution order (Go v8)', () => {
  assert.equal(load('[tikv-importer]\non-duplicate = "ignore"\n').conflict.strategy, 'ignore');
  assert.equal(load('[tikv-importer]\non-duplicate = "replace"\n').conflict.threshold, 10000);
  assert.equal(load('[tikv-importer]\non-duplicate = "replace"\n').conflict.maxRecordRows, 0, 'logical replace records nothing');
  const local = (extra: string): string => `[tikv-importer]\nbackend = "local"\nsorted-kv-dir = "/tmp/s"\n${extra}\n[mydumper]\ndata-source-dir = ${JSON.stringify(dataDir)}\n`;
  assert.equal(loadText(local('duplicate-resolution = "remove"')).config.conflict.strategy, 'replace');
  assert.equal(loadText(local('duplicate-resolution = "record"')).config.conflict.maxRecordRows, 10000);
  assert.equal(loadText(local('duplicate-resolution = "none"')).config.conflict.strategy, '');
  assert.equal(load('[conflict]\nstrategy = "none"\n').conflict.strategy, 'error', 'tidb backend: "" → error');
});

test('csv escaped-by follows backslash-escape; empty null list means ""', () => {
  assert.equal(load('[mydumper.csv]\nbackslash-escape = false\n').mydumper.csv.escapedBy, '');
  assert.equal(load('[mydumper.csv]\nescaped-by = ""\n').mydumper.csv.escapedBy, '\\');
  assert.deepEqual(load('[mydumper.csv]\nnull = []\n').mydumper.csv.null, ['']);
  assert.equal(load('[mydumper]\nbatch-import-ratio = 1.5\n').mydumper.batchImportRatio, 0.75);
});

test('route patterns are lower-cased unless case-sensitive', () => {
  const c = load('[[routes]]\nschema-pattern = "A_*"\ntable-pattern = "T_*"\ntarget-schema = "X"\n');
  assert.equal(c.routes[0]!.schemaPattern, 'a_*');
  assert.equal(c.routes[0]!.tablePattern, 't_*');
  assert.equal(c.routes[0]!.targetSchema, 'X');
});

test('server mode checks only the global part', () => {
  const r = loadText('[lightning]\nserver-mode = true\nstatus-addr = "127.0.0.1:0"\n');
  assert.equal(r.serverMode, true);
  assert.equal(r.config.tikvImporter.backend, '', 'backend comes with the task');
});

test('server mode: a task TOML is layered over the global file and fully adjusted', async () => {
  const { loadTaskConfig } = await import('../../../src/config/load.js');
  const global = loadText('[lightning]\nserver-mode = true\nstatus-addr = "127.0.0.1:0"\n[tidb]\nhost = "global-host"\n', ['-tidb-port', '4000']);
  const task = loadTaskConfig(global, `[tikv-importer]\nbackend = "tidb"\n[mydumper]\ndata-source-dir = ${JSON.stringify(dataDir)}\n`);
  assert.equal(task.tidb.host, 'global-host');
  assert.equal(task.tidb.port, 4000);
  assert.equal(task.conflict.strategy, 'error');
  assert.throws(() => loadTaskConfig(global, '[tikv-importer]\nbackend = "tidb"\n[mydumper]\nno-such = 1\n'), /mydumper.no-such.*line 4/);
});

test('csv LOAD DATA options (starting-by, allow-empty-line, quoted-null-is-text, unescaped-quote) reach the parser type', () => {
  const c = load('[mydumper.csv]\nstarting-by = "xxx"\nallow-empty-line = true\nquoted-null-is-text = false\nunescaped-quote = true\n');
  assert.equal(c.mydumper.csv.startingBy, 'xxx');
  assert.equal(c.mydumper.csv.allowEmptyLine, true);
  assert.equal(c.mydumper.csv.quotedNullIsText, false);
  assert.equal(c.mydumper.csv.unescapedQuote, true);
});
