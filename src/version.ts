import { readFileSync } from 'node:fs';

/** The package version, read once from package.json (two levels up from dist/src or src). */
export const VERSION: string = (() => {
  for (const rel of ['../../package.json', '../package.json']) {
    try {
      return (JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { version: string }).version;
    } catch { /* try next */ }
  }
  return '0.0.0';
})();

export function versionText(tool: string): string {
  return `${tool} (lightning-ts) v${VERSION}\nNode: ${process.version}\nRelease: TypeScript re-implementation of TiDB Lightning\n`;
}
