// argv → Config for tidb-lightning and tidb-lightning-ctl: Go flag parsing, `-h`/`-V`, then loadConfig.
import { LIGHTNING_FLAGS, CTL_FLAGS, CTL_ACTION_FLAGS } from './flags.js';
import { goUsage, parseGoFlags } from './goflag.js';
import { loadConfig, type LoadResult } from './load.js';
import type { Env } from './env.js';
import type { Config } from './types.js';

export type LightningArgs =
  | { kind: 'help'; usage: string }
  | { kind: 'version' }
  | { kind: 'run'; config: Config; configFile?: string; result: LoadResult; usage: string };

/** `-c` and `-config` share one value (the last one given wins); "" means no file. */
function configPath(values: Map<string, unknown>): string | undefined {
  const v = values.get('config') as string | undefined;
  return v === '' ? undefined : v;
}

export function parseLightningArgs(argv: readonly string[], env: Env = process.env): LightningArgs {
  const usage = goUsage('tidb-lightning', LIGHTNING_FLAGS);
  const parsed = parseGoFlags(LIGHTNING_FLAGS, argv);
  if (parsed.help) return { kind: 'help', usage };
  if (parsed.values.get('V') === true) return { kind: 'version' };
  const file = configPath(parsed.values);
  const result = loadConfig({ file, flags: parsed.values, env });
  return { kind: 'run', config: result.config, configFile: file, result, usage };
}

export type CtlAction =
  | { name: 'compact' }
  | { name: 'fetch-mode' }
  | { name: 'switch-mode'; mode: string }
  | { name: 'checkpoint-remove'; table: string }
  | { name: 'checkpoint-error-ignore'; table: string }
  | { name: 'checkpoint-error-destroy'; table: string }
  | { name: 'checkpoint-dump'; dir: string }
  | { name: 'check-local-storage' }
  | { name: 'import-engine'; engine: string }
  | { name: 'cleanup-engine'; engine: string };

export type CtlArgs =
  | { kind: 'help'; usage: string }
  | { kind: 'version' }
  /** action undefined: none given, print usage (Go exits 0) */
  | { kind: 'run'; action: CtlAction | undefined; config: Config; configFile?: string; result: LoadResult; usage: string };

function ctlAction(values: Map<string, unknown>): CtlAction | undefined {
  for (const spec of CTL_ACTION_FLAGS) {
    const v = values.get(spec.name);
    if (v === undefined || v === false || v === '') continue;
    switch (spec.name) {
      case 'switch-mode': return { name: 'switch-mode', mode: v as string };
      case 'checkpoint-remove':
      case 'checkpoint-error-ignore':
      case 'checkpoint-error-destroy':
        return { name: spec.name, table: v as string };
      case 'checkpoint-dump': return { name: 'checkpoint-dump', dir: v as string };
      case 'import-engine':
      case 'cleanup-engine':
        return { name: spec.name, engine: v as string };
      default: return { name: spec.name as 'compact' | 'fetch-mode' | 'check-local-storage' };
    }
  }
  return undefined;
}

export function parseCtlArgs(argv: readonly string[], env: Env = process.env): CtlArgs {
  const usage = goUsage('tidb-lightning-ctl', CTL_FLAGS);
  const parsed = parseGoFlags(CTL_FLAGS, argv);
  if (parsed.help) return { kind: 'help', usage };
  if (parsed.values.get('V') === true) return { kind: 'version' };
  const file = configPath(parsed.values);
  const result = loadConfig({ file, flags: parsed.values, env, ctl: true });
  return { kind: 'run', action: ctlAction(parsed.values), config: result.config, configFile: file, result, usage };
}
