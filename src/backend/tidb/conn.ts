// Connections for the tidb backend: a tiny pool of mysql2 connections with `charset: 'binary'` (statements are
// latin1 strings = raw bytes), `[tidb] sql-mode` and `[tidb.session-vars]` applied to each new connection, and
// the classification of transient errors that are retried with backoff on a fresh connection.
import mysql from 'mysql2/promise';
import net from 'node:net';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { Codes, DatabaseError, LightningError } from '../../errors.js';
import { registerSecret } from '../../redact.js';

export interface TidbConnOptions {
  host: string;
  port: number;
  user: string;
  password: string;
  /** [tidb] sql-mode; undefined = leave the server's */
  sqlMode?: string;
  /**
   * [tidb.session-vars]; foreign_key_checks defaults to 0 and time_zone to '+00:00' here: mydumper and dumpling
   * write TIMESTAMP values in UTC and say so (`SET TIME_ZONE='+00:00'`) at the top of every data file.
   */
  sessionVars?: Record<string, string | number | boolean>;
  /** connections in the pool */
  connections?: number;
  connectTimeoutMs?: number;
  ssl?: mysql.SslOptions;
}

export type Conn = mysql.Connection & { threadId: number | null };

const TRANSIENT_ERRNO = new Set([1205, 1213, 2006, 2013, 1040, 1053, 1927, 1158, 1159, 1160, 1161]);
const TRANSIENT_CODE = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNREFUSED', 'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT', 'ER_CON_COUNT_ERROR', 'ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT', 'ER_CONNECTION_KILLED']);

/** Deadlock, lock wait timeout, lost/killed connection, too many connections: worth a retry. */
export function isTransient(e: unknown): boolean {
  const x = e as { errno?: number; code?: string; fatal?: boolean; cause?: unknown } | null;
  if (!x || typeof x !== 'object') return false;
  if (x.errno !== undefined && TRANSIENT_ERRNO.has(x.errno)) return true;
  if (x.code !== undefined && TRANSIENT_CODE.has(x.code)) return true;
  // mysql2's error for a query on a connection that died while idle has no code
  if (e instanceof Error && /connection is in closed state/.test(e.message)) return true;
  if (x.cause && x.cause !== e) return isTransient(x.cause);
  return false;
}

function sessionSql(o: TidbConnOptions): string[] {
  const out: string[] = [];
  if (o.sqlMode !== undefined) out.push(`SET SESSION sql_mode = ${mysql.escape(o.sqlMode)}`);
  const vars: Record<string, string | number | boolean> = { foreign_key_checks: 0, time_zone: '+00:00', ...o.sessionVars };
  for (const [k, v] of Object.entries(vars)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new LightningError(Codes.InvalidConfig, `invalid session variable name '${k}'`, { exitCode: 2 });
    out.push(`SET SESSION ${k} = ${typeof v === 'string' ? mysql.escape(v) : typeof v === 'boolean' ? (v ? 1 : 0) : v}`);
  }
  return out;
}

/**
 * What an operator should know about a failed TLS connection (undefined: not a TLS failure). mysql2 replaces
 * the TLS error's code with HANDSHAKE_SSL_ERROR, so the verification failure is read from Node's message.
 */
function tlsFailure(e: unknown): string | undefined {
  const code = String((e as { code?: unknown }).code ?? '');
  const msg = e instanceof Error ? e.message : '';
  if (code === 'HANDSHAKE_NO_SSL_SUPPORT') return 'the server does not offer TLS (set tidb.tls = "false" to connect without it)';
  if (code !== 'HANDSHAKE_SSL_ERROR' && !code.startsWith('ERR_SSL_') && !code.startsWith('ERR_TLS_') && code !== 'EPROTO') return undefined;
  if (/self[- ]signed certificate|unable to verify|unable to get (local )?issuer|certificate signature failure|certificate not trusted/i.test(msg)) {
    return "the server's certificate is not signed by the CA in tidb.security.ca-path ([security] ca-path)";
  }
  if (/Hostname\/IP does not match|altnames/i.test(msg)) {
    return "the server's certificate does not name the host in tidb.host: connect by a name or IP the certificate holds";
  }
  if (/certificate has expired|certificate is not yet valid/i.test(msg)) return "the server's certificate is outside its validity period";
  return 'the TLS handshake failed';
}

/** One-shot LOAD DATA LOCAL payloads, keyed by the file name in the statement. */
const infiles = new Map<string, Buffer[]>();
let infileSeq = 0;
export function registerInfile(data: Buffer[]): string {
  const name = `lightning-${process.pid}-${++infileSeq}`;
  infiles.set(name, data);
  return name;
}
export function dropInfile(name: string): void {
  infiles.delete(name);
}
function infileStream(name: string): Readable {
  const data = infiles.get(name);
  if (!data) throw new Error(`unknown LOCAL INFILE '${name}'`);
  // packets must stay under 16 MiB
  const parts: Buffer[] = [];
  for (const b of data) for (let i = 0; i < b.length; i += 1 << 20) parts.push(b.subarray(i, Math.min(b.length, i + (1 << 20))));
  return Readable.from(parts);
}

