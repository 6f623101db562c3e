// A small HTTP server with exact and prefix routes, JSON replies in the Go status server's shape
// (`{"error": "..."}`, plus our `code` for coded errors), a bounded body reader and request logging.
// node:http is enough for a handful of routes; a framework would add a dependency for nothing.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LightningError } from '../errors.js';
import type { Logger } from '../log.js';
import { redact } from '../redact.js';
import { formatAddr, type ListenAddr } from './addr.js';

export interface Request {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  method: string;
  /** the path after a prefix route's prefix ("" for exact routes) */
  rest: string;
}

export type Handler = (r: Request) => void | Promise<void>;

interface Route {
  path: string;
  prefix: boolean;
  handler: Handler;
}

/** A reply the handler wants sent as `{"error": message}` with this HTTP status. */
export class HttpError extends Error {
  constructor(readonly status: number, message: string, readonly code?: string, readonly headers: Record<string, string> = {}) {
    super(message);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = redact(JSON.stringify(body));
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...headers });
  res.end(`${text}\n`);
}

export function sendError(res: ServerResponse, status: number, message: string, code?: string, headers: Record<string, string> = {}): void {
  sendJson(res, status, code ? { error: message, code } : { error: message }, headers);
}

export function sendText(res: ServerResponse, status: number, body: string, contentType: string): void {
  res.writeHead(status, { 'Content-Type': contentType, 'Cache-Control': 'no-store' });
  res.end(body);
}

/** 405 with Go's wording ("only GET and PUT are allowed") and an Allow header. */
export function methodNotAllowed(allowed: string[]): HttpError {
  const list = allowed.length === 1 ? allowed[0]! : `${allowed.slice(0, -1).join(', ')} and ${allowed.at(-1)}`;
  return new HttpError(405, `only ${list} ${allowed.length === 1 ? 'is' : 'are'} allowed`, undefined, { Allow: allowed.join(', ') });
}

export async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      // Discard the rest (no buffering) and close afterwards: a half-read body cannot carry a next request.
      req.resume();
      throw new HttpError(413, `cannot read request: body larger than ${limit} bytes`, undefined, { Connection: 'close' });
    }
    parts.push(chunk);
  }
  return Buffer.concat(parts).toString('utf8');
}

export class HttpServer {
  private readonly routes: Route[] = [];
  private server?: Server;
  address?: { host: string; port: number; text: string };

  constructor(private readonly logger?: Logger) {}

  /** Exact path. */
  on(path: string, handler: Handler): this {
    this.routes.push({ path, prefix: false, handler });
    return this;
  }

  /** Every path under `prefix` (which ends with "/"); `rest` is what follows it. */
  under(prefix: string, handler: Handler): this {
    this.routes.push({ path: prefix, prefix: true, handler });
    return this;
  }

  private match(path: string): { route: Route; rest: string } | undefined {
    const exact = this.routes.find((r) => !r.prefix && r.path === path);
    if (exact) return { route: exact, rest: '' };
    let best: Route | undefined;
    for (const r of this.routes) if (r.prefix && path.startsWith(r.path) && (!best || r.path.length > best.path.length)) best = r;
    return best && { route: best, rest: path.slice(best.path.length) };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const t0 = Date.now();
    const url = new URL(req.url ?? '/', 'http://status');
    const method = req.method ?? 'GET';
    try {
      const m = this.match(url.pathname);
      if (!m) throw new HttpError(404, '404 page not found');
      await m.route.handler({ req, res, url, method, rest: m.rest });
    } catch (e) {
      if (res.headersSent) {
        res.destroy();
      } else if (e instanceof HttpError) {
        sendError(res, e.status, e.message, e.code, e.headers);
      } else {
        const le = e instanceof LightningError ? e : undefined;
        sendError(res, 500, (e as Error).message ?? String(e), le?.code);
      }
    }
    this.logger?.debug({ method, url: url.pathname + url.search, status: res.statusCode, takeTimeMs: Date.now() - t0 }, 'process http request');
  }

  async listen(addr: ListenAddr): Promise<{ host: string; port: number; text: string }> {
    const server = createServer((req, res) => void this.handle(req, res));
    // Keep-alive sockets of scrapers and browsers must not hold close() back.
    server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: addr.host, port: addr.port }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    const a = server.address() as AddressInfo;
    this.address = { host: a.address, port: a.port, text: formatAddr(a.address, a.port) };
    return this.address;
  }

  get listening(): boolean {
    return this.server?.listening ?? false;
  }

  async close(): Promise<void> {
    const s = this.server;
    if (!s) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      s.close(() => resolve());
      s.closeAllConnections();
    });
  }
}
