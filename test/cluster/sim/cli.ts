// `npm run cluster:sim -- --stores 3 [--replicas N] [--tls-dir DIR] [--data-dir DIR]`: runs the simulated cluster
// on free 127.0.0.1 ports, prints one JSON line with its addresses once ready, and stops on SIGINT/SIGTERM or
// when the process that started it goes away. With --tls-dir, every endpoint serves TLS with the CA, server
// and client certificates found in DIR (generated there with openssl when missing) and requires client
// certificates (mTLS).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startSimCluster, type SimTls } from './index.js';
import { ensureCerts } from './certs.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      stores: { type: 'string', default: '3' }, replicas: { type: 'string' }, 'tls-dir': { type: 'string' }, 'data-dir': { type: 'string' },
    },
  });
  const stores = Number(values.stores);
  if (!Number.isInteger(stores) || stores < 1) throw new Error(`--stores must be a positive integer, got ${values.stores}`);
  let tls: SimTls | undefined;
  let certs: ReturnType<typeof ensureCerts> | undefined;
  if (values['tls-dir']) {
    certs = ensureCerts(resolve(values['tls-dir']));
    tls = {
      ca: readFileSync(certs['ca.pem']), cert: readFileSync(certs['server.pem']), key: readFileSync(certs['server.key']), checkClientCert: true,
      clientCert: readFileSync(certs['client.pem']), clientKey: readFileSync(certs['client.key']),
    };
  }
  const sim = await startSimCluster({
    stores, replicas: values.replicas ? Number(values.replicas) : undefined, tls, dataDir: values['data-dir'] ? resolve(values['data-dir']) : undefined,
  });
  let stopping = false;
  const stop = async (why: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`cluster:sim stopping (${why})\n`);
    await sim.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  // the starter died (we were re-parented): nobody will stop us, so stop ourselves
  const parent = process.ppid;
  setInterval(() => { if (process.ppid !== parent) void stop('parent exited'); }, 250).unref();
  process.stdout.write(`${JSON.stringify({
    pd: sim.pdAddr, tidb: sim.tidbAddr, status: sim.statusAddr, stores: sim.storeAddrs, user: 'root',
    ...(certs ? { tls: { ca: certs['ca.pem'], cert: certs['client.pem'], key: certs['client.key'] } } : {}),
  })}\n`);
  // SIGUSR2: one more JSON line with the memory in use (after a full GC when node runs with --expose-gc), for
  // the spill test and bench
  process.on('SIGUSR2', () => {
    (globalThis as { gc?: () => void }).gc?.();
    process.stdout.write(`${JSON.stringify({ memory: process.memoryUsage() })}\n`);
  });
  // keep running until a signal: the servers hold the event loop open
}

main().catch((e: unknown) => {
  process.stderr.write(`cluster:sim: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
