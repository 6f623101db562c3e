// `tidb-lightning-ctl`: same flags as tidb-lightning plus one maintenance action (src/ctl runs it).
import { NotImplementedError } from '../../errors.js';
import { createLogger, type Logger } from '../../log.js';
import { versionText } from '../../version.js';
import { parseCtlArgs, type CtlAction } from '../../config/args.js';
import type { Config } from '../../config/types.js';
import { importOptional } from './optional.js';
import { processIO, type CommandIO } from './io.js';

export interface CtlModule {
  runCtl(action: CtlAction, config: Config, opts: { logger: Logger; io: CommandIO }): Promise<void>;
}

export async function ctlCommand(argv: readonly string[], io: CommandIO = processIO()): Promise<number> {
  const args = parseCtlArgs(argv, io.env);
  if (args.kind === 'help') {
    io.stdout.write(args.usage);
    return 0;
  }
  if (args.kind === 'version') {
    io.stdout.write(versionText('tidb-lightning-ctl'));
    return 0;
  }
  if (!args.action) {
    // Go prints the usage to stderr and exits 0 when no action is given.
    io.stderr.write(args.usage);
    return 0;
  }
  const { logger } = createLogger({ level: args.config.lightning.level, file: args.config.lightning.file });
  const mod = await importOptional<CtlModule>(new URL('../../ctl/index.js', import.meta.url));
  if (!mod) throw new NotImplementedError('tidb-lightning-ctl');
  await mod.runCtl(args.action, args.config, { logger, io });
  return 0;
}
