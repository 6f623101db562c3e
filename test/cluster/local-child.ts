// A Lightning-like process for the crash tests (runs only with LTS_LOCAL_CHILD set; node --test also loads every
// file under test/): writes rows through the local backend saving a checkpoint after each acknowledged batch,
// closes and imports the engines, verifies the checksum. Killed with SIGKILL by the parent at chosen moments and
// rerun; it resumes from its checkpoint file like the orchestrator resumes from SQLite.
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { LocalBackend } from '../../src/backend/local/index.js';
import type { ChunkCommit } from '../../src/backend/backend.js';
import { initialCommit } from '../../src/backend/backend.js';
import { TABLE, batches, tableInfo } from './local-fixture.js';

interface ChildConfig { pdAddr: string; dir: string; ckpt: string; rows: number; batch: number }

function save(path: string, c: ChunkCommit & { phase: string }): void {
  const fd = openSync(`${path}.tmp`, 'w');
  writeSync(fd, JSON.stringify(c, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)));
  fsyncSync(fd);
  closeSync(fd);
  renameSync(`${path}.tmp`, path);
}

function load(path: string): (ChunkCommit & { phase: string }) | undefined {
  if (!existsSync(path)) return undefined;
  return JSON.parse(readFileSync(path, 'utf8'), (_k, v: unknown) => (typeof v === 'string' && /^\d+n$/.test(v) ? BigInt(v.slice(0, -1)) : v)) as ChunkCommit & { phase: string };
}

async function main(cfg: ChildConfig): Promise<void> {
  const backend = new LocalBackend({
    sortedKvDir: cfg.dir, pdAddr: cfg.pdAddr, tableInfo: async () => tableInfo(),
    engine: { propSizeDistance: 4096, propKeysDistance: 64, flushDelayMs: 1 },
    import: {
      regionSplitSize: 32 << 10, sendKvSize: 4 << 10, rangeConcurrency: 2, retryBackoff: { attempts: 30, firstMs: 5, maxMs: 50 },
      split: { retry: { attempts: 10, firstMs: 5, maxMs: 50 }, wait: { attempts: 50, firstMs: 2, maxMs: 20 } },
    },
  });
  await backend.open();
  let ck = load(cfg.ckpt) ?? { ...initialCommit({ offset: 0, prevRowIdMax: 0 }), phase: 'write' };
  if (ck.phase === 'write') {
    const engine = await backend.openEngine(TABLE, 0);
    const index = await backend.openEngine(TABLE, -1);
    if (ck.pos < cfg.rows) {
      const w = await engine.openChunk({ tableName: '`db`.`t`', engineId: 0, path: 'db.t.sql', offset: 0 }, ck);
      for (const b of batches(ck.pos, cfg.rows, cfg.batch)) {
        ck = { ...(await w.write(b)), phase: 'write' };
        save(cfg.ckpt, ck);
        process.stdout.write(`ckpt ${ck.pos}\n`);
      }
      await w.close();
    }
    await engine.close();
    await index.close();
    ck = { ...ck, phase: 'import' };
    save(cfg.ckpt, ck);
  }
  process.stdout.write('importing\n');
  await backend.importEngine(TABLE, 0);
  await backend.importEngine(TABLE, -1);
  const remote = await backend.verifyChecksum(TABLE, { checksum: ck.checksum, totalKvs: BigInt(ck.kvKvs ?? 0), totalBytes: BigInt(ck.kvBytes ?? 0) });
  process.stdout.write(`done ${remote.totalKvs} ${ck.rows}\n`);
  await backend.close();
}

const env = process.env.LTS_LOCAL_CHILD;
if (env) {
  main(JSON.parse(env) as ChildConfig).then(() => process.exit(0), (e: unknown) => {
    process.stderr.write(`child failed: ${(e as Error)?.stack ?? e}\n`);
    process.exit(1);
  });
}
