// Public surface of the config module.
export type * from './types.js';
export { loadConfig, loadTaskConfig, type LoadOptions, type LoadResult } from './load.js';
export { parseLightningArgs, parseCtlArgs, type LightningArgs, type CtlArgs, type CtlAction } from './args.js';
export { toToml, toTomlObject, redactedConfig } from './to-toml.js';
export { defaultConfigData, tomlKeyOf, DEFAULT_FILTER, UNLIMITED } from './schema.js';
export { parseByteSize, parseDuration, formatDuration, parseGoBool, goRegExp } from './units.js';
export { isLocalSource } from './adjust-mydumper.js';
export { LIGHTNING_FLAGS, CTL_FLAGS, FLAG_KEYS } from './flags.js';
export { loadImporterConfig, parseImporterArgs, type ImporterConfig, type ImporterArgs, type ImporterFlags } from './importer.js';
