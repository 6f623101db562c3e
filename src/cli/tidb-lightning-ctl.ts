#!/usr/bin/env node
// Entry point of `tidb-lightning-ctl`; the command itself lives in src/cli/commands/ctl.ts.
import { runMain } from './main.js';
import { ctlCommand } from './commands/ctl.js';

await runMain('tidb-lightning-ctl', (argv) => ctlCommand(argv));
