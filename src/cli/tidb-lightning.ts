#!/usr/bin/env node
// Entry point of `tidb-lightning`; the command itself lives in src/cli/commands/.
import { runMain } from './main.js';
import { NotImplementedError } from '../errors.js';
import { Command } from 'commander';
import { versionText } from '../version.js';

await runMain('tidb-lightning', async (argv) => {
  const program = new Command('tidb-lightning').helpOption('-h, --help').exitOverride();
  program.option('-V, --version', 'print version information and exit');
  program.allowUnknownOption(true);
  program.parse(argv, { from: 'user' });
  if (program.opts().version) { process.stdout.write(versionText('tidb-lightning')); return 0; }
  throw new NotImplementedError('tidb-lightning');
});
