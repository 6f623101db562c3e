// What a command touches of the process, injectable for tests.
import type { Env } from '../../config/env.js';

export interface CommandIO {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
  env: Env;
}

export const processIO = (): CommandIO => ({ stdout: process.stdout, stderr: process.stderr, env: process.env });
