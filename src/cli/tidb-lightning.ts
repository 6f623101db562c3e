#!/usr/bin/env node
// Entry point of `tidb-lightning`; the command itself lives in src/cli/commands/lightning.ts.
import { runMain } from './main.js';
import { lightningCommand } from './commands/lightning.js';

await runMain('tidb-lightning', (argv) => lightningCommand(argv));
