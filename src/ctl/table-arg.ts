// The table and engine arguments of tidb-lightning-ctl: 'all', `db`.`tbl` (Go's form, as checkpoints key
// tables), or db.tbl for convenience; engines as `db`.`tbl`:<engine id> or an engine UUID.
import { ConfigError } from '../errors.js';
import { tableKey } from '../backend/tidb/values.js';
import { engineUuid, parseUuid } from '../cluster/engine-uuid.js';

const QUOTED = /^`((?:[^`]|``)+)`\.`((?:[^`]|``)+)`$/;

/** `db`.`tbl` → { schema, table }; undefined when the text is not that form. */
export function parseTableKey(key: string): { schema: string; table: string } | undefined {
  const m = QUOTED.exec(key);
  return m ? { schema: m[1]!.replace(/``/g, '`'), table: m[2]!.replace(/``/g, '`') } : undefined;
}

/** 'all' or the checkpoint key of one table. */
export function tableArg(flag: string, v: string): string {
  if (v === 'all' || parseTableKey(v)) return v;
  const parts = v.split('.');
  if (parts.length === 2 && parts[0] && parts[1] && !v.includes('`')) return tableKey(parts[0], parts[1]);
  throw new ConfigError(`--${flag}: '${v}' is neither 'all' nor a table name like \`db\`.\`tbl\``, { key: flag });
}

/** An engine as tikv-importer knows it: its UUID, and a readable name for messages. */
export function engineArg(flag: string, v: string): { uuid: Buffer; name: string } {
  const colon = v.lastIndexOf(':');
  if (colon > 0 && parseTableKey(v.slice(0, colon)) && /^-?\d+$/.test(v.slice(colon + 1))) {
    return { uuid: engineUuid(v.slice(0, colon), Number(v.slice(colon + 1))), name: v };
  }
  const uuid = parseUuid(v);
  if (uuid) return { uuid, name: v };
  throw new ConfigError(`--${flag}: '${v}' is neither \`db\`.\`tbl\`:<engine id> nor an engine UUID`, { key: flag });
}
