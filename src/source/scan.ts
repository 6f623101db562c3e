// Walk data-source-dir and classify every file by [[mydumper.files]] rules and the Go default rules
// (pkg/lightning/mydump/router.go), then apply the table filter and [[routes]]. Unlike Go, every file that
// is not imported is listed in `skipped` with the reason.
import { relative, sep, isAbsolute } from 'node:path';
import { ConfigError, Codes } from '../errors.js';
import { isS3, openStorage } from './storage.js';
import type { Compression, DataFile, DataFileType, SkippedFile, SourceScan, SourceSchema, SourceTable } from './types.js';
import { DEFAULT_FILTER, parseTableFilter } from './filter.js';
import { makeRouter, type RouteRule } from './routes.js';

/** One `[[mydumper.files]]` rule (Go keys: pattern, path, schema, table, type, key, compression). */
export interface FileRule {
  pattern?: string;
  path?: string;
  schema: string;
  table?: string;
  /** schema-schema | table-schema | view-schema | sql | csv | parquet | ignore (templates allowed) */
  type: string;
  key?: string;
  compression?: string;
}

export interface ScanOptions {
  /** [mydumper] data-source-dir: a local path, file:// URL or s3:// URL (see storage.ts) */
  dataSourceDir: string;
  /** [mydumper] filter (default DEFAULT_FILTER) */
  filter?: readonly string[];
  /** [mydumper] case-sensitive */
  caseSensitive?: boolean;
  /** [mydumper] default-file-rules (default: true when no fileRules) */
  defaultFileRules?: boolean;
  /** [[mydumper.files]] */
  fileRules?: readonly FileRule[];
  /** [[routes]] */
  routes?: readonly RouteRule[];
  /** [mydumper] source-id: the input of `[[routes]] extract-source` */
  sourceId?: string;
}

interface CompiledRule { re: RegExp; rule: FileRule; unescape: boolean; exactPath?: string }

const DEFAULT_RULES: FileRule[] = [
  { pattern: String.raw`(?i).*(-schema-trigger|-schema-post)\.sql(?:\.(\w*?))?$`, schema: '', type: 'ignore' },
  { pattern: String.raw`(?i).*\.(sql|csv|parquet)(\.(\w+))?\.(bak|BAK)$`, schema: '', type: 'ignore' },
  { pattern: String.raw`(?i)^(?:[^/]*/)*([^/.]+)-schema-create\.sql(?:\.(\w*?))?$`, schema: '$1', type: 'schema-schema', compression: '$2' },
  { pattern: String.raw`(?i)^(?:[^/]*/)*([^/.]+)\.(.*?)-schema\.sql(?:\.(\w*?))?$`, schema: '$1', table: '$2', type: 'table-schema', compression: '$3' },
  { pattern: String.raw`(?i)^(?:[^/]*/)*([^/.]+)\.(.*?)-schema-view\.sql(?:\.(\w*?))?$`, schema: '$1', table: '$2', type: 'view-schema', compression: '$3' },
  { pattern: String.raw`(?i)^(?:[^/]*/)*([^/.]+)\.(.*?)(?:\.([0-9]+))?\.(snappy|gzip|gz|zstd|zst)\.parquet$`, schema: '$1', table: '$2', type: 'parquet', key: '$3' },
  { pattern: String.raw`(?i)^(?:[^/]*/)*([^/.]+)\.(.*?)(?:\.([0-9]+))?\.(sql|csv|parquet)(?:\.(\w+))?$`, schema: '$1', table: '$2', type: '$4', key: '$3', compression: '$5' },
];

/** Go regexp → JS: leading (?i) becomes the i flag, (?P<name>) becomes (?<name>). */
function compilePattern(p: string): RegExp {
  let flags = 's';
  let src = p;
  const m = /^\(\?([imsU]+)\)/.exec(src);
  if (m) {
    if (m[1]!.includes('i')) flags += 'i';
    if (m[1]!.includes('m')) flags += 'm';
    src = src.slice(m[0].length);
  }
  src = src.replace(/\(\?P</g, '(?<');
  try {
    return new RegExp(src, flags);
  } catch (e) {
    throw new ConfigError(`[[mydumper.files]] pattern "${p}" is not a valid regular expression`, { key: 'mydumper.files.pattern' }, e, Codes.FileRoute);
  }
}

/** Go regexp.Expand: `$1`, `$name`, `${name}`, `$$`. */
export function expandTemplate(tpl: string, m: RegExpExecArray): string {
  return tpl.replace(/\$(\$|\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))/g, (_all, tok: string, braced?: string, bare?: string) => {
    if (tok === '$') return '$';
    const name = braced ?? bare!;
    const v = /^\d+$/.test(name) ? m[Number(name)] : m.groups?.[name];
    return v ?? '';
  });
}

