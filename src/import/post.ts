// A table's post-restore steps in Go's order and statuses: AUTO_INCREMENT rebase (150), verification (180/170),
// the secondary indexes left out of CREATE TABLE (190), ANALYZE (210/200). Each is skipped when the table's
// checkpoint is past it, so a rerun continues after the last step that finished.
import { CheckpointStatus as S, statusName, type TableCheckpoint } from '../checkpoint/index.js';
import { Codes, LightningError } from '../errors.js';
import type { ImportRun, TableJob } from './job.js';
import type { DeferredIndex } from './schema.js';

/** Go's order: AUTO_INCREMENT rebase (150) → checksum (180/170) → deferred indexes (190) → analyze (210/200). */
export async function postProcess(run: ImportRun, j: TableJob): Promise<void> {
  const pr = run.cfg.postRestore;
  if (j.cp.status < S.AlteredAutoInc) {
    await run.step(j, S.AlteredAutoInc, async () => {
      // KV backends allocated row IDs (_tidb_rowid, auto-increment values) themselves: TiDB's allocator must move past them.
      const fresh = run.backend.progressInTarget ? undefined : await run.store.getTable(j.name);
      const used = fresh ? Math.max(0, ...[...fresh.engines.values()].flatMap((e) => e.chunks.map((c) => c.prevRowIdMax))) : 0;
      const base = await run.target.rebaseAutoIncrement(j.ref, j.columns, used ? used + 1 : undefined);
      if (base !== undefined) await run.store.updateTable(j.name, { autoIncrBase: base });
    });
    await run.setStatus(j, S.AlteredAutoInc);
  }
  // tidb backend: the deferred indexes are built while the checksum scans the rows (each keeps a core of the
  // target busy). Its checksum reads row content only; ADMIN CHECKSUM of the KV backends covers the index KVs,
  // so there the indexes wait. The statuses still move in Go's order.
  const later = j.cp.status < S.IndexAdded ? deferredOf(j.cp) : [];
  const building = later.length && run.cfg.tikvImporter.backend === 'tidb' ? addDeferredIndexes(run, j, later) : undefined;
  building?.catch(() => undefined); // reported at its own step below
  try {
    await verify(run, j);
  } catch (e) {
    await building?.catch(() => undefined);
    throw e;
  }
  if (later.length) {
    await run.step(j, S.IndexAdded, () => building ?? addDeferredIndexes(run, j, later));
    await run.setStatus(j, S.IndexAdded);
  }
  if (j.cp.status < S.AnalyzeSkipped) {
    if (pr.analyze === 'off') await run.setStatus(j, S.AnalyzeSkipped);
    else {
      await run.step(j, S.Analyzed, async () => {
        try {
          await run.target.analyze(j.ref);
        } catch (e) {
          if (pr.analyze === 'required') throw e;
          run.log.warn({ table: j.name, err: (e as Error).message }, 'analyze failed (post-restore.analyze = "optional")');
        }
      });
      await run.setStatus(j, S.Analyzed);
    }
  }
  run.progress.status(j.name, 'done');
}

/** Verification (180/170): row count and checksum against what the chunks predicted. */
async function verify(run: ImportRun, j: TableJob): Promise<void> {
  const pr = run.cfg.postRestore;
  if (j.cp.status < S.ChecksumSkipped) {
    if (pr.checksum === 'off') {
      j.verification = 'skipped (post-restore.checksum = "off")';
      await run.setStatus(j, S.ChecksumSkipped);
    } else {
      const v = await run.step(j, S.Checksummed, async () => {
        // the figures as the checkpoint holds them now (the in-memory copy is from the start of the run)
        const fresh = await run.store.getTable(j.name);
        const chunks = [...(fresh ?? j.cp).engines.values()].flatMap((e) => e.chunks);
        const r = await run.backend.verifyTable(j.ref, chunks);
        if (!r.ok && pr.checksum === 'required') throw r.error ?? new LightningError(Codes.ChecksumMismatch, r.detail, { context: { table: j.name } });
        return r;
      });
      j.verification = v.ok ? `OK: ${v.detail}` : `MISMATCH (post-restore.checksum = "optional"): ${v.detail}`;
      if (!v.ok) run.log.warn({ table: j.name, detail: v.detail }, 'checksum mismatch');
      else run.log.info({ table: j.name, detail: v.detail }, 'checksum pass');
      await run.setStatus(j, S.Checksummed);
    }
    run.progress.status(j.name, statusName(j.cp.status), { verification: j.verification });
  }
}

async function addDeferredIndexes(run: ImportRun, j: TableJob, later: DeferredIndex[]): Promise<void> {
  const missing = missingIndexes(later, await run.target.indexNames(j.ref));
  const t0 = Date.now();
  await run.target.addIndexes(j.ref, missing.map((ix) => ix.definition));
  run.log.info({ table: j.name, indexes: missing.length, takeTimeMs: Date.now() - t0 }, 'secondary indexes added');
}

/** Indexes the table's checkpoint says were left out of its CREATE TABLE. */
function deferredOf(cp: TableCheckpoint): DeferredIndex[] {
  if (!cp.tableInfo) return [];
  try {
    return (JSON.parse(cp.tableInfo) as { deferredIndexes?: DeferredIndex[] }).deferredIndexes ?? [];
  } catch {
    return [];
  }
}

/** Deferred index names are kept as written in the schema file (latin1 wire text); the target reports UTF-8. */
export function missingIndexes(later: DeferredIndex[], have: Set<string>): DeferredIndex[] {
  return later.filter((ix) => !have.has(Buffer.from(ix.name, 'latin1').toString('utf8').toLowerCase()));
}
