// pino logger with the Go tool's level names and `[lightning] file` semantics:
// "-" = stdout, "" = /tmp/lightning.log.<timestamp>, anything else = that file.
// Every line passes through `redact` on its way out, so registered secrets never reach the sink.
import { pino, type Logger, type DestinationStream } from 'pino';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redact } from './redact.js';

export type { Logger } from 'pino';
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/** Go accepts "warning" as an alias of "warn". */
export function normalizeLevel(level: string): LogLevel | undefined {
  const l = level.toLowerCase();
  if (l === 'warning') return 'warn';
  return (['debug', 'info', 'warn', 'error', 'fatal'] as const).find((x) => x === l);
}

export interface LogOptions {
  level?: string;
  /** "-" = stdout; "" = /tmp/lightning.log.<timestamp>; else a path */
  file?: string;
  /** force pretty (default: when writing to a TTY stdout) */
  pretty?: boolean;
  /** write here instead of a file (tests capture logs this way) */
  stream?: DestinationStream;
  name?: string;
}

export function defaultLogFile(now = new Date()): string {
  const ts = now.toISOString().replace(/:/g, '.').replace(/\.\d+Z$/, 'Z');
  return join(tmpdir(), `lightning.log.${ts}`);
}

export function createLogger(opts: LogOptions = {}): { logger: Logger; path: string } {
  const level = normalizeLevel(opts.level ?? 'info') ?? 'info';
  const file = opts.file ?? '-';
  const path = file === '' ? defaultLogFile() : file;
  let dest: DestinationStream;
  if (opts.stream) dest = opts.stream;
  // pino-pretty only for a terminal (it costs start-up time otherwise)
  else if (path === '-' && (opts.pretty ?? process.stdout.isTTY)) dest = (createRequire(import.meta.url)('pino-pretty') as typeof import('pino-pretty'))({ destination: 1, sync: true, colorize: true });
  else dest = pino.destination({ dest: path === '-' ? 1 : path, sync: true, mkdir: true });
  const logger = pino(
    {
      level,
      name: opts.name ?? 'lightning',
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: ['password', '*.password', 'tidb.password', 'config.tidb.password', 'dsn', '*.dsn'], censor: '******' },
      hooks: { streamWrite: (s: string) => redact(s) },
    },
    dest,
  );
  return { logger, path };
}

/** A logger that drops everything (library use, tests that do not look at logs). */
export const silentLogger: Logger = pino({ level: 'silent' });
