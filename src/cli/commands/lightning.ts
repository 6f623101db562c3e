// `tidb-lightning`: flags + config file → logger → status server (src/server) → the import orchestrator
// (src/import): one task, or in server mode the tasks posted to /tasks, one after another.
import { NotImplementedError } from '../../errors.js';
import { createLogger, type Logger } from '../../log.js';
import { versionText } from '../../version.js';
import { parseLightningArgs } from '../../config/args.js';
import { redactedConfig } from '../../config/to-toml.js';
import type { Config } from '../../config/types.js';
import type { LoadResult } from '../../config/load.js';
import type { PauseGate } from '../../import/chunk.js';
import type { Progress } from '../../import/progress.js';
import { importOptional } from './optional.js';
import { processIO, type CommandIO } from './io.js';

export interface ImportModule {
  runImport(config: Config, opts: { logger: Logger; load?: LoadResult; signal?: AbortSignal; progress?: Progress; pause?: PauseGate }): Promise<unknown>;
  formatSummary(result: unknown): string;
}

/** A bar on the terminal unless the log itself goes to that terminal (the two would garble each other). */
function barStream(io: CommandIO, config: Config): NodeJS.WritableStream | undefined {
  const err = io.stderr as NodeJS.WritableStream & { isTTY?: boolean };
  const logToTerminal = config.lightning.file === '-' && (io.stdout as { isTTY?: boolean }).isTTY;
  return err.isTTY && !logToTerminal ? err : undefined;
}

export async function lightningCommand(argv: readonly string[], io: CommandIO = processIO()): Promise<number> {
  const args = parseLightningArgs(argv, io.env);
  if (args.kind === 'help') {
    io.stdout.write(args.usage);
    return 0;
  }
  if (args.kind === 'version') {
    io.stdout.write(versionText('tidb-lightning'));
    return 0;
  }
  const { config } = args;
  const serverMode = args.result.serverMode;
  const { logger } = createLogger({ level: config.lightning.level, file: config.lightning.file });
  const server = await import('../../server/index.js');
  const status = new server.LightningStatus({ logger, global: serverMode ? args.result : undefined, stderr: io.stderr });
  // SIGUSR1 opens a status server on a random port (Go); installed before the first log line so a caller
  // that waits for the log can signal safely (the default action of SIGUSR1 kills the process).
  const usr1 = () => status.onSigusr1();
  process.on('SIGUSR1', usr1);
  // SIGINT/SIGTERM: stop scheduling, let in-flight batches commit, keep the checkpoint (Go's graceful cancel).
  const ac = new AbortController();
  const stop = () => ac.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let stopBar: (() => void) | undefined;
  try {
    logger.info({ config: redactedConfig(config), configFile: args.configFile, serverMode }, 'effective config');
    const mod = await importOptional<ImportModule>(new URL('../../import/index.js', import.meta.url));
    if (!mod) throw new NotImplementedError('import');
    if (config.lightning.statusAddr) await status.start(config.lightning.statusAddr);
    const run = (cfg: Config, o: Parameters<ImportModule['runImport']>[1]) => mod.runImport(cfg, o);
    if (serverMode) {
      await server.serveTasks(status, run, { signal: ac.signal, summary: (r) => mod.formatSummary(r) });
      logger.info('tidb lightning server stopped');
      return 0;
    }
    const task = status.board.submit(config, args.result);
    await status.board.next(ac.signal);
    const stream = barStream(io, config);
    const bar = stream ? (await import('../../import/progress-bar.js')).startProgressBar : undefined;
    const result = await server.runTask(status, task, run, {
      logger, load: args.result, signal: ac.signal,
      onStart: (p) => {
        if (bar && stream) stopBar = bar(p, { stream, backend: config.tikvImporter.backend });
      },
    });
    stopBar?.();
    stopBar = undefined;
    io.stdout.write(mod.formatSummary(result));
    logger.info({ finished: true }, 'tidb lightning exit successfully');
    return 0;
  } catch (e) {
    logger.error({ finished: false, err: (e as Error).message }, 'tidb lightning exit');
    throw e;
  } finally {
    stopBar?.();
    await status.close();
    process.off('SIGUSR1', usr1);
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
