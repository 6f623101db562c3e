// A thin promise layer over grpc-js for one service at one address: unary calls with deadlines, client streams
// with back-pressure, and errors mapped to LightningError. The typed clients (pd.ts, import-sst.ts, ...) sit on it.
import * as grpc from '@grpc/grpc-js';
import type { Code } from '../errors.js';
import { serviceDef, type ServiceName } from './proto.js';
import { channelCredentials, type TlsOptions } from './tls.js';
import { fromGrpcError } from './errors.js';

export interface ClientOptions {
  tls?: TlsOptions;
  /** per-call deadline; protocol.md §5.6 uses 60 s for PD, longer for writes */
  timeoutMs?: number;
}

/** "http://host:port" or "host:port" → "host:port" (PD member URLs carry a scheme). */
export function hostPort(addr: string): string {
  return addr.replace(/^[a-z]+:\/\//i, '').replace(/\/+$/, '');
}

export interface ClientStreamCall<Req, Res> {
  write(req: Req): Promise<void>;
  /** ends the stream and waits for the single response */
  finish(): Promise<Res>;
  cancel(): void;
}

export class RpcClient {
  readonly addr: string;
  protected readonly client: grpc.Client;
  protected readonly def: grpc.ServiceDefinition;
  protected readonly timeoutMs: number;

  constructor(addr: string, service: ServiceName, protected readonly errorCode: Code, opts: ClientOptions = {}) {
    this.addr = hostPort(addr);
    this.def = serviceDef(service);
    this.timeoutMs = opts.timeoutMs ?? 60_000;
    this.client = new grpc.Client(this.addr, channelCredentials(opts.tls), {
      'grpc.max_receive_message_length': -1,
      'grpc.max_send_message_length': -1,
      'grpc.keepalive_time_ms': 600_000,
      'grpc.keepalive_timeout_ms': 300_000,
      // reconnect quickly after a store restart (grpc's default backoff starts at 1 s)
      'grpc.initial_reconnect_backoff_ms': 100,
      'grpc.max_reconnect_backoff_ms': 2_000,
    });
  }

  private method(name: string): grpc.MethodDefinition<unknown, unknown> {
    const m = this.def[name];
    if (!m) throw new Error(`no method ${name}`);
    return m;
  }

  protected deadline(timeoutMs?: number): grpc.Deadline {
    return Date.now() + (timeoutMs ?? this.timeoutMs);
  }

  protected unary<Req, Res>(name: string, req: Req, timeoutMs?: number): Promise<Res> {
    const m = this.method(name);
    return new Promise<Res>((resolve, reject) => {
      this.client.makeUnaryRequest(m.path, m.requestSerialize, m.responseDeserialize, req, new grpc.Metadata(),
        { deadline: this.deadline(timeoutMs) },
        (err, res) => (err ? reject(fromGrpcError(err, this.errorCode, name, this.addr)) : resolve(res as Res)));
    });
  }

  protected clientStream<Req, Res>(name: string, timeoutMs?: number): ClientStreamCall<Req, Res> {
    const m = this.method(name);
    let settle!: { resolve: (r: Res) => void; reject: (e: unknown) => void };
    const done = new Promise<Res>((resolve, reject) => { settle = { resolve, reject }; });
    done.catch(() => undefined); // surfaced by finish(); avoid an unhandled rejection when write() fails first
    const call = this.client.makeClientStreamRequest(m.path, m.requestSerialize, m.responseDeserialize,
      new grpc.Metadata(), { deadline: this.deadline(timeoutMs) },
      (err, res) => (err ? settle.reject(fromGrpcError(err, this.errorCode, name, this.addr)) : settle.resolve(res as Res)));
    let failed: unknown;
    done.catch((e) => { failed = e; });
    return {
      write: (req) => {
        if (failed) return Promise.reject(failed);
        const drained = new Promise<void>((resolve) => { if (call.write(req)) resolve(); else call.once('drain', () => resolve()); });
        // a stream that fails while we wait for drain must not leave the writer hanging
        return Promise.race([drained, done.then(() => undefined)]);
      },
      finish: () => { call.end(); return done; },
      cancel: () => call.cancel(),
    };
  }

  protected bidi<Req, Res>(name: string): grpc.ClientDuplexStream<Req, Res> {
    const m = this.method(name);
    return this.client.makeBidiStreamRequest(m.path, m.requestSerialize, m.responseDeserialize, new grpc.Metadata(), {}) as
      grpc.ClientDuplexStream<Req, Res>;
  }

  close(): void {
    this.client.close();
  }
}
