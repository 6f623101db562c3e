// One entry to a validated Config: defaults → TOML file → env (keys the file left unset) → flags → adjust →
// deep freeze. In server mode the process-level config is only checked globally; each task TOML posted later
// is layered over it with `loadTaskConfig` and fully adjusted, as Go does.
import { registerSecret } from '../redact.js';
import { adjustConfig, adjustGlobal } from './adjust.js';
import { decodeInto } from './decode.js';
import { applyEnv, type Env } from './env.js';
import { applyFlags } from './flags.js';
import { deepFreeze } from './freeze.js';
import type { ParsedFlags } from './goflag.js';
import { parseToml, readConfigText } from './read.js';
import { defaultConfigData } from './schema.js';
import type { Source } from './site.js';
import type { Config, ConfigData } from './types.js';

export interface LoadOptions {
  /** config file to read */
  file?: string;
  /** TOML text instead of reading `file` (`file` then only labels errors) */
  text?: string;
  /** parsed flags (parseGoFlags(...).values) */
  flags?: ParsedFlags['values'];
  env?: Env;
  /** tidb-lightning-ctl: `-d` defaults to noop:// */
  ctl?: boolean;
}

export interface LoadResult {
  config: Config;
  configFile?: string;
  /** TOML keys the file wrote */
  present: ReadonlySet<string>;
  /** TOML key → "flag -x" / "env X" for values that did not come from the file */
  overrides: ReadonlyMap<string, string>;
  /** server mode: the config is the process-level one; tasks go through loadTaskConfig */
  serverMode: boolean;
  /** inputs, kept so a server-mode task can be layered over the same file, env and flags */
  readonly inputs: Readonly<LoadOptions>;
}

function build(opts: LoadOptions, task?: { text: string; label: string }): { data: ConfigData; src: Source; present: Set<string>; overrides: Map<string, string> } {
  const data = defaultConfigData();
  const text = opts.text ?? (opts.file !== undefined ? readConfigText(opts.file) : undefined);
  let src: Source = { file: opts.file, text };
  let present = new Set<string>();
  if (text !== undefined) present = decodeInto(data as unknown as Record<string, unknown>, parseToml(text, opts.file), src).present;
  const overrides = applyEnv(data, opts.env ?? {}, present, src);
  for (const [k, v] of applyFlags(data, opts.flags ?? new Map(), opts.ctl)) overrides.set(k, v);
  if (task) {
    const taskSrc: Source = { file: task.label, text: task.text };
    const tp = decodeInto(data as unknown as Record<string, unknown>, parseToml(task.text, task.label), taskSrc).present;
    for (const k of tp) {
      present.add(k);
      overrides.delete(k);
    }
    src = taskSrc;
  }
  src = { ...src, overrides };
  registerSecret(data.tidb.password);
  return { data, src, present, overrides };
}

export function loadConfig(opts: LoadOptions = {}): LoadResult {
  const { data, src, present, overrides } = build(opts);
  const serverMode = data.lightning.serverMode;
  if (serverMode) adjustGlobal(data, src);
  else adjustConfig(data, src);
  return { config: deepFreeze(data), configFile: opts.file, present, overrides, serverMode, inputs: { ...opts } };
}

/** Server mode: a task's TOML over the process config's file, env and flags, then Go's full Adjust. */
export function loadTaskConfig(global: LoadResult, taskToml: string, label = 'task'): Config {
  const { data, src } = build(global.inputs, { text: taskToml, label });
  adjustConfig(data, src);
  return deepFreeze(data);
}
