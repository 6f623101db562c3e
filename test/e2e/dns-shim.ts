// Preloaded into tidb-lightning by the chart-to-process tests (NODE_OPTIONS=--import=<this file>): stands in for
// cluster DNS. The names in LIGHTNING_E2E_HOSTS (comma-separated; `<cluster>-tidb.<ns>`, `<cluster>-pd.<ns>`, as
// the chart renders them) resolve to 127.0.0.1; every other name resolves as usual. Test-only: nothing in src/
// knows about it, and the command line stays exactly the chart's.
import dns from 'node:dns';
import { syncBuiltinESMExports } from 'node:module';

const names = new Set((process.env.LIGHTNING_E2E_HOSTS ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean));
const lookup = dns.lookup;
const promisesLookup = dns.promises.lookup;

type Callback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

function patched(hostname: string, options: unknown, callback?: unknown): void {
  const cb = (typeof options === 'function' ? options : callback) as Callback;
  const opts = (typeof options === 'object' && options !== null ? options : {}) as dns.LookupOptions;
  if (!names.has(hostname.toLowerCase())) {
    (lookup as (...a: unknown[]) => void)(hostname, options, callback);
    return;
  }
  process.nextTick(() => (opts.all ? cb(null, [{ address: '127.0.0.1', family: 4 }]) : cb(null, '127.0.0.1', 4)));
}

dns.lookup = patched as typeof dns.lookup;
dns.promises.lookup = (async (hostname: string, options?: dns.LookupOptions) => {
  if (!names.has(hostname.toLowerCase())) return promisesLookup(hostname, options ?? {});
  return options?.all ? [{ address: '127.0.0.1', family: 4 }] : { address: '127.0.0.1', family: 4 };
}) as typeof dns.promises.lookup;
syncBuiltinESMExports();
