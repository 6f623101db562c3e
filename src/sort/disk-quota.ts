// `tikv-importer.disk-quota` accounting for sorted-kv-dir: every engine reserves the bytes it is about to write
// and releases what it deletes. Exceeding the quota is a coded error the orchestrator can react to (import the
// largest engines first, as Lightning does) instead of a full disk halfway through a file.
import { Codes, LightningError } from '../errors.js';

export class DiskQuota {
  private usedBytes = 0;

  constructor(readonly limit: number = Number.MAX_SAFE_INTEGER, readonly dir = '') {}

  get used(): number { return this.usedBytes; }

  /** Accounts `bytes` or throws Codes.DiskQuota (nothing is accounted then). */
  reserve(bytes: number, what: string): void {
    if (this.usedBytes + bytes > this.limit) {
      throw new LightningError(Codes.DiskQuota,
        `sorted-kv-dir would hold ${this.usedBytes + bytes} bytes after ${what}, above disk-quota ${this.limit}; ` +
        'import or clean up engines, or raise tikv-importer.disk-quota', { context: { file: this.dir, used: this.usedBytes, quota: this.limit } });
    }
    this.usedBytes += bytes;
  }

  /** Accounts files that already exist (an engine reopened after a restart); never throws. */
  account(bytes: number): void {
    this.usedBytes += bytes;
  }

  release(bytes: number): void {
    this.usedBytes = Math.max(0, this.usedBytes - bytes);
  }
}
