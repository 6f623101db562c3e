// `[security]` as the cluster clients take it: paths or PEM bytes for the CA, one client certificate and key.
// Kept apart from tls.ts so that reading the config does not load @grpc/grpc-js (~90 ms of a tidb-backend start).
import { readFileSync } from 'node:fs';
import { ConfigError, Codes } from '../errors.js';

export interface TlsOptions {
  caPath?: string; certPath?: string; keyPath?: string;
  ca?: Buffer; cert?: Buffer; key?: Buffer;
}

/** The PEM bytes given, or read from the path; undefined when neither is set. */
export function pem(bytes: Buffer | undefined, path: string | undefined, what: string): Buffer | undefined {
  if (bytes) return bytes;
  if (!path) return undefined;
  try {
    return readFileSync(path);
  } catch (e) {
    throw new ConfigError(`cannot read TLS ${what}`, { file: path }, e, Codes.InvalidTLSConfig);
  }
}

/** `[security]` (ca-path, cert-path, key-path) as the cluster clients take it: TLS when ca-path is set, as in Go. */
export function securityTls(s: { caPath: string; certPath: string; keyPath: string }): TlsOptions | undefined {
  return s.caPath ? { caPath: s.caPath, certPath: s.certPath || undefined, keyPath: s.keyPath || undefined } : undefined;
}
