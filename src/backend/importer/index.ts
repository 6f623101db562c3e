// The `importer` backend: KV pairs streamed to a tikv-importer server (src/importer), plus the engine actions of
// tidb-lightning-ctl against it.
export { ImporterBackend, type ImporterBackendOptions } from './backend.js';
export { ImporterClient, MAX_CHUNK_SIZE, RETRY_IMPORT_DELAY_MS, type ImporterClientOptions } from './client.js';
export { importEngineByUuid, cleanupEngineByUuid, type EngineCtlOptions } from './ctl.js';
