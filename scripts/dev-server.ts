// Developer helper (not part of the product): a private MariaDB on a free loopback port that stays up until
// this process gets SIGINT/SIGTERM, optionally filled with a sysbench table and its mydumper dumps.
// `node dist/scripts/dev-server.js [rows] [outdir]` prints one JSON line {port, dumps} when ready.
import { join } from 'node:path';
import { startMariaDB } from '../test/harness/mariadb.js';
import { mydumper, sysbenchPrepare } from '../test/harness/mydumper.js';

const rows = Number(process.argv[2] ?? 0);
const out = process.argv[3];
const db = await startMariaDB();
const dumps: Record<string, string> = {};
if (rows > 0 && out) {
  await sysbenchPrepare(db, { database: 'sbtest', tableSize: rows });
  dumps.single = await mydumper(db, { databases: ['sbtest'], outDir: join(out, 'single') });
  dumps.chunked = await mydumper(db, { databases: ['sbtest'], outDir: join(out, 'chunked'), rowsPerChunk: Math.ceil(rows / 10) });
}
console.log(JSON.stringify({ port: db.port, pid: db.pid, dumps }));
const stop = async () => { await db.stop(); process.exit(0); };
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
setInterval(() => undefined, 1 << 30);
