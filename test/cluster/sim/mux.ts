// One port for gRPC and HTTP/1.1, as PD serves both on its client URL (Lightning's pd-addr is used for gRPC and
// for /pd/api/v1/...). Plain TCP: a connection that starts with the HTTP/2 preface goes to the gRPC server (via
// grpc-js's connection injector), anything else to the HTTP server. TLS: terminated here, routed by ALPN
// (h2 → gRPC, otherwise HTTP), with the client certificate checked here when mTLS is on.
import { createServer as netServer, type Server as NetServer, type Socket, type AddressInfo } from 'node:net';
import { createServer as tlsServer, type TLSSocket } from 'node:tls';
import { Duplex } from 'node:stream';
import type { Server as HttpServer } from 'node:http';
import * as grpc from '@grpc/grpc-js';

export interface MuxTls { ca: Buffer; cert: Buffer; key: Buffer; checkClientCert?: boolean }

/** Replays the bytes already read from a socket, then relays it: http2 reads sockets natively, past unshift(). */
class Replay extends Duplex {
  constructor(private readonly sock: Socket, first: Buffer) {
    super();
    this.push(first);
    sock.on('data', (d: Buffer) => { if (!this.push(d)) sock.pause(); });
    sock.on('end', () => this.push(null));
    sock.on('close', () => this.destroy());
    sock.on('error', (e) => this.destroy(e));
  }
  get remoteAddress(): string | undefined { return this.sock.remoteAddress; }
  get remotePort(): number | undefined { return this.sock.remotePort; }
  get localAddress(): string | undefined { return this.sock.localAddress; }
  get localPort(): number | undefined { return this.sock.localPort; }
  setNoDelay(): this { return this; }
  setKeepAlive(): this { return this; }
  setTimeout(): this { return this; }
  override _read(): void { this.sock.resume(); }
  override _write(c: Buffer, e: BufferEncoding, cb: (err?: Error | null) => void): void { this.sock.write(c, e, cb); }
  override _final(cb: () => void): void { this.sock.end(); cb(); }
  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void { this.sock.destroy(); cb(err); }
}

export interface Mux { port: number; close(): Promise<void> }

export async function startMux(grpcServer: grpc.Server, http: HttpServer, tls?: MuxTls): Promise<Mux> {
  const injector = grpcServer.createConnectionInjector(grpc.ServerCredentials.createInsecure());
  const sockets = new Set<Socket>();
  const track = (s: Socket) => { sockets.add(s); s.on('close', () => sockets.delete(s)); };
  let server: NetServer;
  if (tls) {
    server = tlsServer({
      ca: tls.ca, cert: tls.cert, key: tls.key, ALPNProtocols: ['h2', 'http/1.1'],
      requestCert: tls.checkClientCert ?? false, rejectUnauthorized: tls.checkClientCert ?? false,
    }, (s: TLSSocket) => {
      track(s);
      if (s.alpnProtocol === 'h2') injector.injectConnection(s); else http.emit('connection', s);
    });
  } else {
    server = netServer((s) => {
      track(s);
      let head = Buffer.alloc(0);
      const onData = (chunk: Buffer) => {
        head = Buffer.concat([head, chunk]);
        if (head.length < 3) return;
        s.off('data', onData);
        s.pause();
        if (head.subarray(0, 3).toString('latin1') === 'PRI') injector.injectConnection(new Replay(s, head));
        else { s.unshift(head); http.emit('connection', s); s.resume(); }
      };
      s.on('data', onData);
    });
  }
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
  return {
    port,
    close: async () => {
      injector.destroy();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
