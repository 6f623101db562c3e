// Connection settings from the environment (TIDB_HOST/PORT/USER/PASSWORD), so a password need not sit in a
// file or on the command line (visible in `ps`). They fill keys the file leaves unset; flags still win.
import { registerSecret } from '../redact.js';
import type { ConfigData } from './types.js';
import { configError, type Source } from './site.js';

export type Env = Readonly<Record<string, string | undefined>>;

const ENV_KEYS: ReadonlyArray<[string, string, (c: ConfigData, v: string, src: Source) => void]> = [
  ['TIDB_HOST', 'tidb.host', (c, v) => { c.tidb.host = v; }],
  ['TIDB_PORT', 'tidb.port', (c, v, src) => {
    const n = Number(v);
    if (!/^\d+$/.test(v) || n > 65535) throw configError(src, `invalid \`tidb.port\` from env TIDB_PORT: "${v}"`, 'tidb.port');
    c.tidb.port = n;
  }],
  ['TIDB_USER', 'tidb.user', (c, v) => { c.tidb.user = v; }],
  ['TIDB_PASSWORD', 'tidb.password', (c, v) => { c.tidb.password = v; }],
];

/** Returns TOML key → "env NAME" for each value taken. */
export function applyEnv(cfg: ConfigData, env: Env, present: ReadonlySet<string>, src: Source): Map<string, string> {
  registerSecret(env.TIDB_PASSWORD);
  const applied = new Map<string, string>();
  for (const [name, key, set] of ENV_KEYS) {
    const v = env[name];
    if (v === undefined || v === '' || present.has(key)) continue;
    const from = `env ${name}`;
    set(cfg, v, { ...src, overrides: new Map([[key, from]]) });
    applied.set(key, from);
  }
  return applied;
}
