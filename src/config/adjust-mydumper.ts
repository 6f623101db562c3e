// Go's MydumperRuntime.adjust / CSVConfig.adjust / Routes.adjust: defaults that depend on other keys, and
// the checks that make a data source readable (separators, charsets, file rules, data-source-dir).
import { statSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConfigData, CsvSection } from './types.js';
import { configError, type Source } from './site.js';
import { goRegExp } from './units.js';

const READ_BLOCK_SIZE = 64 * 1024;
const DEFAULT_BATCH_IMPORT_RATIO = 0.75;
const SUPPORTED_STORAGES = ['file', 'local', 's3', 'noop', 'gcs', 'gs', 'azure', 'azblob'];
const DATA_CHARSETS = ['binary', 'utf8', 'utf8mb4', 'gb18030', 'gbk', 'latin1', 'ascii'];
const SCHEMA_CHARSETS = ['auto', 'binary', 'utf8', 'utf8mb4', 'gb18030', 'gbk', 'latin1'];
const FILE_TYPES = ['schema-schema', 'table-schema', 'view-schema', 'sql', 'csv', 'parquet', 'ignore'];
const COMPRESSIONS = ['', 'gz', 'gzip', 'zstd', 'zst', 'snappy'];

function adjustCsv(csv: CsvSection, src: Source): void {
  const k = (n: string): string => `mydumper.csv.${n}`;
  if (csv.separator.length === 0) throw configError(src, '`mydumper.csv.separator` must not be empty', k('separator'));
  if (csv.delimiter.length > 0 && (csv.separator.startsWith(csv.delimiter) || csv.delimiter.startsWith(csv.separator))) {
    throw configError(src, '`mydumper.csv.separator` and `mydumper.csv.delimiter` must not be prefix of each other', [k('separator'), k('delimiter')]);
  }
  if ([...csv.escapedBy].length > 1) throw configError(src, '`mydumper.csv.escaped-by` must be empty or a single character', k('escaped-by'));
  if (csv.backslashEscape && csv.escapedBy === '') csv.escapedBy = '\\';
  if (!csv.backslashEscape && csv.escapedBy === '\\') csv.escapedBy = '';
  if (csv.startingBy && (csv.terminator ? csv.startingBy.includes(csv.terminator) : /[\r\n]/.test(csv.startingBy))) {
    throw configError(src, '`mydumper.csv.starting-by` must not contain the terminator', [k('starting-by'), k('terminator')]);
  }
  // keep compatibility with old behaviour: an empty null list means "" is NULL
  if (!csv.notNull && csv.null.length === 0) csv.null = [''];
  if (csv.escapedBy) {
    for (const [name, v] of [['separator', csv.separator], ['delimiter', csv.delimiter], ['terminator', csv.terminator]] as const) {
      if (v === csv.escapedBy) {
        throw configError(src, `cannot use '${v}' both as CSV ${name} and \`mydumper.csv.escaped-by\``, [k('escaped-by'), k(name)]);
      }
    }
  }
}

/** Local path for "", file:// and local:// sources (relative → absolute); other URLs as given. */
function adjustSourceDir(m: ConfigData['mydumper'], src: Source): void {
  const key = 'mydumper.data-source-dir';
  const dir = m.dataSourceDir;
  if (dir === '') throw configError(src, '`mydumper.data-source-dir` is not set', key);
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(dir)?.[1]?.toLowerCase();
  if (scheme !== undefined && !SUPPORTED_STORAGES.includes(scheme)) {
    throw configError(src, `unsupported data-source-dir url '${dir}', supported storage types are ${SUPPORTED_STORAGES.join(',')}`, key);
  }
  if (scheme !== undefined && scheme !== 'file' && scheme !== 'local') return;
  let path = dir;
  if (scheme !== undefined) {
    try {
      path = fileURLToPath(`file://${dir.slice(scheme.length + 3)}`);
    } catch (e) {
      throw configError(src, `cannot parse \`mydumper.data-source-dir\` ${dir}`, key, undefined, e);
    }
  }
  path = resolve(path);
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch { /* reported below */ }
  if (!isDir) throw configError(src, `'${dir}': \`mydumper.data-source-dir\` does not exist`, key);
  m.dataSourceDir = path;
}

export function isLocalSource(dataSourceDir: string): boolean {
  return !/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(dataSourceDir);
}