function compression(ext: string): Compression | { error: string } {
  switch (ext.toLowerCase()) {
    case '': return 'none';
    case 'gz': case 'gzip': return 'gzip';
    case 'zst': case 'zstd': return 'zstd';
    case 'snappy': return 'snappy';
    case 'lz4': case 'xz': case 'lzo': return { error: `compression "${ext}" is recognised but not supported` };
    default: return { error: `unknown compression extension "${ext}"` };
  }
}

function unescapeName(s: string): string {
  try { return decodeURIComponent(s); } catch { return s; }
}

type Matched =
  | { kind: 'ignore'; reason: string }
  | { kind: 'schema-schema' | 'table-schema' | 'view-schema' | DataFileType; schema: string; table: string; key: string; compression: Compression };

function classify(path: string, rules: CompiledRule[]): Matched | null {
  for (const c of rules) {
    let m: RegExpExecArray | null;
    if (c.exactPath !== undefined) {
      if (c.exactPath !== path) continue;
      m = Object.assign([path], { index: 0, input: path }) as unknown as RegExpExecArray;
    } else {
      m = c.re.exec(path);
      if (!m) continue;
    }
    const type = expandTemplate(c.rule.type, m).toLowerCase();
    if (type === 'ignore') return { kind: 'ignore', reason: `matches ignore rule ${c.rule.pattern ?? c.rule.path}` };
    let schema = expandTemplate(c.rule.schema, m);
    let table = expandTemplate(c.rule.table ?? '', m);
    if (c.unescape) { schema = unescapeName(schema); table = unescapeName(table); }
    const comp = compression(expandTemplate(c.rule.compression ?? '', m));
    if (typeof comp === 'object') return { kind: 'ignore', reason: comp.error };
    const key = expandTemplate(c.rule.key ?? '', m);
    if (type === 'parquet' && comp !== 'none') return { kind: 'ignore', reason: 'whole-file compressed parquet is not supported' };
    if (!['schema-schema', 'table-schema', 'view-schema', 'sql', 'csv', 'parquet'].includes(type)) {
      throw new ConfigError(`[[mydumper.files]] rule gives unknown type "${type}" for ${path}`, { key: 'mydumper.files.type' }, undefined, Codes.FileRoute);
    }
    if (!schema) return { kind: 'ignore', reason: 'routing rule produced an empty schema name' };
    if (type !== 'schema-schema' && !table) return { kind: 'ignore', reason: 'routing rule produced an empty table name' };
    return { kind: type as Exclude<Matched['kind'], 'ignore'>, schema, table, key, compression: comp };
  }
  return null;
}

