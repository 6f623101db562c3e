#!/usr/bin/env node
// Entry point of `tikv-importer`; the command itself lives in src/cli/commands/importer.ts.
import { runMain } from './main.js';
import { importerCommand } from './commands/importer.js';

await runMain('tikv-importer', (argv) => importerCommand(argv));
