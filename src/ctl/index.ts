// tidb-lightning-ctl's actions (the flag parsing is src/config/args.ts, the command src/cli/commands/ctl.ts).
import type { CommandIO } from '../cli/commands/io.js';
import type { CtlAction } from '../config/args.js';
import type { Config } from '../config/types.js';
import type { Logger } from '../log.js';
import { checkLocalStorage, checkpointDump, checkpointErrorDestroy, checkpointErrorIgnore, checkpointRemove } from './checkpoints.js';
import { compact, fetchMode, importerEngine, switchMode } from './cluster.js';
import { tableArg } from './table-arg.js';
import { term } from './term.js';

export interface CtlOptions {
  logger: Logger;
  io: Pick<CommandIO, 'stdout' | 'stderr'>;
}

export async function runCtl(action: CtlAction, cfg: Config, o: CtlOptions): Promise<void> {
  const say = term(o.io);
  o.logger.info({ action: action.name }, 'tidb-lightning-ctl');
  switch (action.name) {
    case 'compact': return compact(cfg, say);
    case 'fetch-mode': return fetchMode(cfg, say);
    case 'switch-mode': return switchMode(cfg, action.mode, say);
    case 'checkpoint-remove': return checkpointRemove(cfg, tableArg(action.name, action.table), say);
    case 'checkpoint-error-ignore': return checkpointErrorIgnore(cfg, tableArg(action.name, action.table), say);
    case 'checkpoint-error-destroy': return checkpointErrorDestroy(cfg, tableArg(action.name, action.table), say);
    case 'checkpoint-dump': return checkpointDump(cfg, action.dir, say);
    case 'check-local-storage': return checkLocalStorage(cfg, say);
    case 'import-engine': return importerEngine(cfg, 'import', action.engine, say);
    case 'cleanup-engine': return importerEngine(cfg, 'cleanup', action.engine, say);
  }
}
