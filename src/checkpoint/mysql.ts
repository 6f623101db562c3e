// driver = "mysql": the same model kept in the target (or a separate MySQL) via mysql2. Not written yet:
// opening it fails loudly instead of silently falling back to a file.
import { NotImplementedError } from '../errors.js';
import type { CheckpointStore } from './types.js';

export interface MysqlCheckpointOptions {
  host: string;
  port: number;
  user: string;
  password: string;
  schema: string;
}

export function openMysqlCheckpointStore(_opts: MysqlCheckpointOptions): Promise<CheckpointStore> {
  return Promise.reject(new NotImplementedError('checkpoint driver "mysql"'));
}
