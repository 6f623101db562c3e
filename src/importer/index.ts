// tikv-importer: the ImportKV gRPC server of the legacy importer backend (protocol.md §7). The CLI
// (src/cli/commands/importer.ts) loads this module lazily and calls runImporterServer.
export { runImporterServer, startImporterServer, importerTls, type ImporterServer, type ImporterServerOptions } from './server.js';
export { KvImporter, type OpenEngine } from './engines.js';
export { EngineDir } from './engine-dir.js';
export { ImportKvFailure } from './errors.js';
