// The MySQL wire protocol of the simulated TiDB, on mysql2's server API: handshake with mysql_native_password
// checking, COM_QUERY / COM_INIT_DB / COM_PING, one statement at a time per connection. Result rows are
// written as raw text-protocol packets (mysql2's writeTextRow stringifies values, which would mangle binary
// columns). Prepared statements (COM_STMT_*) are refused with an error: importers send text queries.
import { createHash } from 'node:crypto';
import type { AddressInfo, Server } from 'node:net';
import mysql from 'mysql2';
import { SqlError } from './lexer.js';
import { formatFloat } from '../../../../src/encode/index.js';
import type { Val } from './expr.js';
import type { ColumnMeta } from './select.js';
import type { Result } from './statements.js';
import { Session } from './session.js';
import { MYSQL_VERSION } from './variables.js';

// CLIENT_LONG_PASSWORD | FOUND_ROWS | LONG_FLAG | CONNECT_WITH_DB | ODBC | IGNORE_SPACE | PROTOCOL_41 | INTERACTIVE |
// TRANSACTIONS | SECURE_CONNECTION | MULTI_RESULTS | PS_MULTI_RESULTS | PLUGIN_AUTH | CONNECT_ATTRS |
// PLUGIN_AUTH_LENENC_CLIENT_DATA: no SSL, no compression, no multi-statements, no DEPRECATE_EOF, no session tracking
const CAPABILITIES = 1 | 2 | 4 | 8 | 64 | 256 | 512 | 1024 | 8192 | 32768 | 131072 | 262144 | 524288 | 1048576 | 2097152;
const COM_QUERY = 3, COM_STMT_PREPARE = 22;

interface MysqlServer {
  on(ev: 'connection', fn: (c: unknown) => void): void;
  listen(port: number, host: string, cb: () => void): void;
  close(cb: () => void): void;
  _server: Server;
}
interface Packet { buffer: Buffer; length(): number; writeHeader(seq: number): void }
/** the part of mysql2's server-side Connection this module uses */
interface ServerConn {
  serverHandshake(args: object): void;
  on(ev: string, fn: (...a: never[]) => void): void;
  writePacket(p: Packet): void;
  writeColumns(cols: object[]): void;
  writeEof(): void;
  writeOk(args?: object): void;
  close?(): void;
  /** mysql2 keeps counting across commands on the server side; each command's reply must restart at 1 */
  sequenceId: number;
  stream: { remoteAddress?: string; destroy(): void; on(ev: string, fn: () => void): void };
}

function lenenc(n: number): Buffer {
  if (n < 251) return Buffer.from([n]);
  if (n < 65536) { const b = Buffer.alloc(3); b[0] = 0xfc; b.writeUInt16LE(n, 1); return b; }
  if (n < 1 << 24) { const b = Buffer.alloc(4); b[0] = 0xfd; b.writeUIntLE(n, 1, 3); return b; }
  const b = Buffer.alloc(9); b[0] = 0xfe; b.writeBigUInt64LE(BigInt(n), 1); return b;
}

function packet(body: Buffer): Packet {
  const buffer = Buffer.concat([Buffer.alloc(4), body]);
  return { buffer, length: () => buffer.length, writeHeader: (seq) => { buffer.writeUIntLE(buffer.length - 4, 0, 3); buffer[3] = seq; } };
}

export function textOf(v: Val, meta: ColumnMeta): Buffer | null {
  if (v === null) return null;
  if (Buffer.isBuffer(v)) return v;
  if (typeof v === 'number') return Buffer.from(meta.type === 4 || meta.type === 5 ? formatFloat(v, meta.type === 4) : String(v));
  return Buffer.from(String(v));
}

function errorPacket(e: SqlError): Packet {
  const msg = Buffer.from(e.message.slice(0, 4000));
  const head = Buffer.alloc(9);
  head[0] = 0xff;
  head.writeUInt16LE(e.errno, 1);
  head.write(`#${e.sqlState.padEnd(5, '0').slice(0, 5)}`, 3, 'latin1');
  return packet(Buffer.concat([head, msg]));
}

/** mysql_native_password: token = SHA1(pw) XOR SHA1(scramble ‖ SHA1(SHA1(pw))) */
function passwordMatches(password: string, scramble: Buffer, token: Buffer): boolean {
  if (password === '') return token.length === 0;
  const sha1 = (b: Buffer) => createHash('sha1').update(b).digest();
  const s1 = sha1(Buffer.from(password));
  const mix = sha1(Buffer.concat([scramble, sha1(s1)]));
  return token.length === 20 && s1.every((b, i) => (b ^ mix[i]!) === token[i]);
}

