// What `--checkpoint-error-destroy` removes outside the checkpoint, so a rerun starts the table clean:
// the target table, the tidb backend's bookkeeping rows in the task-info schema (per-chunk progress of every
// task and the table_done_v1 row), and the table's engines — local engine directories under sorted-kv-dir
// (engine ids min..max, index engine -1 included) or engines on tikv-importer (importer backend).
import { rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { progressTable } from '../backend/tidb/progress.js';
import { quoteIdent, quoteTable } from '../backend/tidb/values.js';
import { engineUuid, formatUuid } from '../cluster/engine-uuid.js';
import { cleanupEngines } from '../backend/importer/ctl.js';
import type { TlsOptions } from '../cluster/security.js';
import type { DestroyedTable } from '../checkpoint/types.js';
import type { Config } from '../config/types.js';
import { Codes, DatabaseError, LightningError } from '../errors.js';
import { taskInfoSchema } from '../import/backends.js';
import { hexStr, type TargetDb } from '../import/target.js';
import { parseTableKey } from './table-arg.js';

/** errno of a missing table (1146) or database (1049), looked up through our error's cause chain */
function missing(e: unknown): boolean {
  for (let c: unknown = e; c; c = (c as { cause?: unknown }).cause) {
    const n = (c as { errno?: number }).errno;
    if (n === 1146 || n === 1049) return true;
  }
  return false;
}

async function tolerateMissing(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (e) {
    if (!missing(e)) throw e;
  }
}

export async function dropTargetTable(target: TargetDb, cfg: Config, tableName: string): Promise<void> {
  const ref = parseTableKey(tableName);
  if (!ref) throw new LightningError(Codes.InvalidCheckpoint, `checkpoint table name ${tableName} is not \`db\`.\`tbl\``);
  await target.query(`DROP TABLE IF EXISTS ${quoteTable(ref.schema, ref.table)}`, 'dropping the table', { table: tableName });
  const schema = taskInfoSchema(cfg);
  // every task's progress rows: the task that failed and any older one that left rows behind
  await tolerateMissing(target.query(`DELETE FROM ${progressTable(schema)} WHERE table_name = ${hexStr(tableName)}`,
    'removing the chunk progress rows', { table: tableName }));
  await tolerateMissing(target.query(`DELETE FROM ${quoteIdent(schema)}.\`table_done_v1\` WHERE table_name = ${hexStr(tableName)}`,
    'removing the table_done_v1 row', { table: tableName }));
}

export function engineIds(t: DestroyedTable): number[] {
  const out: number[] = [];
  for (let id = t.minEngineId; id <= t.maxEngineId; id++) out.push(id);
  return out;
}

/** Local backend: `<sorted-kv-dir>/<engine UUID>` of each engine; returns the paths that existed. */
export function removeLocalEngines(sortedKvDir: string, t: DestroyedTable, say: (line: string) => void): string[] {
  const removed: string[] = [];
  for (const id of engineIds(t)) {
    const dir = join(sortedKvDir, formatUuid(engineUuid(t.tableName, id)));
    say(`Closing and cleaning up engine: ${t.tableName} ${id}`);
    if (existsSync(dir)) {
      rmSync(dir, { recursive: true, force: true });
      removed.push(dir);
    }
  }
  return removed;
}

/** Importer backend: close and clean up each engine on tikv-importer (closed already, or unknown to it, is fine). */
export async function cleanupImporterEngines(addr: string, tls: TlsOptions | undefined, t: DestroyedTable, say: (line: string) => void): Promise<void> {
  const ids = engineIds(t);
  await cleanupEngines(addr, ids.map((id) => engineUuid(t.tableName, id)), { tls }, (i) => say(`Closing and cleaning up engine: ${t.tableName} ${ids[i]}`));
}

export function wrapTargetError(tableName: string, e: unknown): LightningError {
  if (e instanceof LightningError) return e;
  return new DatabaseError(`cleaning up ${tableName} failed: ${(e as Error).message}`, { cause: e, context: { table: tableName } });
}
