// Finding and installing the Debian tools the harness drives (MariaDB, mydumper, sysbench).
// apt never starts services on this machine (policy-rc.d), so installing is side-effect free.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { execa } from 'execa';

/** Debian package that provides each tool the harness uses. */
const PACKAGE_OF: Record<string, string> = {
  mariadbd: 'mariadb-server',
  'mariadb-install-db': 'mariadb-server',
  mariadb: 'mariadb-client',
  'mariadb-admin': 'mariadb-client',
  'mariadb-dump': 'mariadb-client',
  mydumper: 'mydumper',
  myloader: 'mydumper',
  sysbench: 'sysbench',
  zstd: 'zstd',
};

const EXTRA_DIRS = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

/** Absolute path of `tool` in PATH (plus the sbin dirs a non-root PATH may lack), or undefined. */
export function findTool(tool: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...EXTRA_DIRS];
  for (const dir of dirs) {
    const p = join(dir, tool);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // next
    }
  }
  return undefined;
}

/** Like findTool but throws a clear error naming the package to install. */
export function requireTool(tool: string): string {
  const p = findTool(tool);
  if (!p) {
    const pkg = PACKAGE_OF[tool] ?? tool;
    throw new Error(`harness: \`${tool}\` not found in PATH; install the Debian package ${pkg} (make sysdeps)`);
  }
  return p;
}

let aptUpdated = false;

/** Installs the Debian packages providing the missing tools (root only), or throws a clear error. */
export async function installMissing(tools: string[]): Promise<void> {
  const missing = tools.filter((t) => !findTool(t));
  if (missing.length === 0) return;
  const pkgs = [...new Set(missing.map((t) => PACKAGE_OF[t] ?? t))];
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new Error(`harness: missing ${missing.join(', ')}; run as root or install: apt-get install -y ${pkgs.join(' ')} (make sysdeps)`);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  let r = await execa('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...pkgs], { env, reject: false, all: true });
  if (r.exitCode !== 0 && !aptUpdated) {
    aptUpdated = true;
    await execa('apt-get', ['update', '-qq'], { env, reject: false });
    r = await execa('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...pkgs], { env, reject: false, all: true });
  }
  const still = tools.filter((t) => !findTool(t));
  if (r.exitCode !== 0 || still.length) {
    throw new Error(`harness: apt-get install ${pkgs.join(' ')} failed (exit ${r.exitCode}); still missing: ${still.join(', ') || 'none'}\n${String(r.all ?? '').slice(-2000)}`);
  }
}
