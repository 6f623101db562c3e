// [[routes]] table router (DM table-router semantics, pingcap/tidb pkg/util/table-router): schema-pattern /
// table-pattern with `*`/`?` wildcards; rules with a table-pattern take precedence over schema-only rules; an
// empty target-table keeps the table name. A name matched by two rules of the same level is an error, as in Go.
//
// Extractors (shard merging): `extract-table` / `extract-schema` / `extract-source` take a Go regexp and a
// target-column; the value is the concatenation of the regexp's capture groups applied to the *source* table
// name, schema name or `[mydumper] source-id` ('' when it does not match), and every row of that source gets
// it as a constant in target-column. For the import orchestrator:
//   - `router.extraColumns(sourceSchema, sourceTable, sourceId)` → `ExtraColumn[]` (also set by scanSource on
//     each DataFile as `extraColumns`, with `sourceSchema`/`sourceTable`, since files of several source
//     tables can merge into one target table);
//   - `makeBatchShaper({ extraColumns, ... })` in src/parse/shape.ts appends them to every row of a RowBatch.
import { ConfigError } from '../errors.js';
import { goRegExp } from '../config/units.js';

/** One `[[routes]]` entry (Go keys: schema-pattern, table-pattern, target-schema, target-table, extract-*). */
export interface RouteRule {
  schemaPattern: string;
  tablePattern?: string;
  targetSchema: string;
  targetTable?: string;
  extractTable?: { tableRegexp: string; targetColumn: string };
  extractSchema?: { schemaRegexp: string; targetColumn: string };
  extractSource?: { sourceRegexp: string; targetColumn: string };
}

/** A constant column value added to every row of one source table (`[[routes]] extract-*`). */
export interface ExtraColumn {
  column: string;
  value: string;
}

export interface Router {
  route(schema: string, table: string): { schema: string; table: string };
  routeSchema(schema: string): string;
  /** extract-table / extract-schema / extract-source values for rows of `schema`.`table` (source names) */
  extraColumns(schema: string, table: string, sourceId?: string): ExtraColumn[];
}

interface Extractor { column: string; re: RegExp; from: 'table' | 'schema' | 'source' }
interface Compiled { s: RegExp; t?: RegExp; r: RouteRule; extractors: Extractor[]; text: string }

function glob(p: string, ci: boolean): RegExp {
  const re = p.replace(/[.+^${}()|[\]\\/]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${re}$`, ci ? 'is' : 's');
}

function extractor(r: RouteRule, from: Extractor['from'], re: string | undefined, column: string | undefined): Extractor | undefined {
  if (re === undefined && column === undefined) return undefined;
  const key = `routes.extract-${from}`;
  if (!column) throw new ConfigError(`[[routes]] extract-${from} for "${r.schemaPattern}" has an empty target-column`, { key });
  try {
    return { column, re: goRegExp(re ?? ''), from };
  } catch (e) {
    throw new ConfigError(`[[routes]] extract-${from} regexp "${re}" is invalid: ${(e as Error).message}`, { key }, e);
  }
}

/** Go extractVal: all capture groups of the first match, concatenated. */
function extractValue(re: RegExp, s: string): string {
  const m = re.exec(s);
  return m ? m.slice(1).map((g) => g ?? '').join('') : '';
}

export function makeRouter(rules: readonly RouteRule[] = [], caseSensitive = false): Router {
  const ci = !caseSensitive;
  const tableRules: Compiled[] = [];
  const schemaRules: Compiled[] = [];
  for (const r of rules) {
    if (!r.schemaPattern) throw new ConfigError('[[routes]] schema-pattern must not be empty', { key: 'routes.schema-pattern' });
    if (!r.targetSchema) throw new ConfigError(`[[routes]] rule for "${r.schemaPattern}" has an empty target-schema`, { key: 'routes.target-schema' });
    const extractors = [
      extractor(r, 'table', r.extractTable?.tableRegexp, r.extractTable?.targetColumn),
      extractor(r, 'schema', r.extractSchema?.schemaRegexp, r.extractSchema?.targetColumn),
      extractor(r, 'source', r.extractSource?.sourceRegexp, r.extractSource?.targetColumn),
    ].filter((x): x is Extractor => x !== undefined);
    const text = `{schema-pattern "${r.schemaPattern}"${r.tablePattern ? `, table-pattern "${r.tablePattern}"` : ''}}`;
    const c: Compiled = { s: glob(r.schemaPattern, ci), r, extractors, text };
    if (r.tablePattern) tableRules.push({ ...c, t: glob(r.tablePattern, ci) });
    else schemaRules.push(c);
  }
  const only = (list: Compiled[], schema: string, table: string | undefined): Compiled | undefined => {
    const hits = list.filter((x) => x.s.test(schema) && (table === undefined || x.t!.test(table)));
    if (hits.length > 1) {
      throw new ConfigError(`\`${schema}\`${table === undefined ? '' : `.\`${table}\``} matches ${hits.length} ${table === undefined ? 'schema' : 'table'} route rules, which is more than one: ${hits[0]!.text}, ${hits[1]!.text}`,
        { key: 'routes' });
    }
    return hits[0];
  };
  const ruleFor = (schema: string, table: string): Compiled | undefined =>
    (table ? only(tableRules, schema, table) : undefined) ?? only(schemaRules, schema, undefined);
  return {
    route(schema, table) {
      const c = ruleFor(schema, table);
      if (!c) return { schema, table };
      return { schema: c.r.targetSchema, table: c.r.targetTable || table };
    },
    routeSchema(schema) {
      return only(schemaRules, schema, undefined)?.r.targetSchema ?? schema;
    },
    extraColumns(schema, table, sourceId = '') {
      const c = ruleFor(schema, table);
      if (!c) return [];
      return c.extractors.map((x) => ({
        column: x.column,
        value: extractValue(x.re, x.from === 'table' ? table : x.from === 'schema' ? schema : sourceId),
      }));
    },
  };
}
