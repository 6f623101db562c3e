// Test certificates for the simulator's TLS mode: one CA, a server and a client certificate, made with openssl.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const CERT_FILES = ['ca.pem', 'server.pem', 'server.key', 'client.pem', 'client.key'] as const;

/** A CA and server/client certificates whose SANs cover 127.0.0.1 and localhost (protocol.md §9). */
export function ensureCerts(dir: string): Record<(typeof CERT_FILES)[number], string> {
  mkdirSync(dir, { recursive: true });
  const paths = Object.fromEntries(CERT_FILES.map((f) => [f, join(dir, f)])) as Record<(typeof CERT_FILES)[number], string>;
  if (CERT_FILES.every((f) => existsSync(paths[f]))) return paths;
  const ossl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  ossl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '30', '-subj', '/CN=lightning-sim-ca');
  writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  for (const name of ['server', 'client']) {
    ossl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=lightning-sim-${name}`);
    ossl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '30', '-extfile', 'ext.cnf');
  }
  return paths;
}

