// Status servers: tidb-lightning's (metrics, progress, web page, server-mode tasks) and tikv-importer's metrics.
export { LightningStatus, type LightningStatusOptions } from './lightning-status.js';
export { runTask, serveTasks, type RunImport, type RunOptions } from './task-runner.js';
export { LightningMetrics } from './metrics.js';
export { Pauser } from './pauser.js';
export { TaskBoard, type Task, type TaskState } from './tasks.js';
export { ImporterMetrics, startImporterStatusServer } from './importer-status.js';
export { parseListenAddr } from './addr.js';
