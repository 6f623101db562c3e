// [security] ca/cert/key for every gRPC connection (protocol.md §9): paths or PEM bytes, one client cert for all.
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { ConfigError, Codes } from '../errors.js';

export interface TlsOptions {
  caPath?: string; certPath?: string; keyPath?: string;
  ca?: Buffer; cert?: Buffer; key?: Buffer;
}

function pem(bytes: Buffer | undefined, path: string | undefined, what: string): Buffer | undefined {
  if (bytes) return bytes;
  if (!path) return undefined;
  try {
    return readFileSync(path);
  } catch (e) {
    throw new ConfigError(`cannot read TLS ${what}`, { file: path }, e, Codes.InvalidTLSConfig);
  }
}

export function channelCredentials(tls?: TlsOptions): grpc.ChannelCredentials {
  if (!tls) return grpc.credentials.createInsecure();
  const ca = pem(tls.ca, tls.caPath, 'CA');
  const cert = pem(tls.cert, tls.certPath, 'certificate');
  const key = pem(tls.key, tls.keyPath, 'key');
  if (!ca && !cert && !key) return grpc.credentials.createInsecure();
  if (!!cert !== !!key) throw new ConfigError('TLS cert and key must be given together', {}, undefined, Codes.InvalidTLSConfig);
  return grpc.credentials.createSsl(ca ?? null, key ?? null, cert ?? null);
}

/** `[security]` (ca-path, cert-path, key-path) as the cluster clients take it: TLS when ca-path is set, as in Go. */
export function securityTls(s: { caPath: string; certPath: string; keyPath: string }): TlsOptions | undefined {
  return s.caPath ? { caPath: s.caPath, certPath: s.certPath || undefined, keyPath: s.keyPath || undefined } : undefined;
}
