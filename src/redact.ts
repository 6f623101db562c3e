// One place that knows what a secret looks like. Logs, error messages and dumps pass through `redact`,
// so a password given by flag, file or env never reaches output even when a library echoes it back.

const MASK = '******';
const secrets = new Set<string>();

/** Remember a secret value (password, token, key material) so every later output masks it. */
export function registerSecret(value: string | undefined | null): void {
  if (!value) return;
  // Very short values would mask ordinary words; they are still covered by the key/DSN patterns below.
  if (value.length >= 3) secrets.add(value);
  const encoded = encodeURIComponent(value);
  if (encoded !== value && encoded.length >= 3) secrets.add(encoded);
}

/** For tests: forget registered secrets. */
export function clearSecrets(): void {
  secrets.clear();
}

const PATTERNS: Array<[RegExp, string]> = [
  // PEM private keys and certificates' key material
  [/-----BEGIN ([A-Z ]*)PRIVATE KEY-----[\s\S]*?-----END \1PRIVATE KEY-----/g, `-----BEGIN $1PRIVATE KEY-----${MASK}-----END $1PRIVATE KEY-----`],
  // Go MySQL DSN user:pass@tcp(host:port)/ and URL user:pass@host
  [/([A-Za-z0-9_.%-]+):([^@\s/:]+)@(tcp\(|unix\(|[A-Za-z0-9[])/g, `$1:${MASK}@$3`],
  // key = "value" / key: value / --key=value for password-like keys
  [/((?:password|passwd|pwd|secret|secret[-_]access[-_]key|access[-_]key|token)["']?\s*[:=]\s*["']?)([^"'\s,}&]+)/gi, `$1${MASK}`],
  [/(--?(?:tidb-)?password[= ])(\S+)/gi, `$1${MASK}`],
];

export function redact(text: string): string {
  let out = text;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join(MASK);
  for (const [re, rep] of PATTERNS) out = out.replace(re, rep);
  return out;
}

export const REDACTED = MASK;