/** Compare sort keys: numerically when both are digit strings (db.t.2.sql before db.t.10.sql), else as strings. */
export function compareSortKey(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) {
    const x = a.replace(/^0+/, ''), y = b.replace(/^0+/, '');
    if (x.length !== y.length) return x.length - y.length;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

export async function scanSource(opts: ScanOptions): Promise<SourceScan> {
  const storage = openStorage(opts.dataSourceDir);
  const root = storage.root;
  const listing = await storage.list();
  const cs = opts.caseSensitive ?? false;
  const custom = opts.fileRules ?? [];
  const rules: CompiledRule[] = custom.map((r) => {
    if (!r.pattern === !r.path) throw new ConfigError('[[mydumper.files]] needs exactly one of pattern and path', { key: 'mydumper.files' }, undefined, Codes.FileRoute);
    if (r.path !== undefined) {
      const rel = isAbsolute(r.path) && !isS3(root) ? relative(root, r.path) : r.path;
      if (rel.startsWith('..')) throw new ConfigError(`[[mydumper.files]] path ${r.path} is outside data-source-dir`, { key: 'mydumper.files.path' }, undefined, Codes.FileRoute);
      return { re: /$^/, rule: r, unescape: false, exactPath: rel.split(sep).join('/') };
    }
    return { re: compilePattern(r.pattern!), rule: r, unescape: false };
  });
  if (opts.defaultFileRules ?? custom.length === 0) {
    for (const r of DEFAULT_RULES) rules.push({ re: compilePattern(r.pattern!), rule: r, unescape: true });
  }
  const filter = parseTableFilter(opts.filter ?? DEFAULT_FILTER, cs);
  const router = makeRouter(opts.routes, cs);
  const norm = (s: string) => (cs ? s : s.toLowerCase());

  const skipped: SkippedFile[] = [];
  let metadataFile: string | undefined;
  const schemas = new Map<string, SourceSchema>();
  const tables = new Map<string, SourceTable>();
  const viewNames = new Set<string>();
  const schemaOf = (src: string): SourceSchema => {
    const target = router.routeSchema(src);
    let s = schemas.get(norm(target));
    if (!s) { s = { name: target, sourceName: src, tables: [], views: [] }; schemas.set(norm(target), s); }
    return s;
  };
  const tableOf = (srcSchema: string, srcTable: string): SourceTable => {
    const t = router.route(srcSchema, srcTable);
    const key = `${norm(t.schema)}\0${norm(t.table)}`;
    let tb = tables.get(key);
    if (!tb) {
      tb = { schema: t.schema, table: t.table, sourceSchema: srcSchema, sourceTable: srcTable, dataFiles: [], totalSize: 0 };
      tables.set(key, tb);
      const s = schemas.get(norm(t.schema)) ?? { name: t.schema, sourceName: srcSchema, tables: [], views: [] };
      schemas.set(norm(t.schema), s);
      s.tables.push(tb);
    }
    return tb;
  };

  for (const { path, size, mtimeMs, unreadable } of listing) {
    if (unreadable) { skipped.push({ path, reason: unreadable }); continue; }
    if (path === 'metadata' || path.endsWith('/metadata')) {
      metadataFile = path;
      skipped.push({ path, reason: 'dump metadata (binlog position); not imported' });
      continue;
    }
    const m = classify(path, rules);
    if (!m) { skipped.push({ path, reason: 'does not match any file routing rule' }); continue; }
    if (m.kind === 'ignore') { skipped.push({ path, reason: m.reason }); continue; }
    if (m.kind === 'schema-schema') {
      if (!filter.matchSchema(m.schema)) { skipped.push({ path, reason: `schema ${m.schema} is excluded by the table filter` }); continue; }
      schemaOf(m.schema).schemaFile = path;
      continue;
    }
    if (!filter.matchTable(m.schema, m.table)) {
      skipped.push({ path, reason: `table ${m.schema}.${m.table} is excluded by the table filter` });
      continue;
    }
    if (m.kind === 'view-schema') {
      const t = router.route(m.schema, m.table);
      schemaOf(m.schema).views.push({ table: t.table, schemaFile: path });
      viewNames.add(`${norm(t.schema)}\0${norm(t.table)}`);
      continue;
    }
    const tb = tableOf(m.schema, m.table);
    if (m.kind === 'table-schema') {
      if (tb.schemaFile === undefined) tb.schemaFile = path;
      else skipped.push({ path, reason: `another schema file (${tb.schemaFile}) already defines ${tb.schema}.${tb.table}` });
      continue;
    }
    const df: DataFile = { path, type: m.kind, compression: m.compression, size, sortKey: m.key, mtimeMs,
      sourceSchema: m.schema, sourceTable: m.table };
    const extra = router.extraColumns(m.schema, m.table, opts.sourceId);
    if (extra.length) df.extraColumns = extra;
    tb.dataFiles.push(df);
    tb.totalSize += size;
  }

  // mydumper writes a placeholder table for each view; the view file replaces it
  for (const key of viewNames) {
    const tb = tables.get(key);
    if (!tb || tb.dataFiles.length) continue;
    const s = schemas.get(norm(tb.schema))!;
    s.tables = s.tables.filter((t) => t !== tb);
    tables.delete(key);
    if (tb.schemaFile) skipped.push({ path: tb.schemaFile, reason: `placeholder table for view ${tb.schema}.${tb.table}` });
  }
  for (const t of tables.values()) {
    t.dataFiles.sort((a, b) => compareSortKey(a.sortKey, b.sortKey) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }
  const out = [...schemas.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const s of out) s.tables.sort((a, b) => (a.table < b.table ? -1 : a.table > b.table ? 1 : 0));
  return { dir: root, schemas: out, skipped, ...(metadataFile ? { metadataFile } : {}) };
}
