// The full Go sample file (every section and key) loads with the values it spells.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dataDir, loadText, sampleText } from './helpers.js';

const MiB = 1024 * 1024;

test('full Go sample tidb-lightning.toml loads every key', () => {
  const { config: c, present } = loadText(sampleText(), ['-d', dataDir]);
  assert.ok(Object.isFrozen(c) && Object.isFrozen(c.tidb.sessionVars) && Object.isFrozen(c.mydumper.files[0]));
  assert.ok(present.has('tidb.password') && present.has('routes') && present.has('mydumper.csv.escaped-by'));

  assert.deepEqual(c.lightning, {
    statusAddr: ':8289', serverMode: false, level: 'debug', file: 'tidb-lightning.log', maxSize: 128, maxDays: 28, maxBackups: 14,
    enableDiagnoseLogs: true, checkRequirements: false, indexConcurrency: 3, tableConcurrency: 7, regionConcurrency: 1,
    ioConcurrency: 9, metaSchemaName: 'my_lightning_meta', maxError: { syntax: 0, charset: Number.MAX_SAFE_INTEGER, type: 42, conflict: Number.MAX_SAFE_INTEGER },
    taskInfoSchemaName: 'my_task_info', maxErrorRecords: 100, pprofPort: 8290,
  });
  assert.deepEqual(c.security, { caPath: '/path/ca.pem', certPath: '/path/client.pem', keyPath: '/path/client-key.pem', redactInfoLog: true });
  assert.deepEqual(c.checkpoint, { enable: true, schema: 'my_checkpoint', driver: 'mysql', dsn: 'cpuser:cp-secret-77@tcp(10.0.0.2:3306)/', keepAfterSuccess: 'origin' });
  // Go: max-record-rows is replaced by threshold
  assert.deepEqual(c.conflict, { strategy: 'replace', precheckConflictBeforeImport: true, threshold: 500, maxRecordRows: 500 });
  assert.deepEqual(c.tikvImporter, {
    backend: 'local', addr: '127.0.0.1:8287', remoteAddr: '', onDuplicate: '', duplicateResolution: '', incrementalImport: false,
    parallelImport: true, sortedKvDir: '/mnt/ssd/sorted-kv-dir-that-does-not-exist', rangeConcurrency: 32, sendKvPairs: 1000,
    sendKvSize: 32 * 1024, compressKvPairs: 'gzip', maxKvPairs: 2048, regionSplitSize: 96 * MiB, regionSplitKeys: 1_280_000,
    regionSplitBatchSize: 1024, regionSplitConcurrency: 1, regionCheckBackoffLimit: 900, diskQuota: 10 * 1024 * MiB,
    storeWriteBwlimit: 128 * MiB, engineMemCacheSize: 256 * MiB, localWriterMemCacheSize: 64 * MiB, blockSize: 32768,
    addIndexBySql: false, keyspaceName: 'ks1', pausePdSchedulerScope: 'global', logicalImportBatchSize: 128 * 1024,
    logicalImportBatchRows: 1000, logicalImportPrepStmt: true,
  });
  const { csv, files, ignoreDataColumns, ...m } = c.mydumper;
  assert.deepEqual(m, {
    readBlockSize: 128 * 1024, batchSize: 50 * 1024 * MiB, batchImportRatio: 0.5, dataSourceDir: dataDir, sourceId: 'src-1',
    characterSet: 'utf8mb4', dataCharacterSet: 'gbk', dataInvalidCharReplace: '?', noSchema: true, strictFormat: true,
    maxRegionSize: 128 * MiB, filter: ['db1.*', '!db1.tmp_*'], caseSensitive: true, defaultFileRules: true,
  });
  assert.deepEqual(ignoreDataColumns, [{ db: 'db1', table: 't1', tableFilter: ['db1.t*'], columns: ['col_a', 'col_b'] }]);
  assert.deepEqual(csv, {
    separator: '|', delimiter: "'", terminator: '\r\n', null: ['\\N', 'NULL'], header: false, headerSchemaMatch: false,
    notNull: false, backslashEscape: true, escapedBy: '\\', trimLastSeparator: true,
    startingBy: '', allowEmptyLine: false, quotedNullIsText: true, unescapedQuote: false,
  });
  assert.deepEqual(files, [
    { pattern: '(?i)^(?:[^/]*/)*([a-z0-9_]+)\\.([a-z0-9_]+)\\.csv$', path: '', schema: '$1', table: '$2', type: 'csv', key: '', compression: '' },
    { pattern: '', path: 'extra/x.sql.gz', schema: 'db1', table: 'x', type: 'sql', key: '', compression: 'gz' },
  ]);
  assert.deepEqual(c.tidb, {
    host: '10.0.0.1', port: 4001, user: 'lightning', password: 'tidb-secret-55', statusPort: 10081, pdAddr: '10.0.0.3:2379',
    logLevel: 'warn', sqlMode: 'STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION', tls: 'skip-verify', maxAllowedPacket: 32 * MiB,
    buildStatsConcurrency: 10, distsqlScanConcurrency: 5, indexSerialScanConcurrency: 7, checksumTableConcurrency: 3,
    sessionVars: { tidb_txn_mode: 'optimistic' },
    security: { caPath: '/path/tidb-ca.pem', certPath: '/path/tidb-client.pem', keyPath: '/path/tidb-client-key.pem', redactInfoLog: false },
  });
  assert.deepEqual(c.postRestore, { checksum: 'optional', analyze: 'off', level1Compact: true, compact: true, postProcessAtLast: false, checksumViaSql: true });
  assert.deepEqual(c.cron, { switchMode: 90_000, logProgress: 500, checkDiskQuota: 7_200_000 });
  assert.deepEqual(c.routes, [{
    schemaPattern: 'Shard_*', tablePattern: 'orders_*', targetSchema: 'shard', targetTable: 'orders',
    extractTable: { tableRegexp: 'orders_(.*)', targetColumn: 'c_table' },
    extractSchema: { schemaRegexp: 'Shard_(.*)', targetColumn: 'c_schema' },
    extractSource: { sourceRegexp: '(.*)', targetColumn: 'c_source' },
  }]);
});

test('the sample without -d names its missing data-source-dir with the line', () => {
  assert.throws(() => loadText(sampleText()), /'\/data\/my_database': `mydumper.data-source-dir` does not exist \(file test.toml, line 78/);
});
