// startSimCluster: a simulated PD + N TiKV stores (+ a TiDB front, see ./tidb) on 127.0.0.1 free ports, speaking
// the real gRPC / HTTP / MySQL protocols (proto/ via src/cluster/proto.ts), with fault injection. Store data
// lives in run files under a temporary directory, removed at stop. Used in-process by tests and by cli.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { serviceDef } from '../../../src/cluster/proto.js';
import { FaultInjector, type Chaos, type Fault, type SimAction } from './faults.js';
import { SimState, type SimRegion } from './state.js';
import { SimStore, type KvView, type StoreOptions } from './store.js';
import { pdService } from './pd-service.js';
import { pdHttpServer } from './pd-http.js';
import { importSstService, type StoreContext } from './import-sst-service.js';
import { tikvService } from './tikv-service.js';
import { startMux, type Mux } from './mux.js';
import { startTidbFront, type TidbFront, type TidbOptions } from './tidb/index.js';

export type { Fault, FaultError, SimAction, Chaos } from './faults.js';
export type { SimRegion } from './state.js';
export type { KvView, StoreEvent } from './store.js';

export interface SimTls {
  ca: Buffer; cert: Buffer; key: Buffer;
  /** require and verify client certificates (mTLS) */
  checkClientCert?: boolean;
  /** the certificate the simulated TiDB presents to PD/TiKV under mTLS (default: the server certificate) */
  clientCert?: Buffer; clientKey?: Buffer;
}

export interface SimOptions extends StoreOptions {
  stores?: number;
  /** peers per region; default min(3, stores) */
  replicas?: number;
  clusterId?: bigint;
  faults?: Fault[];
  chaos?: Chaos;
  tls?: SimTls;
  /** where store data is spilled (default: a new temporary directory, removed at stop) */
  dataDir?: string;
  /** the TiDB front (MySQL + status ports); false = PD and TiKV only */
  tidb?: TidbOptions | false;
  /** stop automatically when this test ends */
  testContext?: { after(fn: () => unknown): void };
}

export interface SimCluster {
  clusterId: bigint;
  /** PD client URL host:port: gRPC and the PD HTTP API on one port, as real PD */
  pdAddr: string;
  /** the same as pdAddr (kept for callers that think of the HTTP API separately) */
  pdHttpAddr: string;
  storeAddrs: string[];
  storeIds: number[];
  /** the simulated TiDB's MySQL address (user root, no password) and HTTP status address; undefined with tidb: false */
  tidbAddr?: string;
  statusAddr?: string;
  tidb?: TidbFront;
  state: SimState;
  faults: FaultInjector;
  /** shared by the services; the TiDB front adds itself here */
  ctx: StoreContext;
  creds: grpc.ServerCredentials;
  tls?: SimTls;
  dataDir: string;
  inject(f: Fault): void;
  /** snapshot of the regions (encoded keys) in key order */
  regions(): SimRegion[];
  /** a store's visible data (newest version per key, deletes dropped) */
  data(storeId: number, ts?: bigint): KvView[];
  store(storeId: number): SimStore;
  act(a: SimAction): Promise<void>;
  /** runs at stop, before the stores go (the TiDB front registers here) */
  onStop(fn: () => Promise<void>): void;
  stop(): Promise<void>;
}

