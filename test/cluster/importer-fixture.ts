// Shared by the tikv-importer tests: an in-process server on free 127.0.0.1 ports over a temporary import-dir,
// a client that can hold a WriteEngine stream open, and the `tikv-importer` binary as a child process.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ImportKvClient, type ClientOptions, type pb } from '../../src/cluster/index.js';
import { loadImporterConfig } from '../../src/config/importer.js';
import { silentLogger } from '../../src/log.js';
import { startImporterServer, type ImporterServer } from '../../src/importer/index.js';
import type { ImportOptions } from '../../src/backend/local/import-engine.js';

export const IMPORTER_BIN = fileURLToPath(new URL('../../src/cli/tikv-importer.js', import.meta.url));

export interface TestContext { after(fn: () => unknown): void }

/** A fresh temporary directory removed when the test ends. */
export function tempDir(t: TestContext, prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

export function importerToml(dir: string, extra = ''): string {
  return `status-server-address = "127.0.0.1:0"\n[server]\naddr = "127.0.0.1:0"\n[import]\nimport-dir = ${JSON.stringify(dir)}\n${extra}`;
}

/** tikv-importer in this process; stopped when the test ends. */
export async function startImporter(t: TestContext, o: { dir: string; extra?: string; import?: Partial<ImportOptions> }): Promise<ImporterServer> {
  const cfg = loadImporterConfig({}, importerToml(o.dir, o.extra));
  const s = await startImporterServer(cfg, { logger: silentLogger, graceMs: 1000, import: { retryBackoff: { attempts: 30, firstMs: 20, maxMs: 200 }, ...o.import } });
  t.after(() => s.stop());
  return s;
}

export interface RawStream {
  write(req: pb.WriteEngineRequestPb): Promise<void>;
  finish(): Promise<pb.WriteEngineResponsePb>;
  cancel(): void;
}

/** ImportKvClient plus a raw WriteEngine stream, for holding a stream open or sending messages out of order. */
export class TestImportKv extends ImportKvClient {
  constructor(addr: string, opts: ClientOptions = {}) {
    super(addr, { timeoutMs: 30_000, ...opts });
  }

  stream(): RawStream {
    return this.clientStream<pb.WriteEngineRequestPb, pb.WriteEngineResponsePb>('WriteEngine');
  }
}

export function client(t: TestContext, addr: string, opts: ClientOptions = {}): TestImportKv {
  const c = new TestImportKv(addr, opts);
  t.after(() => c.close());
  return c;
}

export const pair = (k: string, v: string) => ({ key: Buffer.from(k), value: Buffer.from(v) });

export interface ImporterProcess { child: ChildProcess; addr: string; log: string[]; exited: Promise<number | null> }

/** `tikv-importer` as a child process with a TOML file; resolves once it logged its bound address. */
export function spawnImporter(t: TestContext, configFile: string): Promise<ImporterProcess> {
  const child = spawn(process.execPath, [IMPORTER_BIN, '--config', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  t.after(async () => { if (child.exitCode === null && child.signalCode === null) { child.kill('SIGKILL'); await exited; } });
  const log: string[] = [];
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => { stderr += c.toString(); });
  return new Promise((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (c: Buffer) => {
      buf += c.toString();
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        log.push(line);
        const m = /"msg":"tikv-importer started"/.test(line) ? (JSON.parse(line) as { addr: string }) : undefined;
        if (m) resolve({ child, addr: m.addr, log, exited });
      }
    });
    void exited.then((code) => reject(new Error(`tikv-importer exited with ${code} before it started: ${stderr}`)));
  });
}
