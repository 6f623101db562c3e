// The tikv-importer status server (`status-server-address`, 8286 in the charts): /metrics with the Rust
// importer's metric names and buckets (tikv/importer src/import/metrics.rs), so its Grafana panels work.
// The gRPC server (src/importer) is not written yet; it will observe these and start this server.
import { Counter, collectDefaultMetrics, exponentialBuckets, Gauge, Histogram, Registry } from 'prom-client';
import type { Logger } from '../log.js';
import { parseListenAddr } from './addr.js';
import { HttpServer, sendText } from './http.js';

export class ImporterMetrics {
  readonly registry = new Registry();
  readonly rpcDuration: Histogram<'request' | 'result'>;
  readonly writeChunkBytes: Histogram;
  readonly writeChunkDuration: Histogram;
  readonly uploadChunkBytes: Histogram;
  readonly uploadChunkDuration: Histogram;
  readonly rangeDeliveryDuration: Histogram;
  readonly splitSstDuration: Histogram;
  readonly sstDeliveryDuration: Histogram;
  readonly sstRecvDuration: Histogram;
  readonly sstUploadDuration: Histogram;
  readonly sstIngestDuration: Histogram;
  readonly sstChunkBytes: Histogram;
  readonly eachPhase: Gauge<'phase'>;
  readonly waitStoreAvailable: Counter<'store_id'>;

  constructor(o: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    if (o.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    const h = (name: string, help: string, start: number, count = 20) =>
      new Histogram({ name: `tikv_import_${name}`, help, buckets: exponentialBuckets(start, 2, count), registers });
    this.rpcDuration = new Histogram({
      name: 'tikv_import_rpc_duration', help: 'Bucketed histogram of import rpc duration', labelNames: ['request', 'result'],
      buckets: exponentialBuckets(0.001, 2, 30), registers,
    });
    this.writeChunkBytes = h('write_chunk_bytes', 'Bucketed histogram of import write chunk bytes', 1024);
    this.writeChunkDuration = h('write_chunk_duration', 'Bucketed histogram of import write chunk duration', 0.001);
    this.uploadChunkBytes = h('upload_chunk_bytes', 'Bucketed histogram of import upload chunk bytes', 1024);
    this.uploadChunkDuration = h('upload_chunk_duration', 'Bucketed histogram of import upload chunk duration', 0.001);
    this.rangeDeliveryDuration = h('range_delivery_duration', 'Bucketed histogram of import range delivery duration', 0.001);
    this.splitSstDuration = h('split_sst_duration', 'Bucketed histogram of import split sst duration', 0.1);
    this.sstDeliveryDuration = h('sst_delivery_duration', 'Bucketed histogram of import sst delivery duration', 0.1);
    this.sstRecvDuration = h('sst_recv_duration', 'Bucketed histogram of import sst recv duration', 0.1);
    this.sstUploadDuration = h('sst_upload_duration', 'Bucketed histogram of import sst upload duration', 0.1);
    this.sstIngestDuration = h('sst_ingest_duration', 'Bucketed histogram of import sst ingest duration', 0.1);
    this.sstChunkBytes = h('sst_chunk_bytes', 'Bucketed histogram of sst chunk bytes', 1024);
    this.eachPhase = new Gauge({ name: 'tikv_import_each_phase', help: 'Import each phase duration of importer', labelNames: ['phase'], registers });
    this.waitStoreAvailable = new Counter({ name: 'tikv_import_wait_store_available_count', help: 'Counter of wait store available', labelNames: ['store_id'], registers });
  }

  /** Time an RPC into tikv_import_rpc_duration{request, result="ok"|"error"}. */
  async timeRpc<T>(request: string, f: () => Promise<T>): Promise<T> {
    const end = this.rpcDuration.startTimer({ request });
    try {
      const r = await f();
      end({ result: 'ok' });
      return r;
    } catch (e) {
      end({ result: 'error' });
      throw e;
    }
  }
}

/** Start the importer's status server on `addr` ("0.0.0.0:8286"); close() it when the importer stops. */
export async function startImporterStatusServer(o: { addr: string; metrics: ImporterMetrics; logger?: Logger }): Promise<HttpServer> {
  const http = new HttpServer(o.logger).on('/metrics', async (r) => {
    sendText(r.res, 200, await o.metrics.registry.metrics(), o.metrics.registry.contentType);
  });
  await http.listen(parseListenAddr(o.addr, 'status-server-address'));
  o.logger?.info({ address: http.address!.text }, 'status server started');
  return http;
}
