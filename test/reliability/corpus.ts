// The reliability corpus: the hostile-values tables plus `pk` (60k rows, a primary key and a secondary index)
// and `nopk` (30k rows, no key at all), dumped by the real mydumper in 5,000-row chunks.
import { join } from 'node:path';
import type { MariaDB } from '../harness/mariadb.js';
import { mydumper } from '../harness/mydumper.js';
import { createHostile } from '../integration/parse/hostile.js';

export async function createCorpus(src: MariaDB, schema: string, outDir: string): Promise<string> {
  await createHostile(src, schema);
  const rows = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i)).join(',');
  await src.query(`CREATE TABLE ${schema}.pk (id INT PRIMARY KEY AUTO_INCREMENT, k INT NOT NULL, c CHAR(120) NOT NULL, pad CHAR(60) NOT NULL, KEY k_1 (k));
    CREATE TABLE ${schema}.nopk (a INT, b VARCHAR(40), c BLOB)`);
  for (let b = 0; b < 6; b++) {
    await src.query(`INSERT INTO ${schema}.pk VALUES ${rows(10000, (i) => `(${b * 10000 + i + 1}, ${(i * 7919) % 50000}, '${'c'.repeat(i % 100)}-${b}', 'pad${i % 13}')`)}`);
    await src.query(`INSERT INTO ${schema}.nopk VALUES ${rows(5000, (i) => `(${i % 700}, ${i % 5 ? `'v${i % 333}'` : 'NULL'}, ${i % 7 ? `X'${(i % 256).toString(16).padStart(2, '0')}27'` : "''"})`)}`);
  }
  return mydumper(src, { databases: [schema], outDir: join(outDir, 'dump'), rowsPerChunk: 5000 });
}
