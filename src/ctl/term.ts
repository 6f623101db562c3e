// Terminal output of tidb-lightning-ctl: lines for a person, every one masked by `redact` on its way out.
import type { CommandIO } from '../cli/commands/io.js';
import { redact } from '../redact.js';

export interface Term {
  /** results (stdout) */
  out(line: string): void;
  /** progress lines Go prints to stderr ("Dropping table: …") and warnings */
  err(line: string): void;
}

export function term(io: Pick<CommandIO, 'stdout' | 'stderr'>): Term {
  return {
    out: (line) => { io.stdout.write(`${redact(line)}\n`); },
    err: (line) => { io.stderr.write(`${redact(line)}\n`); },
  };
}
