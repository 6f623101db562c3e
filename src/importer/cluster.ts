// The TiKV clusters tikv-importer talks to, each named by the PD address a request carries: one PD client and
// one set of store clients per address, kept for later requests (the Rust importer connects per request).
// Mode switching and compaction go to every TiKV store PD knows (protocol.md §7.2).
import { encodeBytes } from '../cluster/keys.js';
import { PdClient } from '../cluster/pd.js';
import { StoreClients } from '../cluster/store-clients.js';
import type { ImportMode } from '../cluster/import-sst.js';
import type { TlsOptions } from '../cluster/security.js';
import type * as pb from '../cluster/pb.js';
import { switchMode } from '../backend/local/mode.js';
import { Codes, LightningError } from '../errors.js';

export class Clusters {
  private readonly byPd = new Map<string, Promise<StoreClients>>();

  constructor(private readonly tls?: TlsOptions) {}

  clients(pdAddr: string): Promise<StoreClients> {
    if (!pdAddr) return Promise.reject(new LightningError(Codes.InvalidArgument, 'the request has no pd_addr'));
    let c = this.byPd.get(pdAddr);
    if (!c) {
      c = PdClient.connect(pdAddr, { tls: this.tls }).then((pd) => new StoreClients(pd, { tls: this.tls }));
      c.catch(() => this.byPd.delete(pdAddr));
      this.byPd.set(pdAddr, c);
    }
    return c;
  }

  /** ImportKV.SwitchMode: every store, failures collected into one error (Unimplemented stores are skipped). */
  async switchMode(pdAddr: string, mode: ImportMode): Promise<void> {
    const failed: string[] = [];
    await switchMode(await this.clients(pdAddr), mode, (msg) => failed.push(msg));
    if (failed.length) throw new LightningError(Codes.Importer, failed.join('; '));
  }

  /** ImportKV.CompactCluster: the raw range as TiKV data keys ('z' + EncodeBytes; an empty end is the end of data). */
  async compact(pdAddr: string, req: pb.CompactRequestPb): Promise<void> {
    const clients = await this.clients(pdAddr);
    const r = req.range;
    const range = r ? {
      start: Buffer.concat([Buffer.from('z'), encodeBytes(Buffer.from(r.start ?? []))]),
      end: r.end && r.end.length ? Buffer.concat([Buffer.from('z'), encodeBytes(Buffer.from(r.end))]) : Buffer.from('{'),
    } : undefined;
    const stores = await clients.tikvStores();
    await Promise.all(stores.map(async (s) => (await clients.importSst(s.id)).compact(range, req.output_level ?? -1)));
  }

  async close(): Promise<void> {
    const all = [...this.byPd.values()];
    this.byPd.clear();
    for (const p of all) {
      const c = await p.catch(() => undefined);
      c?.close();
      c?.pd.close();
    }
  }
}
