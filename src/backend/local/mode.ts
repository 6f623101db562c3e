// Import/Normal mode on every TiKV store (protocol.md §4.1, §5.1 steps 4 and 7): best effort — failures are
// reported, not thrown (Lightning logs "switch tikv to normal mode failed"), Unimplemented (TiFlash) ignored.
import * as grpc from '@grpc/grpc-js';
import { grpcCodeOf } from '../../cluster/errors.js';
import type { ImportMode } from '../../cluster/import-sst.js';
import type { StoreClients } from '../../cluster/store-clients.js';

export async function switchMode(clients: StoreClients, mode: ImportMode, onWarn?: (msg: string) => void): Promise<void> {
  let stores;
  try {
    stores = await clients.tikvStores();
  } catch (e) {
    onWarn?.(`switch tikv to ${mode.toLowerCase()} mode failed: ${(e as Error).message}`);
    return;
  }
  await Promise.all(stores.map(async (s) => {
    try {
      await (await clients.importSst(s.id)).switchMode(mode);
    } catch (e) {
      if (grpcCodeOf(e) !== grpc.status.UNIMPLEMENTED) onWarn?.(`switch tikv ${s.address} to ${mode.toLowerCase()} mode failed: ${(e as Error).message}`);
    }
  }));
}

/**
 * Stores in Import mode while any engine import runs, re-sent every `everyMs` (TiKV reverts it after a timeout),
 * and back in Normal mode when the last one ends, also when it failed. Shared by the local and importer backends.
 */
export class ImportModeSwitch {
  private active = 0;
  private timer?: NodeJS.Timeout;

  constructor(private readonly clients: () => StoreClients, private readonly everyMs: number, private readonly onWarn?: (msg: string) => void) {}

  async during<T>(f: () => Promise<T>): Promise<T> {
    if (this.active++ === 0) {
      await switchMode(this.clients(), 'Import', this.onWarn);
      if (this.everyMs > 0) this.timer = setInterval(() => void switchMode(this.clients(), 'Import', this.onWarn), this.everyMs);
    }
    try {
      return await f();
    } finally {
      if (--this.active === 0) {
        this.stop();
        await switchMode(this.clients(), 'Normal', this.onWarn);
      }
    }
  }

  /** Stops re-sending Import mode (backend close). */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
