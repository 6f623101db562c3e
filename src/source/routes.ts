// [[routes]] table router (DM semantics): schema-pattern/table-pattern with `*`/`?` wildcards; rules with a
// table-pattern take precedence over schema-only rules; empty target-table keeps the table name.
import { ConfigError } from '../errors.js';

/** One `[[routes]]` entry (Go keys: schema-pattern, table-pattern, target-schema, target-table). */
export interface RouteRule {
  schemaPattern: string;
  tablePattern?: string;
  targetSchema: string;
  targetTable?: string;
}

export interface Router {
  route(schema: string, table: string): { schema: string; table: string };
  routeSchema(schema: string): string;
}

function glob(p: string, ci: boolean): RegExp {
  const re = p.replace(/[.+^${}()|[\]\\/]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${re}$`, ci ? 'is' : 's');
}

export function makeRouter(rules: RouteRule[] = [], caseSensitive = false): Router {
  const ci = !caseSensitive;
  const tableRules: Array<{ s: RegExp; t: RegExp; r: RouteRule }> = [];
  const schemaRules: Array<{ s: RegExp; r: RouteRule }> = [];
  for (const r of rules) {
    if (!r.schemaPattern) throw new ConfigError('[[routes]] schema-pattern must not be empty');
    if (!r.targetSchema) throw new ConfigError(`[[routes]] rule for "${r.schemaPattern}" has an empty target-schema`);
    if (r.tablePattern) tableRules.push({ s: glob(r.schemaPattern, ci), t: glob(r.tablePattern, ci), r });
    else schemaRules.push({ s: glob(r.schemaPattern, ci), r });
  }
  return {
    route(schema, table) {
      for (const x of tableRules) {
        if (x.s.test(schema) && x.t.test(table)) return { schema: x.r.targetSchema, table: x.r.targetTable || table };
      }
      for (const x of schemaRules) if (x.s.test(schema)) return { schema: x.r.targetSchema, table };
      return { schema, table };
    },
    routeSchema(schema) {
      for (const x of schemaRules) if (x.s.test(schema)) return x.r.targetSchema;
      return schema;
    },
  };
}
