// [security] ca/cert/key for every gRPC connection (protocol.md §9): paths or PEM bytes, one client cert for all.
import * as grpc from '@grpc/grpc-js';
import { ConfigError, Codes } from '../errors.js';
import { pem, type TlsOptions } from './security.js';

export type { TlsOptions } from './security.js';

export function channelCredentials(tls?: TlsOptions): grpc.ChannelCredentials {
  if (!tls) return grpc.credentials.createInsecure();
  const ca = pem(tls.ca, tls.caPath, 'CA');
  const cert = pem(tls.cert, tls.certPath, 'certificate');
  const key = pem(tls.key, tls.keyPath, 'key');
  if (!ca && !cert && !key) return grpc.credentials.createInsecure();
  if (!!cert !== !!key) throw new ConfigError('TLS cert and key must be given together', {}, undefined, Codes.InvalidTLSConfig);
  return grpc.credentials.createSsl(ca ?? null, key ?? null, cert ?? null);
}
