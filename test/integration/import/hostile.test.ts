// Acceptance (issue 6): the hostile-values corpus, dumped by the real mydumper (plain, -r chunked, -c gzip),
// imported by the CLI into a second MariaDB with each on-duplicate mode: every table's rows equal the source's
// byte for byte (mariadb-dump --order-by-primary, or ordered HEX rows without a primary key).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMariaDB, type MariaDB } from '../../harness/mariadb.js';
import { mydumper } from '../../harness/mydumper.js';
import { assertSameDatabase } from '../../harness/compare.js';
import { lightningToml, runLightning, targetFlags, writeToml } from '../../harness/lightning.js';
import { createHostile } from '../parse/hostile.js';

let src: MariaDB;
let dst: MariaDB;
let work = '';
const dumps: Record<string, string> = {};

before(async () => {
  [src, dst] = await Promise.all([startMariaDB(), startMariaDB()]);
  work = mkdtempSync(join(tmpdir(), 'import-it-'));
  await createHostile(src, 'hostile');
  // a table without a primary key, with duplicate rows, and one with a secondary index to defer
  await src.query(`CREATE TABLE hostile.nopk (a INT, b VARCHAR(20), c BLOB) DEFAULT CHARSET utf8mb4;
    INSERT INTO hostile.nopk VALUES (1,'x',NULL),(1,'x',NULL),(2,NULL,X'00ff27'),(NULL,'',''),(3,'中😀','\\\\');
    CREATE TABLE hostile.idx (id INT PRIMARY KEY AUTO_INCREMENT, k INT NOT NULL, s CHAR(10), KEY k_1 (k), KEY ks (k, s)) DEFAULT CHARSET latin1;`);
  // the hostile rows without BIT columns: the LOAD DATA fast path takes them (and hands odd rows to INSERT)
  const noBits = (await src.query<Array<{ c: string }>>("SELECT COLUMN_NAME c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA='hostile' AND TABLE_NAME='alltypes' AND DATA_TYPE <> 'bit' ORDER BY ORDINAL_POSITION")).map((r) => `\`${r.c}\``);
  await src.query(`CREATE TABLE hostile.nobits LIKE hostile.alltypes; ALTER TABLE hostile.nobits DROP COLUMN bt, DROP COLUMN b1;
    SET SESSION sql_mode=''; INSERT INTO hostile.nobits SELECT ${noBits.join(',')} FROM hostile.alltypes`);
  const values = Array.from({ length: 3000 }, (_, i) => `(${i + 1}, ${(i * 7919) % 1000}, 'r${i % 97}')`).join(',');
  await src.query(`INSERT INTO hostile.idx VALUES ${values}`);
  dumps.plain = await mydumper(src, { databases: ['hostile'], outDir: join(work, 'plain') });
  dumps.chunked = await mydumper(src, { databases: ['hostile'], outDir: join(work, 'chunked'), rowsPerChunk: 100 });
  dumps.gzip = await mydumper(src, { databases: ['hostile'], outDir: join(work, 'gzip'), compress: true });
});
after(async () => {
  await Promise.all([src?.stop(), dst?.stop()]);
  if (work) rmSync(work, { recursive: true, force: true });
});

for (const variant of ['plain', 'chunked', 'gzip']) {
  for (const mode of ['error', 'replace', 'ignore'] as const) {
    test(`mydumper ${variant} dump, on-duplicate = ${mode}: target rows equal the source's`, async () => {
      const target = `h_${variant}_${mode}`;
      const cfg = writeToml(work, `${target}.toml`, lightningToml({
        dataDir: dumps[variant]!, logFile: join(work, `${target}.log`), routes: [['hostile', target]],
        extra: `[conflict]\nstrategy = "${mode}"\n[checkpoint]\ndsn = ${JSON.stringify(join(work, `${target}.db`))}\n`,
      }));
      const r = await runLightning(['-config', cfg, ...targetFlags(dst)]);
      assert.equal(r.exitCode, 0, `${r.stderr}\n${r.stdout}`);
      for (const t of ['alltypes', 'nobits', 'nopk', 'idx']) assert.match(r.stdout, new RegExp(`\`${target}\`\\.\`${t}\`.*OK`), r.stdout);
      await assertSameDatabase(src, 'hostile', dst, target);
      // the deferred indexes are back, the checkpoint is removed (keep-after-success = "remove")
      const idx = await dst.query<Array<{ n: string }>>(`SELECT DISTINCT INDEX_NAME n FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'idx' ORDER BY n`, [target]);
      assert.deepEqual(idx.map((x) => x.n).sort(), ['PRIMARY', 'k_1', 'ks']);
      assert.equal(existsSync(join(work, `${target}.db`)), false);
      if (mode === 'error') {
        // the fast path really carried rows of the hostile table (and the idx table entirely)
        const log = readFileSync(join(work, `${target}.log`), 'utf8').split('\n').filter((l) => l.includes('"chunk written"')).map((l) => JSON.parse(l) as { table: string; loadDataRows: number; insertRows: number });
        const sum = (t: string, k: 'loadDataRows' | 'insertRows') => log.filter((x) => x.table === `\`${target}\`.\`${t}\``).reduce((a, x) => a + x[k], 0);
        assert.ok(sum('nobits', 'loadDataRows') > 0, JSON.stringify(log));
        assert.equal(sum('idx', 'loadDataRows'), 3000);
        assert.equal(sum('alltypes', 'loadDataRows'), 0); // BIT columns: never through LOAD DATA
      }
      const ai = await dst.query<Array<{ a: number }>>(`SELECT AUTO_INCREMENT a FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'idx'`, [target]);
      assert.ok(Number(ai[0]!.a) > 3000);
    });
  }
}