/**
 * mysql2 gives Node's TLS check a server name only when the host is a DNS name. For an IP, Node compares the
 * certificate with the socket's `_host`, and with "localhost" when that is unset (as on sockets connected to
 * an IP): a certificate for localhost would pass for any address. Our own socket carries the IP, so the check
 * compares it with the certificate's IP SANs, before any credential is sent (Go sets ServerName = tidb.host).
 */
export function verifiedIpStream(host: string, port: number, ssl: mysql.SslOptions | undefined): (() => net.Socket) | undefined {
  if (!ssl?.verifyIdentity || !net.isIP(host)) return undefined;
  return () => {
    const s = net.connect({ host, port });
    (s as net.Socket & { _host?: string })._host = host;
    s.setNoDelay(true);
    return s;
  };
}

export async function connect(o: TidbConnOptions): Promise<Conn> {
  registerSecret(o.password);
  let c: Conn;
  try {
    c = (await mysql.createConnection({
      host: o.host, port: o.port, user: o.user, password: o.password, charset: 'BINARY',
      supportBigNumbers: true, bigNumberStrings: true, dateStrings: true, connectTimeout: o.connectTimeoutMs ?? 10_000,
      ssl: o.ssl, stream: verifiedIpStream(o.host, o.port, o.ssl), infileStreamFactory: infileStream, flags: ['+LOCAL_FILES'],
      // mysql2 scans every statement for `?` placeholders even without values: 10% of the client CPU on 1 MiB
      // INSERTs. Statements built here are complete; only format when values are given.
      queryFormat: (sql: string, values: unknown) => (Array.isArray(values) && values.length ? mysql.format(sql, values) : sql),
    })) as Conn;
  } catch (e) {
    const tls = o.ssl ? tlsFailure(e) : undefined;
    if (tls) throw new DatabaseError(`TLS to ${o.host}:${o.port} failed: ${tls}: ${(e as Error).message}`, { code: Codes.DBTLS, cause: e });
    throw new DatabaseError(`cannot connect to ${o.host}:${o.port}: ${(e as Error).message}`, { code: Codes.DBConnect, cause: e, retryable: isTransient(e) });
  }
  // A connection error event must not crash the process; the failing query reports it.
  c.on('error', () => undefined);
  for (const s of sessionSql(o)) await c.query(s);
  return c;
}

/** A fixed-size pool; broken connections are destroyed and replaced lazily. */
export class ConnPool {
  private idle: Conn[] = [];
  private waiters: Array<(c: Conn | null) => void> = [];
  private open = 0;
  private closed = false;
  readonly size: number;

  constructor(private readonly o: TidbConnOptions) {
    this.size = Math.max(1, o.connections ?? 2);
  }

  async acquire(): Promise<Conn> {
    if (this.closed) throw new DatabaseError('connection pool is closed');
    let c: Conn | undefined;
    while ((c = this.idle.pop())) {
      // skip connections that died while idle (server restart, KILL)
      const core = (c as unknown as { connection?: { _closing?: boolean; _fatalError?: unknown } }).connection;
      if (!core?._closing && !core?._fatalError) return c;
      this.discard(c);
    }
    if (this.open < this.size) {
      this.open++;
      try {
        return await connect(this.o);
      } catch (e) {
        this.open--;
        this.wake();
        throw e;
      }
    }
    const got = await new Promise<Conn | null>((res) => this.waiters.push(res));
    return got ?? this.acquire();
  }

  release(c: Conn): void {
    const w = this.waiters.shift();
    if (w) w(c);
    else this.idle.push(c);
  }

  /** Drop a connection whose state is unknown (after an error). */
  discard(c: Conn): void {
    this.open--;
    c.destroy();
    this.wake();
  }

  private wake(): void {
    const w = this.waiters.shift();
    if (w) w(null);
  }

  async withConn<T>(f: (c: Conn) => Promise<T>): Promise<T> {
    const c = await this.acquire();
    try {
      const r = await f(c);
      this.release(c);
      return r;
    } catch (e) {
      this.discard(c);
      throw e;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.waiters.splice(0)) w(null);
    await Promise.all(this.idle.splice(0).map((c) => c.end().catch(() => c.destroy())));
  }
}

export interface RetryOptions {
  retries?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  onRetry?: (e: unknown, attempt: number) => void;
}

/** `f` again after a transient error, with backoff (the writer's rule); only for work that is safe to repeat. */
export async function retryTransient<T>(f: () => Promise<T>, o: RetryOptions = {}): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await f();
    } catch (e) {
      if (!isTransient(e) || attempt >= (o.retries ?? 8)) throw e;
      o.onRetry?.(e, attempt + 1);
      await sleep(backoffMs(attempt, o));
    }
  }
}

export function backoffMs(attempt: number, o: RetryOptions = {}): number {
  const base = o.baseDelayMs ?? 100;
  const d = Math.min(o.maxDelayMs ?? 5_000, base * 2 ** attempt);
  return d / 2 + Math.random() * (d / 2);
}
