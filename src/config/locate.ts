// Finds the 1-based line where a TOML key is written, so config errors can say "line N". A line scan is
// enough: it tracks `[table]` / `[[array]]` headers and `a.b = ` keys; inline tables fall back to their key.

type Seg = string | number;

function splitKey(s: string): string[] {
  const out: string[] = [];
  const re = /\s*("(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_-]+)\s*(?:\.|$)/y;
  let m: RegExpExecArray | null;
  let pos = 0;
  while (pos < s.length && (re.lastIndex = pos, (m = re.exec(s)))) {
    const raw = m[1]!;
    out.push(raw.startsWith('"') || raw.startsWith("'") ? raw.slice(1, -1) : raw);
    pos = re.lastIndex;
  }
  return out;
}

interface Entry { path: Seg[]; line: number }

function scan(text: string): Entry[] {
  const entries: Entry[] = [];
  const arrayCounts = new Map<string, number>();
  let table: Seg[] = [];
  let inMultiline: string | undefined;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (inMultiline) {
      if (line.includes(inMultiline)) inMultiline = undefined;
      continue;
    }
    const arr = /^\s*\[\[\s*([^\]]+?)\s*\]\]/.exec(line);
    const tbl = arr ? null : /^\s*\[\s*([^\]]+?)\s*\]/.exec(line);
    if (arr || tbl) {
      const names = splitKey((arr ?? tbl)![1]!);
      // An array-of-tables index applies to the header's own path; nested arrays keep their parent index.
      const parent = resolveParent(names, table);
      if (arr) {
        const key = [...parent, names[names.length - 1]!].join('\u0000');
        const n = arrayCounts.get(key) ?? 0;
        arrayCounts.set(key, n + 1);
        table = [...parent, names[names.length - 1]!, n];
      } else table = [...parent, names[names.length - 1]!];
      entries.push({ path: table, line: i + 1 });
      continue;
    }
    const kv = /^\s*((?:"(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_.\s-])+?)\s*=(.*)$/.exec(line);
    if (kv) {
      entries.push({ path: [...table, ...splitKey(kv[1]!)], line: i + 1 });
      const rest = kv[2]!;
      for (const q of ['"""', "'''"]) {
        const first = rest.indexOf(q);
        if (first >= 0 && rest.indexOf(q, first + 3) < 0) inMultiline = q;
      }
    }
  }
  return entries;
}

/** Keep array indexes of the current table when a header re-enters the same array (`[[a]]` then `[a.b]`). */
function resolveParent(names: string[], current: Seg[]): Seg[] {
  const parent: Seg[] = [];
  let ci = 0;
  for (const name of names.slice(0, -1)) {
    parent.push(name);
    if (current[ci] === name) {
      ci++;
      if (typeof current[ci] === 'number') parent.push(current[ci++] as number);
    } else ci = current.length;
  }
  return parent;
}

/**
 * Line of `path` (e.g. ['tidb', 'port'] or ['mydumper', 'files', 1, 'pattern']) in `text`; when the exact key
 * is not written, the line of its longest written ancestor (an inline table or section header); else undefined.
 */
export function findKeyLine(text: string, path: readonly Seg[]): number | undefined {
  let best: Entry | undefined;
  let bestLen = 0;
  for (const e of scan(text)) {
    let n = 0;
    while (n < e.path.length && n < path.length && e.path[n] === path[n]) n++;
    if (n === e.path.length && n > bestLen) {
      best = e;
      bestLen = n;
      if (n === path.length) break;
    }
  }
  return best?.line;
}

/** "routes[1].target-schema" → ['routes', 1, 'target-schema'] */
export function keyPathSegments(key: string): Seg[] {
  const out: Seg[] = [];
  for (const part of key.split('.')) {
    const m = /^([^[]+)\[(\d+)\]$/.exec(part);
    if (m) out.push(m[1]!, Number(m[2]));
    else out.push(part);
  }
  return out;
}
