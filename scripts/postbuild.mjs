// Makes every package.json `bin` entry directly executable after tsc (tsc keeps the shebang, not the mode bit).
import { chmodSync, readFileSync, existsSync } from 'node:fs';
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
for (const [name, path] of Object.entries(pkg.bin)) {
  const file = new URL(`../${path}`, import.meta.url);
  if (!existsSync(file)) { console.error(`postbuild: bin ${name} -> ${path} was not built`); process.exit(1); }
  chmodSync(file, 0o755);
}
