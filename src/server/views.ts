// JSON views of tasks, progress and checkpoints. /progress/task keeps Go's keys (`t` per table with `w`
// written, `z` size, `s` status 0/1/2, `m` message; task `s` and `m`) so existing scripts keep working, and
// adds ours next to them (percent, speed, ETA, per-table chunks/rows/checkpoint status, the task and its error).
import type { TableCheckpoint } from '../checkpoint/types.js';
import { statusName } from '../checkpoint/status.js';
import { progressState } from '../import/progress-log.js';
import { FINAL_STATUSES, totalFraction, type TableProgress } from '../import/progress.js';
import type { Task, TaskBoard } from './tasks.js';

/** Go's taskStatus: 0 not started, 1 running, 2 completed. */
function tableStatusCode(t: TableProgress): 0 | 1 | 2 {
  if (FINAL_STATUSES.has(t.status)) return 2;
  return t.bytesDone > 0 || t.chunksDone > 0 || !['pending', 'loaded'].includes(t.status) ? 1 : 0;
}

export function taskView(t: Task): Record<string, unknown> {
  return {
    id: t.id, state: t.state, submittedAt: t.submittedAt, startedAt: t.startedAt, finishedAt: t.finishedAt,
    dataSourceDir: t.config.mydumper.dataSourceDir, backend: t.config.tikvImporter.backend, error: t.error,
  };
}

/** GET /tasks: Go's {current, queue} plus every known task for the web page. */
export function tasksView(board: TaskBoard): Record<string, unknown> {
  const all = [...board.finished, ...(board.current ? [board.current] : []), ...board.queued()];
  return {
    current: board.current?.id ?? null, queue: board.queuedIds(), serverMode: board.serverMode,
    tasks: all.map(taskView),
  };
}

export function taskProgressView(board: TaskBoard, paused: boolean): Record<string, unknown> {
  const task = board.shown();
  if (!task?.progress) return { t: {}, s: 0, paused, task: task ? taskView(task) : null };
  const s = task.progress.snapshot();
  const t: Record<string, { w: number; z: number; s: number; m?: string }> = {};
  for (const tb of s.tables) t[tb.name] = { w: tb.bytesDone, z: tb.bytesTotal, s: tableStatusCode(tb), ...(tb.error ? { m: tb.error } : {}) };
  const running = task.state === 'running';
  const percent = task.state === 'completed' ? 100 : totalFraction(s, task.config.tikvImporter.backend) * 100;
  return {
    t, s: running ? 1 : 2, ...(task.error ? { m: `[${task.error.code}] ${task.error.message}` } : {}),
    paused, task: taskView(task), phase: s.phase, state: running ? progressState(s) : task.state,
    percent, tablesTotal: s.tablesTotal, tablesDone: s.tablesDone, chunksTotal: s.chunksTotal, chunksDone: s.chunksDone,
    enginesTotal: s.enginesTotal, enginesDone: s.enginesDone, bytesTotal: s.bytesTotal, bytesDone: s.bytesDone,
    resumedBytes: s.resumedBytes, rows: s.rows, speed: s.speed, etaMs: running ? s.etaMs : undefined, elapsedMs: s.elapsedMs,
    tables: s.tables,
  };
}

/** /progress/table: the table's checkpoint with Go's TableCheckpoint field names (and status names beside). */
export function tableCheckpointView(cp: TableCheckpoint): Record<string, unknown> {
  const engines: Record<string, unknown> = {};
  for (const e of [...cp.engines.values()].sort((a, b) => a.engineId - b.engineId)) {
    engines[String(e.engineId)] = {
      Status: e.status, StatusName: statusName(e.status), ErrorCode: e.errorCode, ErrorMessage: e.errorMessage,
      Chunks: e.chunks.map((c) => ({
        Key: { Path: c.path, Offset: c.offset },
        FileMeta: { Path: c.path, Type: c.type, Compression: c.compression, FileSize: c.fileSize },
        ColumnPermutation: c.columns,
        Chunk: { Offset: c.pos, EndOffset: c.endOffset, RealOffset: c.realPos, PrevRowIDMax: c.prevRowIdMax, RowIDMax: c.rowIdMax },
        Checksum: { checksum: c.kvcChecksum.toString(), size: c.kvcBytes, kvs: c.kvcKvs },
        Timestamp: c.mtimeMs,
      })),
    };
  }
  return {
    TableName: cp.tableName, Status: cp.status, StatusName: statusName(cp.status), TableID: cp.tableId,
    AutoIncrBase: cp.autoIncrBase, AutoRandBase: cp.autoRandBase, AutoRowIDBase: cp.autoRowIdBase,
    Checksum: { checksum: cp.kvChecksum.toString(), size: cp.kvBytes, kvs: cp.kvKvs },
    ErrorCode: cp.errorCode, ErrorMessage: cp.errorMessage, Engines: engines,
  };
}
