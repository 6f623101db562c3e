// Load a sibling module that may not be written yet: returns undefined only when that very module is
// missing (a missing dependency *inside* it is a real error and propagates).
import { fileURLToPath } from 'node:url';

export async function importOptional<T>(url: URL): Promise<T | undefined> {
  try {
    return (await import(url.href)) as T;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ERR_MODULE_NOT_FOUND' && err.message.includes(fileURLToPath(url))) return undefined;
    throw e;
  }
}
