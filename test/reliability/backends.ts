// The backends the reliability matrix covers: a backend joins every crash/fault test by adding one entry here
// (its CLI flags against the target the test starts).
import type { MariaDB } from '../harness/mariadb.js';
import { targetFlags } from '../harness/lightning.js';

export interface MatrixBackend {
  name: string;
  flags(target: MariaDB): string[];
  /** the `[checkpoint]` TOML lines for run `name` (default: an SQLite file `<work>/<name>.db`) */
  checkpoint?(name: string, work: string): string;
  /** crash-matrix kills in `make test` (default CRASH_KILLS; 0 = only under LIGHTNING_RELIABILITY=full, which runs the full count) */
  quickKills?: number;
}

export const BACKENDS: MatrixBackend[] = [
  { name: 'tidb', flags: (db) => targetFlags(db) },
  // the checkpoint in the target itself (driver = "mysql", Go's default DSN): killed while it writes there too.
  // make test covers this driver with the target-fault and store kill -9 tests; the phase windows of a second
  // matrix on the same servers were too uneven on a shared machine for a short seeded run to reach every phase.
  {
    name: 'tidb, checkpoint driver "mysql"', flags: (db) => targetFlags(db), quickKills: 0,
    checkpoint: (name) => `driver = "mysql"\nschema = "${name}_checkpoint"\n`,
  },
];

export type Phase = 'schema' | 'insert' | 'post';

/** Which phase a log message belongs to (the last thing a killed process logged). */
export function phaseOf(msg: string): Phase | 'done' {
  if (/exit successfully/.test(msg)) return 'done';
  if (/restore table completed|checksum|secondary indexes|analyze/.test(msg)) return 'post';
  if (/restore table start|chunk written|LOAD DATA|transient/.test(msg)) return 'insert';
  return 'schema';
}
