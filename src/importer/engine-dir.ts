// tikv-importer's import-dir layout (protocol.md §7.2): an engine being written lives in `.temp/<uuid>`, a closed
// one in `<uuid>`; closing moves the directory (one rename, then both parents fsynced). Each directory is a
// src/sort LocalEngine. Unlike the Rust importer (whose RocksDB writes skip the WAL and which wipes `.temp` at
// start), acknowledged writes are on disk, so `.temp` survives a restart and an engine is reopened from it.
import { access, mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../log.js';
import { LocalEngine, type EngineOptions } from '../sort/engine.js';
import { fsyncDir } from '../sort/fsutil.js';

const TEMP = '.temp';

const exists = (p: string): Promise<boolean> => access(p).then(() => true, () => false);

export class EngineDir {
  readonly temp: string;

  constructor(readonly root: string, private readonly opts: EngineOptions = {}) {
    this.temp = join(root, TEMP);
  }

  /** Creates the directories and finishes closes a crash interrupted (merged in `.temp`, not yet moved). */
  async init(log?: Logger): Promise<void> {
    await mkdir(this.temp, { recursive: true });
    for (const name of await readdir(this.temp)) {
      const e = await LocalEngine.open(this.temp, name, this.opts);
      if (!e.isClosed) continue;
      if (await exists(this.savePath(name))) {
        log?.warn({ engine: name }, 'engine is both open and closed on disk; keeping the closed one');
        continue;
      }
      await this.save(name);
      log?.info({ engine: name }, 'finished an interrupted close');
    }
  }

  savePath(uuid: string): string { return join(this.root, uuid); }
  tempPath(uuid: string): string { return join(this.temp, uuid); }
  isClosed(uuid: string): Promise<boolean> { return exists(this.savePath(uuid)); }
  isOpenOnDisk(uuid: string): Promise<boolean> { return exists(this.tempPath(uuid)); }

  /** Opens (creating or recovering) the writable engine in `.temp`. */
  async openTemp(uuid: string): Promise<LocalEngine> {
    const created = !(await this.isOpenOnDisk(uuid));
    const e = await LocalEngine.open(this.temp, uuid, this.opts);
    if (created) await fsyncDir(this.temp); // the new directory's entry must survive a crash like its files
    return e;
  }

  /** The closed engine, for import. */
  openSaved(uuid: string): Promise<LocalEngine> {
    return LocalEngine.open(this.root, uuid, this.opts);
  }

  /** Moves a closed engine from `.temp` into place. */
  async save(uuid: string): Promise<void> {
    await rename(this.tempPath(uuid), this.savePath(uuid));
    await fsyncDir(this.temp);
    await fsyncDir(this.root);
  }

  /** Removes both directories of an engine (fine when absent). */
  async remove(uuid: string): Promise<void> {
    await rm(this.tempPath(uuid), { recursive: true, force: true });
    await rm(this.savePath(uuid), { recursive: true, force: true });
  }
}
