// `tidb-lightning`: flags + config file → logger → the import orchestrator (src/import).
import { NotImplementedError } from '../../errors.js';
import { createLogger, type Logger } from '../../log.js';
import { versionText } from '../../version.js';
import { parseLightningArgs } from '../../config/args.js';
import { redactedConfig } from '../../config/to-toml.js';
import type { Config } from '../../config/types.js';
import type { LoadResult } from '../../config/load.js';
import { importOptional } from './optional.js';
import { processIO, type CommandIO } from './io.js';

export interface ImportModule {
  runImport(config: Config, opts: { logger: Logger; load: LoadResult; signal?: AbortSignal }): Promise<unknown>;
  formatSummary(result: unknown): string;
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
  const { logger } = createLogger({ level: config.lightning.level, file: config.lightning.file });
  logger.info({ config: redactedConfig(config), configFile: args.configFile }, 'effective config');
  const mod = await importOptional<ImportModule>(new URL('../../import/index.js', import.meta.url));
  if (!mod) throw new NotImplementedError('import');
  // SIGINT/SIGTERM: stop scheduling, let in-flight batches commit, keep the checkpoint (Go's graceful cancel).
  const ac = new AbortController();
  const stop = () => ac.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const result = await mod.runImport(config, { logger, load: args.result, signal: ac.signal });
    io.stdout.write(mod.formatSummary(result));
    logger.info({ finished: true }, 'tidb lightning exit successfully');
    return 0;
  } catch (e) {
    logger.error({ finished: false, err: (e as Error).message }, 'tidb lightning exit');
    throw e;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
