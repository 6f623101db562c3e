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