export interface SqlServerOptions {
  users: Map<string, string>;
  globals: Map<string, string>;
  execute(sql: string, s: Session): Promise<Result>;
  /** validates the database named in the handshake; returns its stored name */
  database(name: string): string;
}

export interface SqlServer { port: number; connections(): number; close(): Promise<void> }

export async function startSqlServer(o: SqlServerOptions): Promise<SqlServer> {
  const server = (mysql.createServer as unknown as () => MysqlServer)();
  let nextConn = 1;
  const open = new Set<ServerConn>();
  server.on('connection', (raw: unknown) => {
    const conn = raw as ServerConn;
    const id = nextConn++;
    let session: Session | undefined;
    let chain = Promise.resolve();
    let pending: { sql: string; code?: number } | undefined;
    open.add(conn);
    conn.stream.on('close', () => open.delete(conn));
    conn.on('error', () => open.delete(conn));

    // the next command packet arrives with sequence id 0
    const done = () => { conn.sequenceId = 0; };
    const reply = (r: Result) => {
      if (r.kind === 'ok') { conn.writeOk({ affectedRows: r.affectedRows ?? 0, insertId: Number(r.insertId ?? 0) }); done(); return; }
      conn.writeColumns(r.columns.map((c) => ({
        catalog: 'def', schema: c.db ?? '', table: c.table ?? '', orgTable: c.table ?? '', name: c.name, orgName: c.orgName ?? c.name,
        characterSet: c.charset, columnLength: c.length, columnType: c.type, flags: c.flags, decimals: c.decimals,
      })));
      for (const row of r.rows) {
        conn.writePacket(packet(Buffer.concat(row.flatMap((v, i) => {
          const t = textOf(v, r.columns[i]!);
          return t === null ? [Buffer.from([0xfb])] : [lenenc(t.length), t];
        }))));
      }
      conn.writeEof();
      done();
    };
    const fail = (e: unknown) => {
      conn.writePacket(errorPacket(e instanceof SqlError ? e : new SqlError(1105, e instanceof Error ? e.message : String(e))));
      done();
    };
    const run = (sql: string, code: number) => {
      chain = chain.then(async () => {
        if (code === COM_STMT_PREPARE) throw new SqlError(1295, 'This command is not supported in the prepared statement protocol yet (TiDB simulator)');
        reply(await o.execute(sql, session!));
      }).catch(fail);
    };
    // mysql2 routes COM_QUERY "SET …" to 'stmt_prepare'; the 'packet' event that follows carries the real command
    const take = (sql: string) => { pending = { sql }; };
    conn.on('query', take);
    conn.on('stmt_prepare', take);
    conn.on('packet', (_p: never, known: boolean, code: number) => {
      if (pending) { const p = pending; pending = undefined; run(p.sql, code === COM_STMT_PREPARE ? code : COM_QUERY); return; }
      if (!known) chain = chain.then(() => fail(new SqlError(1047, `Unknown command ${code}`)));
    });
    conn.on('stmt_execute', () => { chain = chain.then(() => fail(new SqlError(1243, 'Unknown prepared statement handler (TiDB simulator)'))); });
    conn.on('init_db', (db: string) => {
      chain = chain.then(() => { session!.db = o.database(db); conn.writeOk(); done(); }).catch(fail);
    });
    conn.on('ping', () => { chain = chain.then(() => { conn.writeOk(); done(); }); });
    conn.serverHandshake({
      protocolVersion: 10, serverVersion: MYSQL_VERSION, connectionId: id, statusFlags: 2, characterSet: 46, capabilityFlags: CAPABILITIES,
      authCallback: (p: { user: string; database?: string; authPluginData1: Buffer; authPluginData2: Buffer; authToken: Buffer },
        cb: (err: null, mysqlError?: { message: string; code: number }) => void) => {
        const pw = o.users.get(p.user);
        if (pw === undefined || !passwordMatches(pw, Buffer.concat([p.authPluginData1, p.authPluginData2]), p.authToken ?? Buffer.alloc(0))) {
          cb(null, { message: `Access denied for user '${p.user}'@'127.0.0.1' (using password: ${p.authToken?.length ? 'YES' : 'NO'})`, code: 1045 });
          return;
        }
        session = new Session(id, p.user, o.globals);
        if (p.database) {
          try { session.db = o.database(p.database); } catch (e) { cb(null, { message: (e as Error).message, code: 1049 }); return; }
        }
        cb(null);
        done();
      },
    });
  });
  const port = await new Promise<number>((resolve, reject) => {
    const ns = server._server;
    ns.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((ns.address() as AddressInfo).port));
  });
  return {
    port,
    connections: () => open.size,
    close: async () => {
      for (const c of open) c.stream.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
