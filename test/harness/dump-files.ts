// Hand-written dumps in mydumper's layout (`<db>-schema-create.sql`, `<db>.<tbl>-schema.sql`, `<db>.<tbl>.sql`)
// for tests that need exact control over the bytes (bad rows, duplicates), and the same files loaded by the
// real `mariadb` client into another schema: the "expected" side of an exact comparison.
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MariaDB } from './mariadb.js';

export interface DumpTable {
  name: string;
  /** CREATE TABLE statement for `name` */
  ddl: string;
  /** the data file's text (INSERT statements); several files: an array (`<db>.<tbl>.000N.sql`) */
  data: string | string[];
}

export function writeMydumperDir(dir: string, schema: string, tables: DumpTable[]): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${schema}-schema-create.sql`), `CREATE DATABASE \`${schema}\`;\n`);
  for (const t of tables) {
    writeFileSync(join(dir, `${schema}.${t.name}-schema.sql`), `${t.ddl.trim().replace(/;?$/, ';')}\n`);
    const files = Array.isArray(t.data) ? t.data : [t.data];
    files.forEach((d, i) => writeFileSync(join(dir, files.length > 1 ? `${schema}.${t.name}.${String(i + 1).padStart(5, '0')}.sql` : `${schema}.${t.name}.sql`), d));
  }
  return dir;
}

/** Runs the dump's schema and data files of `schema` through the mariadb client into database `into`. */
export async function loadDumpInto(db: MariaDB, dir: string, schema: string, into: string): Promise<void> {
  const files = readdirSync(dir).sort();
  const ddl = files.filter((f) => f.startsWith(`${schema}.`) && f.endsWith('-schema.sql'));
  const data = files.filter((f) => f.startsWith(`${schema}.`) && /\.sql$/.test(f) && !f.endsWith('-schema.sql'));
  const text = [`DROP DATABASE IF EXISTS \`${into}\`;`, `CREATE DATABASE \`${into}\`;`, `USE \`${into}\`;`,
    ...[...ddl, ...data].map((f) => readFileSync(join(dir, f), 'utf8'))].join('\n');
  await db.sql(text);
}
