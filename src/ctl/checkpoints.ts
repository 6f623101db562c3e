// The checkpoint actions of tidb-lightning-ctl (Go's order and semantics, lightning.md §3): remove, error-ignore,
// error-destroy, dump and check-local-storage, over either checkpoint driver. They open an existing checkpoint
// only: a wrong -config/-d must say "not found", never leave an empty checkpoint behind.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { engineUuid, formatUuid } from '../cluster/engine-uuid.js';
import { securityTls } from '../cluster/security.js';
import {
  checkpointOptionsOf, CheckpointStatus as S, isFailed, openCheckpointStore, statusName,
  type CheckpointStore, type DestroyedTable, type TableCheckpoint,
} from '../checkpoint/index.js';
import type { Config } from '../config/types.js';
import { CheckpointError, Codes, formatError, LightningError } from '../errors.js';
import { connOptions, TargetDb } from '../import/target.js';
import { cleanupImporterEngines, dropTargetTable, removeLocalEngines, wrapTargetError } from './target-cleanup.js';
import type { Term } from './term.js';

export async function openExisting(cfg: Config): Promise<CheckpointStore> {
  try {
    return await openCheckpointStore({ ...checkpointOptionsOf(cfg, connOptions(cfg, 1).ssl), create: false });
  } catch (e) {
    if (e instanceof LightningError && e.code === Codes.CheckpointNotFound) {
      throw new CheckpointError(Codes.CheckpointNotFound, `${e.message}. Run tidb-lightning-ctl with the config file and flags ` +
        "of the import (-config, -d, [checkpoint] driver/dsn/schema); 'tidb-lightning-ctl -h' lists them", e.context, e);
    }
    throw e;
  }
}

async function withStore<T>(cfg: Config, f: (s: CheckpointStore) => Promise<T>): Promise<T> {
  const s = await openExisting(cfg);
  try {
    return await f(s);
  } finally {
    await s.close().catch(() => undefined);
  }
}

const matches = (t: TableCheckpoint, target: string) => target === 'all' || t.tableName === target;

function failure(t: TableCheckpoint): string {
  const err = t.errorCode || t.errorMessage ? `: [${t.errorCode ?? ''}] ${t.errorMessage ?? ''}` : '';
  return isFailed(t.status) ? `failed at step ${statusName(t.status * 10)}${err}` : 'an engine failed';
}

export async function checkpointRemove(cfg: Config, target: string, say: Term): Promise<void> {
  const s = await openExisting(cfg);
  if (target === 'all') {
    // Go deletes the whole file / drops the whole schema
    await s.finish('remove', 0n);
    say.out(`Removed all checkpoints (${s.location}). The target is untouched: the next run starts every table from scratch.`);
    return;
  }
  try {
    const had = await s.getTable(target);
    await s.remove(target);
    say.out(had
      ? `Removed the checkpoint of ${target}. The target is untouched: the next run starts the table from scratch (drop its rows first).`
      : `No checkpoint for ${target} in ${s.location}; nothing removed.`);
  } finally {
    await s.close();
  }
}

export async function checkpointErrorIgnore(cfg: Config, target: string, say: Term): Promise<void> {
  await withStore(cfg, async (s) => {
    const failed = [...(await s.loadTables()).values()].filter((t) => matches(t, target) && (isFailed(t.status) ||
      [...t.engines.values()].some((e) => isFailed(e.status))));
    await s.ignoreError(target);
    if (!failed.length) { say.out(`No failed table matches ${target}; nothing to ignore.`); return; }
    for (const t of failed) say.out(`Ignored the error of ${t.tableName} (${failure(t)}); the next run continues it from its last good progress.`);
  });
}

export async function checkpointErrorDestroy(cfg: Config, target: string, say: Term): Promise<void> {
  await withStore(cfg, async (s) => {
    const failed: DestroyedTable[] = [...(await s.loadTables()).values()].filter((t) => matches(t, target) && isFailed(t.status))
      .map((t) => {
        const ids = [...t.engines.keys()];
        return { tableName: t.tableName, minEngineId: Math.min(-1, ...ids), maxEngineId: Math.max(-1, ...ids) };
      });
    if (!failed.length) { say.out(`No failed table matches ${target}; nothing destroyed.`); return; }
    const backend = cfg.tikvImporter.backend;
    const target_ = new TargetDb(connOptions(cfg, 1));
    let last: LightningError | undefined;
    try {
      for (const t of failed) {
        // Target first, checkpoint last: if anything fails the checkpoint still names the table and the
        // command can be run again (Go deletes the checkpoint first and may leave a table nobody will drop).
        try {
          say.err(`Dropping table: ${t.tableName}`);
          await dropTargetTable(target_, cfg, t.tableName);
          if (backend === 'local') removeLocalEngines(cfg.tikvImporter.sortedKvDir, t, say.err);
          if (backend === 'importer') await cleanupImporterEngines(cfg.tikvImporter.addr, securityTls(cfg.security), t, say.err);
          await s.destroyError(t.tableName);
          say.out(`Destroyed ${t.tableName}: table dropped, its progress and checkpoints removed; the next run imports it again.`);
        } catch (e) {
          last = wrapTargetError(t.tableName, e);
          say.err(`* Encountered error while dropping table: ${formatError(last)}`);
        }
      }
    } finally {
      await target_.close();
    }
    if (last) throw last;
  });
}

export async function checkpointDump(cfg: Config, dir: string, say: Term): Promise<void> {
  await withStore(cfg, async (s) => {
    await s.dump(dir);
    const t = await s.loadTables();
    const engines = [...t.values()].reduce((a, x) => a + x.engines.size, 0);
    const chunks = [...t.values()].reduce((a, x) => a + [...x.engines.values()].reduce((b, e) => b + e.chunks.length, 0), 0);
    say.out(`Dumped the checkpoint ${s.location} into ${dir}: tables.csv (${t.size} rows), engines.csv (${engines}), chunks.csv (${chunks}).`);
  });
}

/**
 * Go's GetLocalStoringTables: tables whose data is written to local engines but not imported yet
 * (25 < table status < index_imported, 25 < engine status < imported, a chunk read past its start), whose
 * engine directory under sorted-kv-dir is missing.
 */
export async function checkLocalStorage(cfg: Config, say: Term): Promise<void> {
  if (cfg.tikvImporter.backend !== 'local') {
    say.out(`The ${cfg.tikvImporter.backend} backend keeps no intermediate files: no table can have lost any.`);
    return;
  }
  await withStore(cfg, async (s) => {
    const lost: string[] = [];
    for (const t of (await s.loadTables()).values()) {
      if (t.status <= S.MaxInvalid || t.status >= S.IndexImported) continue;
      const pending = [...t.engines.values()].filter((e) => e.status > S.MaxInvalid && e.status < S.Imported &&
        e.chunks.some((c) => c.pos > c.offset));
      if (pending.some((e) => !existsSync(join(cfg.tikvImporter.sortedKvDir, formatUuid(engineUuid(t.tableName, e.engineId)))))) lost.push(t.tableName);
    }
    say.out(lost.length ? `These tables are missing intermediate files: [${lost.join(', ')}]`
      : 'No table has lost intermediate files according to given config');
  });
}
