// Go value spellings: sizes (`units.RAMInBytes`: K, KB, KiB all mean 1024), durations
// (`time.ParseDuration`) and booleans (`strconv.ParseBool`).

const SIZE_RE = /^(\d+(?:\.\d+)*) ?([kmgtp])?i?b?$/i;
const SIZE_MUL: Record<string, number> = { '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40, p: 2 ** 50 };

/** Bytes from "96MiB", "16K", "512MB", "1.5g", "100"; undefined when malformed. */
export function parseByteSize(s: string): number | undefined {
  const m = SIZE_RE.exec(s.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  if (!Number.isFinite(n)) return undefined;
  return Math.min(Math.floor(n * SIZE_MUL[(m[2] ?? '').toLowerCase()]!), Number.MAX_SAFE_INTEGER);
}

const DUR_UNIT_MS: Record<string, number> = {
  ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000,
};

/** Milliseconds from a Go duration ("5m", "1h30m", "500ms", "-1.5s", "0"); undefined when malformed. */
export function parseDuration(s: string): number | undefined {
  let rest = s;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    if (rest[0] === '-') sign = -1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') return undefined;
  let total = 0;
  const re = /^(\d*\.?\d*)(ns|us|µs|μs|ms|s|m|h)/;
  while (rest.length > 0) {
    const m = re.exec(rest);
    if (!m || m[1] === '' || m[1] === '.') return undefined;
    total += Number(m[1]) * DUR_UNIT_MS[m[2]!]!;
    rest = rest.slice(m[0].length);
  }
  return sign * total;
}

/** Go's Duration.String() for whole milliseconds and up ("5m0s", "1h30m0s", "500ms", "0s"). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const neg = ms < 0;
  let x = Math.abs(ms);
  let out: string;
  if (x < 1000) out = `${x}ms`;
  else {
    const h = Math.floor(x / 3_600_000);
    x -= h * 3_600_000;
    const m = Math.floor(x / 60_000);
    x -= m * 60_000;
    const s = `${Number((x / 1000).toFixed(9))}s`;
    out = h > 0 ? `${h}h${m}m${s}` : m > 0 ? `${m}m${s}` : s;
  }
  return neg ? `-${out}` : out;
}

/** strconv.ParseBool */
export function parseGoBool(s: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false;
  return undefined;
}

/**
 * Go regexp → JS RegExp: `(?P<name>` named groups become `(?<name>`, and leading inline flags such as `(?i)`
 * (common in file-route patterns; Node 20 has no inline modifiers) become RegExp flags.
 */
export function goRegExp(pattern: string, flags = ''): RegExp {
  let src = pattern.replace(/\(\?P</g, '(?<');
  const lead = /^\(\?([ims]+)\)/.exec(src);
  let f = flags;
  if (lead) {
    src = src.slice(lead[0].length);
    for (const ch of lead[1]!) if (!f.includes(ch)) f += ch;
  }
  return new RegExp(src, f);
}