export function adjustMydumper(cfg: ConfigData, src: Source): void {
  const m = cfg.mydumper;
  adjustCsv(m.csv, src);
  if (m.strictFormat && m.csv.terminator.length === 0) {
    throw configError(src, 'mydumper.strict-format can not be used with empty mydumper.csv.terminator. Please set mydumper.csv.terminator to a non-empty value like "\\r\\n"',
      ['mydumper.strict-format', 'mydumper.csv.terminator']);
  }
  const rep = m.dataInvalidCharReplace;
  for (const [name, v] of [['separator', m.csv.separator], ['delimiter', m.csv.delimiter], ['terminator', m.csv.terminator]] as const) {
    if (rep !== '' && v !== '' && (rep.includes(v) || v.includes(rep))) {
      throw configError(src, `\`mydumper.data-invalid-char-replace\` ('${rep}') must not collide with \`mydumper.csv.${name}\` ('${v}')`,
        ['mydumper.data-invalid-char-replace', `mydumper.csv.${name}`]);
    }
  }
  adjustSourceDir(m, src);
  m.files.forEach((rule, i) => {
    const k = `mydumper.files[${i}]`;
    if (!rule.pattern && !rule.path) throw configError(src, `file route rule ${i} must set either \`pattern\` or \`path\``, k);
    if (rule.pattern) {
      try {
        goRegExp(rule.pattern);
      } catch (e) {
        throw configError(src, `invalid file route pattern '${rule.pattern}': ${(e as Error).message}`, `${k}.pattern`, undefined, e);
      }
    }
    rule.type = rule.type.toLowerCase();
    if (!FILE_TYPES.includes(rule.type)) throw configError(src, `invalid file route type '${rule.type}', should be one of ${FILE_TYPES.join(', ')}`, `${k}.type`);
    rule.compression = rule.compression.toLowerCase();
    if (!COMPRESSIONS.includes(rule.compression)) throw configError(src, `invalid file route compression '${rule.compression}'`, `${k}.compression`);
    if (rule.path && isAbsolute(rule.path) && isLocalSource(m.dataSourceDir)) {
      const rel = relative(m.dataSourceDir, rule.path);
      if (rel.startsWith('..')) throw configError(src, `file route path '${rule.path}' is not in source dir '${m.dataSourceDir}'`, `${k}.path`);
      rule.path = rel;
    }
  });
  if (m.files.length === 0) m.defaultFileRules = true;
  m.dataCharacterSet = (m.dataCharacterSet || 'binary').toLowerCase();
  if (!DATA_CHARSETS.includes(m.dataCharacterSet)) {
    throw configError(src, `invalid \`mydumper.data-character-set\`: found unsupported data-character-set: ${m.dataCharacterSet}`, 'mydumper.data-character-set');
  }
  m.characterSet = (m.characterSet || 'auto').toLowerCase();
  if (!SCHEMA_CHARSETS.includes(m.characterSet)) {
    throw configError(src, `invalid \`mydumper.character-set\` '${m.characterSet}', should be one of ${SCHEMA_CHARSETS.join(', ')}`, 'mydumper.character-set');
  }
  if (m.batchImportRatio < 0 || m.batchImportRatio >= 1) m.batchImportRatio = DEFAULT_BATCH_IMPORT_RATIO;
  if (m.readBlockSize <= 0) m.readBlockSize = READ_BLOCK_SIZE;
  for (const ig of m.ignoreDataColumns) ig.columns = ig.columns.map((c) => c.toLowerCase());
}

export function adjustRoutes(cfg: ConfigData, src: Source): void {
  cfg.routes.forEach((r, i) => {
    const k = `routes[${i}]`;
    if (!cfg.mydumper.caseSensitive) {
      r.schemaPattern = r.schemaPattern.toLowerCase();
      r.tablePattern = r.tablePattern.toLowerCase();
    }
    if (!r.schemaPattern) throw configError(src, 'file route rule is invalid: schema pattern of table route rule should not be empty', `${k}.schema-pattern`);
    if (!r.targetSchema) throw configError(src, 'file route rule is invalid: target schema of table route rule should not be empty', `${k}.target-schema`);
    const extractors = [
      ['extract-table', r.extractTable?.tableRegexp, r.extractTable?.targetColumn, r.extractTable !== undefined],
      ['extract-schema', r.extractSchema?.schemaRegexp, r.extractSchema?.targetColumn, r.extractSchema !== undefined],
      ['extract-source', r.extractSource?.sourceRegexp, r.extractSource?.targetColumn, r.extractSource !== undefined],
    ] as const;
    for (const [name, re, col, set] of extractors) {
      if (!set) continue;
      if (!col) throw configError(src, `file route rule is invalid: ${name} target column should not be empty`, `${k}.${name}.target-column`);
      try {
        goRegExp(re ?? '');
      } catch (e) {
        throw configError(src, `file route rule is invalid: ${name} regexp: ${(e as Error).message}`, `${k}.${name}`, undefined, e);
      }
    }
  });
}
