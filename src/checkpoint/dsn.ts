// Go MySQL DSNs (`[user[:password]@][tcp[(host:port)]]/[dbname][?params]`, go-sql-driver/mysql) for
// `[checkpoint] dsn` with driver = "mysql". The password is registered as a secret before anything can print it,
// and `describeDsn` gives the form messages use (no password).
import { ConfigError } from '../errors.js';
import { registerSecret } from '../redact.js';

export interface MysqlDsn {
  user: string;
  password: string;
  host: string;
  port: number;
  /** socket path for `unix(/path)` */
  socketPath?: string;
  /** the dbname part (ignored for checkpoints: `[checkpoint] schema` names the database) */
  database: string;
  params: Record<string, string>;
}

/**
 * Go's parser: the last '/' ends the address, the last '@' before it ends the user info, the first ':' in the
 * user info ends the user (so a password may hold ':', '@' and '/' characters except after the last '/').
 */
export function parseMysqlDsn(dsn: string): MysqlDsn {
  // before anything can fail: whatever sits between the first ':' and the last '@' is a password
  const lastAt = dsn.lastIndexOf('@');
  const firstColon = dsn.indexOf(':');
  if (firstColon >= 0 && firstColon < lastAt) registerSecret(dsn.slice(firstColon + 1, lastAt));
  const bad = (why: string) => new ConfigError(`invalid checkpoint.dsn ${describeDsn(dsn)}: ${why}; ` +
    "expected the Go form 'user:password@tcp(host:port)/'", { key: 'checkpoint.dsn' });
  const q = dsn.indexOf('?', dsn.lastIndexOf('/'));
  const main = q >= 0 ? dsn.slice(0, q) : dsn;
  const slash = main.lastIndexOf('/');
  if (slash < 0) throw bad("missing '/'");
  const left = main.slice(0, slash);
  const at = left.lastIndexOf('@');
  const userInfo = at >= 0 ? left.slice(0, at) : '';
  const net = at >= 0 ? left.slice(at + 1) : left;
  const colon = userInfo.indexOf(':');
  const user = colon >= 0 ? userInfo.slice(0, colon) : userInfo;
  const password = colon >= 0 ? userInfo.slice(colon + 1) : '';
  registerSecret(password);
  const out: MysqlDsn = { user, password, host: '127.0.0.1', port: 3306, database: main.slice(slash + 1), params: {} };
  const m = /^(tcp|unix)?(?:\((.*)\))?$/.exec(net);
  if (!m) throw bad(`cannot read the address '${net}'`);
  const [, proto = 'tcp', addr = ''] = m;
  if (proto === 'unix') out.socketPath = addr || '/tmp/mysql.sock';
  else if (addr) {
    const hp = /^(?:\[([^\]]+)\]|([^:]*))(?::(\d+))?$/.exec(addr);
    if (!hp) throw bad(`cannot read host:port '${addr}'`);
    out.host = hp[1] ?? (hp[2] || '127.0.0.1');
    if (hp[3] !== undefined) {
      out.port = Number(hp[3]);
      if (out.port < 1 || out.port > 65535) throw bad(`port ${hp[3]} out of range`);
    }
  }
  if (q >= 0) {
    for (const kv of dsn.slice(q + 1).split('&')) {
      if (!kv) continue;
      const eq = kv.indexOf('=');
      const k = decodeURIComponent(eq >= 0 ? kv.slice(0, eq) : kv);
      out.params[k] = decodeURIComponent(eq >= 0 ? kv.slice(eq + 1) : '');
    }
  }
  return out;
}

/** `user@host:port/` (or the input with its password masked when it does not parse): safe for messages. */
export function describeDsn(dsn: string | MysqlDsn): string {
  if (typeof dsn !== 'string') {
    const where = dsn.socketPath ? `unix(${dsn.socketPath})` : `${dsn.host}:${dsn.port}`;
    return `${dsn.user ? `${dsn.user}@` : ''}${where}/`;
  }
  const slash = dsn.lastIndexOf('/');
  const at = dsn.lastIndexOf('@', slash < 0 ? dsn.length : slash);
  if (at < 0) return `'${dsn}'`;
  const colon = dsn.indexOf(':');
  return `'${colon >= 0 && colon < at ? `${dsn.slice(0, colon)}:******` : dsn.slice(0, at)}${dsn.slice(at)}'`;
}
