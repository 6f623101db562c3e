// Certificates made by the real `openssl` for TLS tests: a CA, server certificates with chosen subject
// alternative names, a client certificate (clientAuth) and an unrelated second CA. Files (PEM) in `dir`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { requireTool } from './sys.js';

export interface KeyPair { cert: string; key: string }
export interface TestPki {
  dir: string;
  /** the CA certificate that signed server and client certificates */
  ca: string;
  /** a CA that signed nothing here (a wrong ca-path) */
  otherCa: string;
  /** server certificate for DNS:localhost and IP:127.0.0.1 */
  server: KeyPair;
  /** server certificate for DNS:localhost only (connecting to 127.0.0.1 must fail the name check) */
  serverLocalhostOnly: KeyPair;
  client: KeyPair;
}

async function openssl(dir: string, args: string[]): Promise<void> {
  const r = await execa(requireTool('openssl'), args, { cwd: dir, reject: false, all: true });
  if (r.exitCode !== 0) throw new Error(`harness: openssl ${args.join(' ')} exited ${r.exitCode}:\n${String(r.all)}`);
}

async function selfSignedCa(dir: string, name: string, cn: string): Promise<string> {
  await openssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '3',
    '-subj', `/CN=${cn}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  return join(dir, `${name}.pem`);
}

async function signed(dir: string, name: string, cn: string, ext: string): Promise<KeyPair> {
  await openssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`]);
  writeFileSync(join(dir, `${name}.ext`), `${ext}\n`);
  await openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`,
    '-days', '3', '-extfile', `${name}.ext`]);
  return { cert: join(dir, `${name}.pem`), key: join(dir, `${name}.key`) };
}

export async function makePki(dir: string): Promise<TestPki> {
  mkdirSync(dir, { recursive: true });
  const ca = await selfSignedCa(dir, 'ca', 'Lightning-TS test CA');
  const otherCa = await selfSignedCa(dir, 'other-ca', 'Some other CA');
  const server = await signed(dir, 'server', 'localhost', 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth');
  const serverLocalhostOnly = await signed(dir, 'server-localhost', 'localhost', 'subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth');
  const client = await signed(dir, 'client', 'lightning-client', 'extendedKeyUsage=clientAuth');
  return { dir, ca, otherCa, server, serverLocalhostOnly, client };
}
