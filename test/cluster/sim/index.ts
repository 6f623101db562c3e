// startSimCluster: a simulated PD + N TiKV stores on 127.0.0.1 free ports, speaking the real gRPC protocols
// (proto/ via src/cluster/proto.ts), with scripted fault injection. Used in-process by tests.
import type { AddressInfo } from 'node:net';
import type { Server as HttpServer } from 'node:http';
import * as grpc from '@grpc/grpc-js';
import { serviceDef } from '../../../src/cluster/proto.js';
import { FaultInjector, type Fault, type SimAction } from './faults.js';
import { SimState, type SimRegion } from './state.js';
import { SimStore, type KvView } from './store.js';
import { pdService } from './pd-service.js';
import { pdHttpServer } from './pd-http.js';
import { importSstService, type StoreContext } from './import-sst-service.js';
import { tikvService } from './tikv-service.js';

export type { Fault, FaultError, SimAction } from './faults.js';
export type { SimRegion } from './state.js';
export type { KvView } from './store.js';

export interface SimTls {
  ca: Buffer; cert: Buffer; key: Buffer;
  /** require and verify client certificates (mTLS) */
  checkClientCert?: boolean;
}

export interface SimOptions {
  stores?: number;
  /** peers per region; default min(3, stores) */
  replicas?: number;
  clusterId?: bigint;
  faults?: Fault[];
  tls?: SimTls;
  /** stop automatically when this test ends */
  testContext?: { after(fn: () => unknown): void };
}

export interface SimCluster {
  clusterId: bigint;
  pdAddr: string;
  pdHttpAddr: string;
  storeAddrs: string[];
  storeIds: number[];
  state: SimState;
  faults: FaultInjector;
  inject(f: Fault): void;
  /** snapshot of the regions (encoded keys) in key order */
  regions(): SimRegion[];
  /** a store's visible data (newest version per key, deletes dropped) */
  data(storeId: number, ts?: bigint): KvView[];
  store(storeId: number): SimStore;
  act(a: SimAction): Promise<void>;
  stop(): Promise<void>;
}

const listen = (s: HttpServer) => new Promise<number>((resolve) => s.listen(0, '127.0.0.1', () => resolve((s.address() as AddressInfo).port)));

export async function startSimCluster(opts: SimOptions = {}): Promise<SimCluster> {
  const n = opts.stores ?? 3;
  const replicas = opts.replicas ?? Math.min(3, n);
  const state = new SimState(opts.clusterId ?? 6_800_000_000_000_000_001n);
  const faults = new FaultInjector();
  for (const f of opts.faults ?? []) faults.inject(f);
  const creds = opts.tls
    ? grpc.ServerCredentials.createSsl(opts.tls.ca, [{ cert_chain: opts.tls.cert, private_key: opts.tls.key }], opts.tls.checkClientCert ?? false)
    : grpc.ServerCredentials.createInsecure();

  const stores = new Map<number, SimStore>();
  const ctx: StoreContext = { state, faults, stores, runAction: (a) => act(a) };
  const storeServices = (s: SimStore): [grpc.ServiceDefinition, grpc.UntypedServiceImplementation][] => [
    [serviceDef('import_sstpb.ImportSST'), importSstService(ctx, s)],
    [serviceDef('tikvpb.Tikv'), tikvService(ctx, s)],
  ];

  async function act(a: SimAction): Promise<void> {
    switch (a.kind) {
      case 'split': state.splitAtRaw(a.rawKeys); break;
      case 'transferLeader': state.transferLeader(a.region, a.toStore); break;
      case 'storeDown': stores.get(a.store)?.stopGrpc(); break;
      case 'storeUp': { const s = stores.get(a.store); if (s && !s.up) await s.start(storeServices(s), creds); break; }
    }
  }

  const pd = new grpc.Server();
  const pdHttp = pdHttpServer(state, replicas);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    pd.forceShutdown();
    for (const s of stores.values()) await s.stop();
    pdHttp.server.closeAllConnections();
    await new Promise<void>((resolve) => pdHttp.server.close(() => resolve()));
  };
  try {
    for (let i = 1; i <= n; i++) {
      const s = new SimStore(i);
      stores.set(i, s);
      await s.start(storeServices(s), creds);
      state.stores.set(i, { id: i, address: s.address, statusAddress: s.statusAddress, state: 'Up', version: '8.5.0' });
    }
    state.bootstrap([...stores.keys()], replicas);
    // the member URL is only known after binding; the service reads it per call
    const pdInfo = { grpcAddr: '', name: 'pd-sim', memberId: 1 };
    pd.addService(serviceDef('pdpb.PD'), pdService(ctx, pdInfo));
    const pdPort = await new Promise<number>((resolve, reject) =>
      pd.bindAsync('127.0.0.1:0', creds, (e, port) => (e ? reject(e) : resolve(port))));
    const pdAddr = `127.0.0.1:${pdPort}`;
    pdInfo.grpcAddr = pdAddr;
    const httpPort = await listen(pdHttp.server);
    const sim: SimCluster = {
      clusterId: state.clusterId, pdAddr, pdHttpAddr: `127.0.0.1:${httpPort}`,
      storeAddrs: [...stores.values()].map((s) => s.address), storeIds: [...stores.keys()], state, faults,
      inject: (f) => faults.inject(f),
      regions: () => state.regions.map((r) => ({ ...r, peers: r.peers.map((p) => ({ ...p })), epoch: { ...r.epoch } })),
      data: (id, ts = (1n << 64n) - 1n) => [...stores.get(id)!.scan(Buffer.alloc(0), Buffer.alloc(0), ts)],
      store: (id) => stores.get(id)!,
      act, stop,
    };
    opts.testContext?.after(stop);
    return sim;
  } catch (e) {
    await stop();
    throw e;
  }
}
