#!/usr/bin/env node
// Entry point of `tikv-importer`; the command itself lives in src/cli/commands/.
import { runMain } from './main.js';
import { NotImplementedError } from '../errors.js';
import { Command } from 'commander';
import { versionText } from '../version.js';

await runMain('tikv-importer', async (argv) => {
  const program = new Command('tikv-importer').helpOption('-h, --help').exitOverride();
  program.option('-V, --version', 'print version information and exit');
  program.allowUnknownOption(true);
  program.parse(argv, { from: 'user' });
  if (program.opts().version) { process.stdout.write(versionText('tikv-importer')); return 0; }
  throw new NotImplementedError('tikv-importer');
});
