// Restore schemas from the dump (Go: restoreSchema): databases, then tables (concurrently), then views, each
// statement rewritten to the routed target name with IF NOT EXISTS so a rerun is harmless. Without a table
// schema file the table must already exist in the target. `no-schema` skips all of it (checked by the caller).
import { LightningError, Codes, SourceError } from '../errors.js';
import type { Logger } from '../log.js';
import { decodeSchemaText } from '../parse/charset.js';
import { openDataFile } from '../source/open.js';
import type { SourceScan, SourceSchema, SourceTable } from '../source/types.js';
import { quoteIdent, tableKey, wire } from '../backend/tidb/values.js';
import { forEachLimit } from './limit.js';
import { deferIndexes, parseCreateHead, rewriteCreate, splitStatements, type DeferredIndexes } from './schema-sql.js';
import type { TargetDb } from './target.js';

export interface SchemaOptions {
  root: string;
  /** [mydumper] character-set of the schema files */
  characterSet: string;
  logger: Logger;
  concurrency: number;
  /** create tables without their plain secondary indexes (added after the data, see deferIndexes) */
  deferIndexes: boolean;
  signal?: AbortSignal;
}

async function readSchemaFile(root: string, path: string, characterSet: string): Promise<string> {
  const ext = /\.(gz|gzip|zst|zstd|snappy)$/i.exec(path)?.[1]?.toLowerCase();
  const compression = ext === undefined ? 'none' : ext.startsWith('g') ? 'gzip' : ext.startsWith('z') ? 'zstd' : 'snappy';
  const parts: Buffer[] = [];
  try {
    for await (const b of openDataFile(root, { path, compression })) parts.push(b);
  } catch (e) {
    if (e instanceof LightningError) throw e;
    throw new SourceError(Codes.CheckDataSource, `cannot read schema file: ${(e as Error).message}`, { file: path }, e);
  }
  // Wire form: the statements go out as the UTF-8 bytes of the decoded text (character-set honoured).
  return wire(decodeSchemaText(Buffer.concat(parts), characterSet, path));
}

/**
 * Statements of a table schema file that set up the session or create the table; everything else is dropped.
 * With `defer`, the CREATE TABLE leaves out the indexes deferIndexes() picks; they are returned.
 */
function tableStatements(text: string, t: SourceTable, file: string, defer: boolean): { stmts: string[]; deferred: DeferredIndex[] } {
  const out: string[] = [];
  let created = false;
  let deferred: DeferredIndex[] = [];
  for (const s of splitStatements(text)) {
    const head = parseCreateHead(s);
    if (head?.kind === 'table') {
      if (created) throw new SourceError(Codes.CreateSchema, 'schema file has more than one CREATE TABLE', { file, table: tableKey(t.schema, t.table) });
      let stmt = rewriteCreate(s, head, { schema: t.schema, table: t.table });
      if (defer) ({ stmt, indexes: deferred } = deferIndexes(stmt));
      out.push(stmt);
      created = true;
    } else if (/^(\/\*!\d*\s*)?SET\b/i.test(s)) {
      out.push(s);
    }
  }
  if (!created) throw new SourceError(Codes.CreateSchema, 'schema file has no CREATE TABLE statement', { file, table: tableKey(t.schema, t.table), expected: 'CREATE TABLE' });
  return { stmts: out, deferred };
}

export type DeferredIndex = DeferredIndexes['indexes'][number];

async function createDatabase(db: TargetDb, s: SourceSchema, o: SchemaOptions): Promise<void> {
  let stmt = `CREATE DATABASE IF NOT EXISTS ${quoteIdent(s.name)}`;
  if (s.schemaFile) {
    const text = await readSchemaFile(o.root, s.schemaFile, o.characterSet);
    const st = splitStatements(text).map((x) => [x, parseCreateHead(x)] as const).find(([, h]) => h?.kind === 'database');
    if (st) stmt = rewriteCreate(st[0], st[1]!, { schema: s.name });
  }
  await db.execAll([stmt], 'CREATE DATABASE', { file: s.schemaFile ?? '', table: quoteIdent(s.name) });
}

/** Creates what is missing; returns, per table (`db`.`tbl`), the indexes its CREATE TABLE left out. */
export async function createSchemas(db: TargetDb, scan: SourceScan, o: SchemaOptions): Promise<Map<string, DeferredIndex[]>> {
  const deferred = new Map<string, DeferredIndex[]>();
  for (const s of scan.schemas) await createDatabase(db, s, o);
  const tables = scan.schemas.flatMap((s) => s.tables);
  await forEachLimit(tables, o.concurrency, async (t) => {
    const key = tableKey(t.schema, t.table);
    if (!t.schemaFile) {
      if (await db.tableExists(t)) return;
      throw new LightningError(Codes.TableNotExists, `table ${key} schema not found: the dump has no ${t.sourceSchema}.${t.sourceTable}-schema.sql and the target has no such table`,
        { context: { table: key } });
    }
    const { stmts, deferred: idx } = tableStatements(await readSchemaFile(o.root, t.schemaFile, o.characterSet), t, t.schemaFile, o.deferIndexes);
    if (idx.length) deferred.set(key, idx);
    await db.execAll([`USE ${quoteIdent(t.schema)}`, ...stmts], 'CREATE TABLE', { file: t.schemaFile, table: key });
    o.logger.info({ table: key, file: t.schemaFile }, 'table created');
  }, o.signal);
  for (const s of scan.schemas) {
    for (const v of s.views) {
      const stmts = splitStatements(await readSchemaFile(o.root, v.schemaFile, o.characterSet));
      await db.execAll([`USE ${quoteIdent(s.name)}`, ...stmts], 'CREATE VIEW', { file: v.schemaFile, table: tableKey(s.name, v.table) });
    }
  }
  return deferred;
}

/** True when every table of the scan would need no DDL (no-schema): all must exist. */
export async function checkTablesExist(db: TargetDb, scan: SourceScan): Promise<void> {
  for (const t of scan.schemas.flatMap((s) => s.tables)) {
    if (!(await db.tableExists(t))) {
      throw new LightningError(Codes.TableNotExists, `table ${tableKey(t.schema, t.table)} does not exist in the target (no-schema is set)`,
        { context: { table: tableKey(t.schema, t.table) } });
    }
  }
}
