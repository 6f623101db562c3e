// The status server of one tidb-lightning process: metrics, pause gate and task board live for the whole
// process; the HTTP server starts on `status-addr` (when set), or on SIGUSR1 on a random loopback port when
// none is running (Go: the same, on every interface; a server opened by a signal is for the operator on
// the machine or behind `kubectl port-forward`, so we keep it off the network).
import type { LoadResult } from '../config/load.js';
import { loadTaskConfig } from '../config/load.js';
import { parseToml } from '../config/read.js';
import { ConfigError } from '../errors.js';
import type { Logger } from '../log.js';
import { parseListenAddr } from './addr.js';
import type { HttpServer } from './http.js';
import { LightningMetrics } from './metrics.js';
import { Pauser } from './pauser.js';
import { lightningServer } from './routes.js';
import { TaskBoard, type Task } from './tasks.js';

export interface LightningStatusOptions {
  logger: Logger;
  /** server mode: the process config that task TOMLs are layered over */
  global?: LoadResult;
  /** where the SIGUSR1 line "started HTTP server on <addr>" goes */
  stderr?: { write(s: string): unknown };
}

/** Keys a task TOML sets ("tikv-importer.add-index-by-sql"), so the orchestrator can tell set from default. */
function tomlKeys(text: string): string[] {
  const out: string[] = [];
  const walk = (o: Record<string, unknown>, prefix: string) => {
    for (const [k, v] of Object.entries(o)) {
      const key = prefix ? `${prefix}.${k}` : k;
      out.push(key);
      if (v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date)) walk(v as Record<string, unknown>, key);
    }
  };
  walk(parseToml(text, 'task'), '');
  return out;
}

export class LightningStatus {
  readonly metrics = new LightningMetrics();
  readonly pause = new Pauser();
  readonly board: TaskBoard;
  private http?: HttpServer;
  private starting?: Promise<unknown>;

  constructor(private readonly o: LightningStatusOptions) {
    this.board = new TaskBoard(o.global !== undefined);
  }

  get logger(): Logger {
    return this.o.logger;
  }

  /** The address the server listens on, once started. */
  get address(): string | undefined {
    return this.http?.address?.text;
  }

  /** Validate a task TOML over the process config and queue it (server mode's POST /tasks). */
  submit(toml: string): Task {
    const global = this.o.global;
    if (!global) throw new ConfigError('server-mode not enabled');
    const config = loadTaskConfig(global, toml, 'task');
    const present = new Set([...global.present, ...tomlKeys(toml)]);
    const load: LoadResult = { ...global, config, present };
    return this.board.submit(config, load);
  }

  async start(addr: string): Promise<string> {
    const listen = parseListenAddr(addr);
    const http = lightningServer({
      board: this.board, pause: this.pause, metrics: this.metrics, logger: this.o.logger,
      submit: this.o.global ? (toml) => this.submit(toml) : undefined,
    });
    try {
      await http.listen(listen);
    } catch (e) {
      throw new ConfigError(`cannot start the status server on '${addr}': ${(e as Error).message}`, { key: 'lightning.status-addr' }, e);
    }
    this.http = http;
    this.o.logger.info({ address: http.address!.text }, 'starting HTTP server');
    return http.address!.text;
  }

  /** SIGUSR1: start on a random loopback port when no server runs, else say where it is. */
  onSigusr1(): void {
    if (this.http || this.starting) {
      this.o.logger.info({ address: this.address }, 'already started HTTP server');
      return;
    }
    this.starting = this.start('127.0.0.1:0').then(
      (a) => this.o.stderr?.write(`started HTTP server on ${a}\n`),
      (e: unknown) => this.o.logger.warn({ err: (e as Error).message }, 'failed to start HTTP server'),
    ).finally(() => {
      this.starting = undefined;
    });
  }

  async close(): Promise<void> {
    await this.starting;
    await this.http?.close();
    this.http = undefined;
  }
}
