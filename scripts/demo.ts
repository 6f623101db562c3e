// `make demo`: a real import on built-in defaults. Starts a private MariaDB on a free loopback port, builds the
// seed example dump (cloud.test_tbl) plus a 100k-row sysbench table with the real mydumper, then runs the
// `tidb-lightning` CLI exactly as a user would (flags only, no config file), and prints the verified summary.
// Leaves nothing running: the server is stopped and its datadir removed, also on failure.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { startMariaDB, ensureMariaDBInstalled } from '../test/harness/mariadb.js';
import { ensureToolsInstalled } from '../test/harness/mydumper.js';
import { buildDemoDump } from './demo-data.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const rows = Number(process.env.DEMO_SYSBENCH_ROWS ?? 100_000);

async function main(): Promise<number> {
  await ensureMariaDBInstalled();
  await ensureToolsInstalled(['mydumper', 'sysbench']);
  const work = mkdtempSync(join(tmpdir(), 'lightning-demo-'));
  const db = await startMariaDB();
  try {
    console.log(`demo: private MariaDB on 127.0.0.1:${db.port}`);
    const dumpDir = join(work, 'dump');
    const dump = await buildDemoDump(db, dumpDir, { sysbenchRows: rows });
    console.log(`demo: mydumper wrote ${dump.dir} (${dump.tables.map((t) => `${t.schema}.${t.table}: ${t.rows} rows`).join(', ')})`);
    const bin = join(root, 'dist/src/cli/tidb-lightning.js');
    const args = ['-d', dump.dir, '--backend', 'tidb', '--tidb-host', '127.0.0.1', '--tidb-port', String(db.port),
      '--tidb-user', 'root', '--tidb-password', '', '--log-file', join(work, 'lightning.log')];
    console.log(`demo: tidb-lightning ${args.join(' ')}`);
    const run = await execa('node', [bin, ...args], { stdio: ['ignore', 'inherit', 'pipe'], reject: false });
    process.stderr.write(run.stderr ? `${run.stderr}\n` : '');
    if (run.exitCode !== 0) {
      console.error(`demo: tidb-lightning exited ${run.exitCode}; log: ${join(work, 'lightning.log')}`);
      return run.exitCode ?? 1;
    }
    // An independent look at the result, with the mariadb client rather than our own code.
    for (const t of dump.tables) {
      const out = (await db.sql(`SELECT COUNT(*) FROM \`${t.schema}\`.\`${t.table}\``)).trim();
      const ok = Number(out.split('\n').pop()) === t.rows;
      console.log(`demo: ${t.schema}.${t.table}: ${out.split('\n').pop()} rows in MariaDB, ${t.rows} in the dump ${ok ? 'OK' : 'MISMATCH'}`);
      if (!ok) return 1;
    }
    console.log((await db.sql('SELECT * FROM cloud.test_tbl ORDER BY id')).trim());
    rmSync(work, { recursive: true, force: true });
    return 0;
  } finally {
    await db.stop();
  }
}

process.exitCode = await main();
