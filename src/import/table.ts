// One table's data: its data engines in order (chunks under region-concurrency, reads under io-concurrency),
// each closed and imported, then the index engine fed by them. Engine and table statuses follow Go's.
import { CheckpointStatus as S } from '../checkpoint/index.js';
import { sqlModeFlags } from '../parse/index.js';
import { checkpointCommit, chunkFinished, chunkRef, importChunk, type ChunkContext } from './chunk.js';
import type { ImportRun, TableJob } from './job.js';
import { forEachLimit, type Semaphore } from './limit.js';
import { csvOptions, INDEX_ENGINE_ID } from './plan.js';

export async function importTable(run: ImportRun, j: TableJob, region: Semaphore, io: Semaphore): Promise<void> {
  if (j.cp.status >= S.IndexImported) return;
  const backend = run.backend;
  const t0 = Date.now();
  run.log.info({ table: j.name }, 'restore table start');
  const ctx: ChunkContext = {
    root: run.root, store: run.store, tableName: j.name, columns: j.columns, csv: csvOptions(run.cfg),
    dataCharacterSet: run.cfg.mydumper.dataCharacterSet,
    dataInvalidCharReplace: run.cfg.mydumper.dataInvalidCharReplace, io, signal: run.signal, pause: run.pause,
    sqlMode: sqlModeFlags(run.cfg.tidb.sqlMode), ignoreColumns: run.ignoreColumns(j.src.schema, j.src.table),
    extraColumns: new Map(j.src.dataFiles.filter((f) => f.extraColumns?.length).map((f) => [f.path, f.extraColumns!])),
    onAdvance: (bytes, rows) => run.progress.advance(j.name, bytes, rows),
  };
  const engines = [...j.cp.engines.values()].filter((e) => e.engineId >= 0).sort((a, b) => a.engineId - b.engineId);
  for (const e of engines) {
    if (e.status >= S.Imported) continue;
    if (e.status < S.Closed) {
      await run.step(j, S.AllWritten, async () => {
        const writer = await backend.openEngine(j.ref, e.engineId);
        const todo = e.chunks.filter((c) => !chunkFinished(c));
        await forEachLimit(todo, todo.length, (c) => region.run(async () => {
          run.signal.throwIfAborted();
          const committed = backend.progressInTarget ? await backend.getCommittedProgress(chunkRef(c)) : checkpointCommit(c);
          await importChunk(ctx, writer, c, committed);
          run.progress.chunkDone(j.name);
        }), run.signal);
        await writer.close();
      }, e.engineId);
      await run.store.updateEngineStatus(j.name, e.engineId, S.AllWritten);
      await run.store.updateEngineStatus(j.name, e.engineId, S.Closed);
      e.status = S.Closed;
    }
    await run.step(j, S.Imported, () => backend.importEngine(j.ref, e.engineId), e.engineId);
    await run.store.updateEngineStatus(j.name, e.engineId, S.Imported);
    e.status = S.Imported;
    run.progress.engineDone(j.name);
  }
  // The index engine (-1) is fed by the data engines' chunks: closed and imported after all of them.
  const ix = j.cp.engines.get(INDEX_ENGINE_ID);
  if (!ix || ix.status < S.Imported) {
    await run.step(j, S.IndexImported, async () => {
      await (await backend.openEngine(j.ref, INDEX_ENGINE_ID)).close();
      await backend.importEngine(j.ref, INDEX_ENGINE_ID);
    }, INDEX_ENGINE_ID);
    await run.store.updateEngineStatus(j.name, INDEX_ENGINE_ID, S.Imported);
    run.progress.engineDone(j.name);
  }
  await run.setStatus(j, S.IndexImported);
  run.log.info({ table: j.name, takeTimeMs: Date.now() - t0 }, 'restore table completed');
}
