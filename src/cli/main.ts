// Shared entry-point wrapper: runs a command, prints coded errors without stack traces (unless
// debug), and exits with the error's exit code (2 for bad arguments/config, 1 otherwise), as Go does.
import { formatError, LightningError } from '../errors.js';

export async function runMain(tool: string, fn: (argv: string[]) => Promise<number | void>): Promise<void> {
  const argv = process.argv.slice(2);
  const debug = argv.some((a, i) => /^--?L(=debug)?$/.test(a) && (a.endsWith('=debug') || argv[i + 1] === 'debug')) ||
    argv.some((a) => /^--?log-level=debug$/.test(a));
  try {
    const code = await fn(argv);
    process.exitCode = code ?? 0;
  } catch (e) {
    const code = e instanceof LightningError ? e.exitCode : 1;
    process.stderr.write(`${tool}: ${formatError(e, debug)}\n`);
    process.exitCode = code;
  }
}
