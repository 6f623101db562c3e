// Go listen addresses ("host:port", ":port", "[::1]:port", ":" = every interface on a random port) → what
// node's server.listen takes. An empty host means every interface, as net.Listen does.
import { ConfigError } from '../errors.js';

export interface ListenAddr {
  /** undefined: every interface */
  host?: string;
  port: number;
}

export function parseListenAddr(addr: string, key = 'lightning.status-addr'): ListenAddr {
  const i = addr.lastIndexOf(':');
  if (i < 0) throw new ConfigError(`invalid listen address '${addr}' for ${key}: expected host:port or :port`, { key });
  let host = addr.slice(0, i);
  const portText = addr.slice(i + 1);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  const port = portText === '' ? 0 : Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535 || !/^\d*$/.test(portText)) {
    throw new ConfigError(`invalid port '${portText}' in listen address '${addr}' for ${key}`, { key });
  }
  return { host: host === '' ? undefined : host, port };
}

/** "127.0.0.1:8289" / "[::1]:8289" for messages and the SIGUSR1 line. */
export function formatAddr(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
