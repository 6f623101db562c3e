// The tikv-importer process: the ImportKV gRPC server on `server.addr` (8287), /metrics on
// `status-server-address` (8286), engines under `import.import-dir`. SIGTERM/SIGINT stop it gracefully: no new
// calls, in-flight ones get `graceMs` to finish (then they are cancelled), buffered writes are flushed.
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import * as grpc from '@grpc/grpc-js';
import type { ImporterConfig } from '../config/importer.js';
import { serviceDef } from '../cluster/proto.js';
import type { TlsOptions } from '../cluster/security.js';
import type { ImportOptions } from '../backend/local/import-engine.js';
import { Codes, ConfigError } from '../errors.js';
import type { Logger } from '../log.js';
import type { HttpServer } from '../server/http.js';
import { ImporterMetrics, startImporterStatusServer } from '../server/importer-status.js';
import { Clusters } from './cluster.js';
import { EngineDir } from './engine-dir.js';
import { KvImporter } from './engines.js';
import { importKvService } from './service.js';

export interface ImporterServerOptions {
  logger: Logger;
  metrics?: ImporterMetrics;
  /** how long in-flight calls may run after a stop was asked for (default 10 s) */
  graceMs?: number;
  /** overrides of the import job's options (tests shrink the retry backoff) */
  import?: Partial<ImportOptions>;
}

export interface ImporterServer {
  /** the bound gRPC address, host:port */
  addr: string;
  /** the bound status address, when one is configured */
  statusAddr?: string;
  importer: KvImporter;
  metrics: ImporterMetrics;
  stop(): Promise<void>;
}

const MiB = 1 << 20;

/** [security] as the clients to PD and TiKV use it (the importer presents the same certificate to them). */
export function importerTls(cfg: ImporterConfig): TlsOptions | undefined {
  const s = cfg.security;
  return s.caPath ? { caPath: s.caPath, certPath: s.certPath || undefined, keyPath: s.keyPath || undefined } : undefined;
}

function serverCredentials(cfg: ImporterConfig): grpc.ServerCredentials {
  const s = cfg.security;
  if (!s.caPath && !s.certPath && !s.keyPath) return grpc.ServerCredentials.createInsecure();
  if (!s.caPath || !s.certPath || !s.keyPath) {
    throw new ConfigError('security.ca-path, cert-path and key-path must be given together', { key: 'security' }, undefined, Codes.InvalidTLSConfig);
  }
  const read = (path: string, key: string) => {
    try {
      return readFileSync(path);
    } catch (e) {
      throw new ConfigError(`cannot read security.${key}`, { file: path, key: `security.${key}` }, e, Codes.InvalidTLSConfig);
    }
  };
  // mutual TLS, as TiKV's servers do when [security] is set: clients must present a certificate of the CA
  return grpc.ServerCredentials.createSsl(read(s.caPath, 'ca-path'), [{ cert_chain: read(s.certPath, 'cert-path'), private_key: read(s.keyPath, 'key-path') }], true);
}

export async function startImporterServer(cfg: ImporterConfig, o: ImporterServerOptions): Promise<ImporterServer> {
  const { logger } = o;
  const metrics = o.metrics ?? new ImporterMetrics();
  const creds = serverCredentials(cfg);
  const tls = importerTls(cfg);
  const dir = new EngineDir(cfg.import.importDir, { memCacheSize: Math.min(cfg.rocksdb.defaultcf.writeBufferSize, 64 * MiB) });
  await dir.init(logger);
  const clusters = new Clusters(tls);
  const importer = new KvImporter(dir, clusters, {
    maxOpenEngines: cfg.import.maxOpenEngines,
    import: { rangeConcurrency: cfg.import.numImportJobs, regionSplitSize: cfg.import.regionSplitSize, onWarn: (msg) => logger.warn(msg), ...o.import },
    logger,
    onImport: (phase) => (phase === 'start' ? metrics.eachPhase.inc({ phase: 'import' }) : metrics.eachPhase.dec({ phase: 'import' })),
  });
  const server = new grpc.Server({ 'grpc.max_receive_message_length': -1, 'grpc.max_send_message_length': -1 });
  server.addService(serviceDef('import_kvpb.ImportKV'), importKvService({
    imp: importer, clusters, metrics, logger,
    o: { streamWindowBytes: cfg.import.streamChannelWindow * 32 * 1024, allowedCn: cfg.security.certAllowedCn },
  }));
  const port = await new Promise<number>((resolve, reject) => server.bindAsync(cfg.server.addr, creds, (e, p) => (e ? reject(e) : resolve(p))));
  const host = cfg.server.addr.slice(0, cfg.server.addr.lastIndexOf(':'));
  const addr = `${host}:${port}`;
  let status: HttpServer | undefined;
  try {
    if (cfg.statusServerAddress) status = await startImporterStatusServer({ addr: cfg.statusServerAddress, metrics, logger });
  } catch (e) {
    server.forceShutdown();
    throw e;
  }
  logger.info({ addr, status: status?.address?.text, importDir: cfg.import.importDir, maxOpenEngines: cfg.import.maxOpenEngines }, 'tikv-importer started');

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => (stopping ??= (async () => {
    const graceful = new Promise<boolean>((resolve) => server.tryShutdown(() => resolve(true)));
    const timer = new AbortController();
    const late = sleep(o.graceMs ?? 10_000, false, { signal: timer.signal }).catch(() => false);
    const inTime = await Promise.race([graceful, late]);
    timer.abort();
    if (!inTime) {
      logger.warn({ importing: importer.importing }, 'calls still running after the grace period; cancelling them');
      server.forceShutdown();
    }
    await importer.shutdown();
    await status?.close();
    await clusters.close();
    logger.info('tikv-importer stopped');
  })());
  return { addr, statusAddr: status?.address?.text, importer, metrics, stop };
}

/** The `tikv-importer` command: runs until SIGTERM or SIGINT. */
export async function runImporterServer(cfg: ImporterConfig, opts: { logger: Logger }): Promise<void> {
  const s = await startImporterServer(cfg, opts);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  opts.logger.info({ signal }, 'stopping');
  await s.stop();
  // an import job cancelled on the wire keeps running in this process; it is repeatable, so do not wait for it
  if (s.importer.importing > 0) process.exit(0);
}
