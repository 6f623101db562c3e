// Messages between EncodePool and its worker threads.
import type { ErrorContext } from '../../errors.js';
import type { TableInfo } from '../schema/model.js';
import type { EncodeTaskInput, EncodeTaskOutput } from './encode-task.js';

export interface WorkerInit {
  tableInfo: TableInfo;
  sqlMode?: string;
  timeZone?: string;
  rowFormatVersion?: 1 | 2;
  /** CURRENT_TIMESTAMP defaults (TableEncoderOptions.timestamp) */
  timestamp?: number;
}

export interface WorkerRequest extends EncodeTaskInput {
  id: number;
  /** released KV buffers handed back to the worker for its next outputs */
  recycle?: ArrayBuffer[];
}

export interface SerializedError {
  code?: string;
  message: string;
  context?: ErrorContext;
  exitCode?: number;
  stack?: string;
}

export type WorkerReply =
  /** `input`: the task's packed data buffer, returned for the next packer */
  | { id: number; ok: true; out: EncodeTaskOutput; busyNs: number; input: ArrayBuffer }
  | { id: number; ok: false; error: SerializedError };
