// Durable file steps: a file is complete once it has its final name, because it is written under a temporary
// name, fsynced, renamed and the directory fsynced (so the rename itself survives a crash).
import { open, rename, readdir, rm } from 'node:fs/promises';

export const TMP_SUFFIX = '.tmp';

export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Renames a fully written and fsynced temporary file into place and makes the rename durable. */
export async function commitFile(tmpPath: string, finalPath: string, dir: string): Promise<void> {
  await rename(tmpPath, finalPath);
  await fsyncDir(dir);
}

/** Writes a small file durably (used for manifests). */
export async function writeFileDurable(dir: string, name: string, data: Buffer | string): Promise<void> {
  const tmp = `${dir}/${name}${TMP_SUFFIX}`;
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await commitFile(tmp, `${dir}/${name}`, dir);
}

/** Removes temporaries a crash left behind; they never held acknowledged data. */
export async function removeTemporaries(dir: string): Promise<void> {
  for (const f of await readdir(dir)) if (f.endsWith(TMP_SUFFIX)) await rm(`${dir}/${f}`, { force: true });
}
