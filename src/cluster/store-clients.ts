// One ImportSST and one Tikv client per store, dialled at the address PD reports (cached; a store that moved
// is re-resolved after invalidate()). Shared by the local backend's split, write/ingest and checksum paths.
import type { PdClient } from './pd.js';
import { ImportSstClient } from './import-sst.js';
import { TikvClient } from './tikv.js';
import type { ClientOptions } from './rpc.js';
import type { Store } from './types.js';

export class StoreClients {
  private readonly addrs = new Map<number, Promise<string>>();
  /** the address each store resolved to (for invalidate(), which must act synchronously) */
  private readonly resolved = new Map<number, string>();
  private readonly sst = new Map<string, ImportSstClient>();
  private readonly tikv = new Map<string, TikvClient>();

  constructor(readonly pd: PdClient, private readonly opts: ClientOptions = {}) {}

  address(storeId: number): Promise<string> {
    let a = this.addrs.get(storeId);
    if (!a) {
      a = this.pd.getStore(storeId).then((s) => { this.resolved.set(storeId, s.address); return s.address; });
      a.catch(() => this.addrs.delete(storeId));
      this.addrs.set(storeId, a);
    }
    return a;
  }

  async importSst(storeId: number): Promise<ImportSstClient> {
    const addr = await this.address(storeId);
    let c = this.sst.get(addr);
    if (!c) this.sst.set(addr, (c = new ImportSstClient(addr, this.opts)));
    return c;
  }

  async tikvClient(storeId: number): Promise<TikvClient> {
    const addr = await this.address(storeId);
    let c = this.tikv.get(addr);
    if (!c) this.tikv.set(addr, (c = new TikvClient(addr, this.opts)));
    return c;
  }

  /**
   * Forget a store's address (it may have restarted elsewhere) and drop its channels: a channel that saw the
   * store go away sits in gRPC's reconnect backoff, while a new one dials at once when the store is back.
   */
  invalidate(storeId: number): void {
    this.addrs.delete(storeId);
    const addr = this.resolved.get(storeId);
    if (addr === undefined) return;
    this.resolved.delete(storeId);
    this.sst.get(addr)?.close();
    this.sst.delete(addr);
    this.tikv.get(addr)?.close();
    this.tikv.delete(addr);
  }

  /** Up/Offline TiKV stores (TiFlash excluded), for mode switching and probes. */
  async tikvStores(): Promise<Store[]> {
    const stores = await this.pd.getAllStores(true);
    return stores.filter((s) => s.state !== 'Tombstone' && !s.labels.some((l) => l.key === 'engine' && l.value === 'tiflash'));
  }

  close(): void {
    for (const c of [...this.sst.values(), ...this.tikv.values()]) c.close();
    this.sst.clear();
    this.tikv.clear();
  }
}
