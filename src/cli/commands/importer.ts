// `tikv-importer`: its own TOML and flags → the importer gRPC server (src/importer).
import { NotImplementedError } from '../../errors.js';
import { createLogger, type Logger } from '../../log.js';
import { versionText } from '../../version.js';
import { parseImporterArgs, type ImporterConfig } from '../../config/importer.js';
import { importOptional } from './optional.js';
import { processIO, type CommandIO } from './io.js';

export interface ImporterModule {
  runImporterServer(config: ImporterConfig, opts: { logger: Logger }): Promise<void>;
}

export async function importerCommand(argv: readonly string[], io: CommandIO = processIO()): Promise<number> {
  const args = parseImporterArgs(argv);
  if (args.kind === 'help') {
    io.stdout.write(args.usage);
    return 0;
  }
  if (args.kind === 'version') {
    io.stdout.write(versionText('tikv-importer'));
    return 0;
  }
  // tikv-importer's "" log file means stderr-like console output, not a temp file.
  const { logger } = createLogger({ level: args.config.logLevel, file: args.config.logFile || '-', name: 'tikv-importer' });
  const mod = await importOptional<ImporterModule>(new URL('../../importer/index.js', import.meta.url));
  if (!mod) throw new NotImplementedError('tikv-importer');
  await mod.runImporterServer(args.config, { logger });
  return 0;
}