export async function startSimCluster(opts: SimOptions = {}): Promise<SimCluster> {
  const n = opts.stores ?? 3;
  const replicas = opts.replicas ?? Math.min(3, n);
  const state = new SimState(opts.clusterId ?? 6_800_000_000_000_000_001n);
  const faults = new FaultInjector();
  for (const f of opts.faults ?? []) faults.inject(f);
  if (opts.chaos) faults.setChaos(opts.chaos);
  const creds = opts.tls
    ? grpc.ServerCredentials.createSsl(opts.tls.ca, [{ cert_chain: opts.tls.cert, private_key: opts.tls.key }], opts.tls.checkClientCert ?? false)
    : grpc.ServerCredentials.createInsecure();
  const ownDir = !opts.dataDir;
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'lightning-sim-'));

  const stores = new Map<number, SimStore>();
  const ctx: StoreContext = { state, faults, stores, runAction: (a) => act(a) };
  const storeServices = (s: SimStore): [grpc.ServiceDefinition, grpc.UntypedServiceImplementation][] => [
    [serviceDef('import_sstpb.ImportSST'), importSstService(ctx, s)],
    [serviceDef('tikvpb.Tikv'), tikvService(ctx, s)],
  ];
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;

  async function storeUp(id: number): Promise<void> {
    const s = stores.get(id);
    if (s && !s.up && !stopped) await s.start(storeServices(s), creds);
  }

  async function act(a: SimAction): Promise<void> {
    switch (a.kind) {
      case 'split': state.splitAtRaw(a.rawKeys); break;
      case 'transferLeader': state.transferLeader(a.region, a.toStore); break;
      case 'storeDown': stores.get(a.store)?.stopGrpc(); break;
      case 'storeUp': await storeUp(a.store); break;
      case 'storeRestart': {
        stores.get(a.store)?.stopGrpc();
        const t = setTimeout(() => { timers.delete(t); void storeUp(a.store); }, a.afterMs ?? 0);
        timers.add(t);
        break;
      }
      case 'disk': { const s = stores.get(a.store); if (s) s.disk = a.state; break; }
      case 'suspendImports': { const s = stores.get(a.store); if (s) s.suspendedUntil = Date.now() + a.ms; break; }
    }
  }

  const pd = new grpc.Server({ 'grpc.max_receive_message_length': -1 });
  const pdHttp = pdHttpServer(state, replicas);
  let mux: Mux | undefined;
  const stopHooks: (() => Promise<void>)[] = [];
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    for (const t of timers) clearTimeout(t);
    for (const h of stopHooks.reverse()) await h().catch(() => undefined);
    await mux?.close();
    pd.forceShutdown();
    pdHttp.server.closeAllConnections();
    for (const s of stores.values()) await s.stop();
    if (ownDir) rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    for (let i = 1; i <= n; i++) {
      const s = new SimStore(i, join(dataDir, `store-${i}`), opts);
      stores.set(i, s);
      await s.start(storeServices(s), creds);
      state.stores.set(i, { id: i, address: s.address, statusAddress: s.statusAddress, state: 'Up', version: '8.5.0' });
    }
    state.bootstrap([...stores.keys()], replicas);
    // the member URL is only known after binding; the service reads it per call
    const pdInfo = { grpcAddr: '', name: 'pd-sim', memberId: 1, scheme: opts.tls ? 'https' : 'http' };
    pd.addService(serviceDef('pdpb.PD'), pdService(ctx, pdInfo));
    mux = await startMux(pd, pdHttp.server, opts.tls);
    const pdAddr = `127.0.0.1:${mux.port}`;
    pdInfo.grpcAddr = pdAddr;
    const sim: SimCluster = {
      clusterId: state.clusterId, pdAddr, pdHttpAddr: pdAddr,
      storeAddrs: [...stores.values()].map((s) => s.address), storeIds: [...stores.keys()], state, faults, ctx, creds,
      tls: opts.tls, dataDir,
      inject: (f) => faults.inject(f),
      regions: () => state.regions.map((r) => ({ ...r, peers: r.peers.map((p) => ({ ...p })), epoch: { ...r.epoch } })),
      data: (id, ts = (1n << 64n) - 1n) => [...stores.get(id)!.scan(Buffer.alloc(0), Buffer.alloc(0), ts)],
      store: (id) => stores.get(id)!,
      act, stop,
      onStop: (fn) => { stopHooks.push(fn); },
    };
    if (opts.tidb !== false) {
      const front = await startTidbFront({ ctx, pdAddr, storeAddrs: sim.storeAddrs, tls: opts.tls }, opts.tidb ?? {});
      stopHooks.push(() => front.stop());
      Object.assign(sim, { tidb: front, tidbAddr: front.sqlAddr, statusAddr: front.statusAddr });
    }
    opts.testContext?.after(stop);
    return sim;
  } catch (e) {
    await stop();
    throw e;
  }
}
