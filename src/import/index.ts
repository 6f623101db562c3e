// The import orchestrator's public surface (the CLI loads it lazily).
export { runImport, Importer, type ImportOptions, type ImportResult, type TableResult } from './importer.js';
export { Progress, type ProgressSnapshot, type TableProgress } from './progress.js';
export { formatSummary } from './summary.js';
