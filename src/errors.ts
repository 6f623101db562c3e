// Every error the tools raise on purpose is a LightningError with a stable `code` (the Go tool's
// `Lightning:<Module>:<Name>` spelling where it has one), a context that says where (file, offset, line,
// row, table, key) and a cause chain. Like undici's errors module: one file, stable codes, brand check.
import { redact } from './redact.js';

export interface ErrorContext {
  file?: string;
  /** byte offset in the (decompressed) file */
  offset?: number;
  line?: number;
  column?: number;
  /** 1-based row number within the file */
  row?: number;
  table?: string;
  key?: string;
  expected?: string;
  [extra: string]: string | number | boolean | undefined;
}

const BRAND = Symbol.for('lightning-ts.error');

export interface LightningErrorOptions {
  cause?: unknown;
  context?: ErrorContext;
  /** process exit code when this error ends a command (Go tool: 2 for bad arguments/config, 1 otherwise) */
  exitCode?: number;
  /** retrying the same operation may succeed */
  retryable?: boolean;
}

export class LightningError extends Error {
  readonly code: string;
  readonly context: ErrorContext;
  readonly exitCode: number;
  readonly retryable: boolean;
  readonly [BRAND] = true;

  constructor(code: string, message: string, opts: LightningErrorOptions = {}) {
    const context = opts.context ?? {};
    super(redact(withWhere(message, context)), opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    this.context = context;
    this.exitCode = opts.exitCode ?? 1;
    this.retryable = opts.retryable ?? false;
  }

  static override [Symbol.hasInstance](x: unknown): boolean {
    // Brand check so instanceof works across module copies (worker threads load their own).
    return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[BRAND] === true &&
      (this === LightningError || Function.prototype[Symbol.hasInstance].call(this, x));
  }
}

function withWhere(message: string, ctx: ErrorContext): string {
  const where: string[] = [];
  if (ctx.table) where.push(`table ${ctx.table}`);
  if (ctx.file) where.push(`file ${ctx.file}`);
  if (ctx.line !== undefined) where.push(`line ${ctx.line}${ctx.column !== undefined ? `:${ctx.column}` : ''}`);
  if (ctx.offset !== undefined) where.push(`offset ${ctx.offset}`);
  if (ctx.row !== undefined) where.push(`row ${ctx.row}`);
  if (ctx.key) where.push(`key ${ctx.key}`);
  let out = message;
  if (ctx.expected && !message.includes('expected')) out += `; expected ${ctx.expected}`;
  return where.length ? `${out} (${where.join(', ')})` : out;
}

/** Error classes by area. Codes are stable: tests and users match on them. */
export const Codes = {
  Unknown: 'Lightning:Common:ErrUnknown',
  InvalidArgument: 'Lightning:Common:ErrInvalidArgument',
  NotImplemented: 'Lightning:Common:ErrNotImplemented',
  Cancelled: 'Lightning:Common:ErrCancelled',
  VersionMismatch: 'Lightning:Common:ErrVersionMismatch',
  ReadConfigFile: 'Lightning:Config:ErrReadConfigFile',
  ParseConfigFile: 'Lightning:Config:ErrParseConfigFile',
  InvalidConfig: 'Lightning:Config:ErrInvalidConfig',
  InvalidTLSConfig: 'Lightning:Config:ErrInvalidTLSConfig',
  OpenCheckpoint: 'Lightning:Checkpoint:ErrOpenCheckpoint',
  ReadCheckpoint: 'Lightning:Checkpoint:ErrReadCheckpoint',
  UpdateCheckpoint: 'Lightning:Checkpoint:ErrUpdateCheckpoint',
  InvalidCheckpoint: 'Lightning:Checkpoint:ErrInvalidCheckpoint',
  CheckpointNotFound: 'Lightning:Checkpoint:ErrCheckpointNotFound',
  CheckpointMismatch: 'Lightning:Checkpoint:ErrCheckpointMismatch',
  FailedLastTime: 'Lightning:Checkpoint:ErrFailedLastTime',
  DBConnect: 'Lightning:DB:ErrDBConnect',
  DBQuery: 'Lightning:DB:ErrDBQuery',
  /** TLS to the target failed: unknown CA, wrong host name, expired certificate, no TLS on the server */
  DBTLS: 'Lightning:DB:ErrTLS',
  CreateSchema: 'Lightning:Restore:ErrCreateSchema',
  SchemaNotExists: 'Lightning:Restore:ErrSchemaNotExists',
  TableNotExists: 'Lightning:Restore:ErrTableNotExists',
  CheckTableEmpty: 'Lightning:Restore:ErrCheckTableEmpty',
  ChecksumMismatch: 'Lightning:Restore:ErrChecksumMismatch',
  RestoreTable: 'Lightning:Restore:ErrRestoreTable',
  EncodeKV: 'Lightning:Restore:ErrEncodeKV',
  /** an encode worker thread died (crash, out of memory) while it held a batch */
  EncodeWorkerCrashed: 'Lightning:Restore:ErrEncodeWorkerCrashed',
  UnknownBackend: 'Lightning:Restore:ErrUnknownBackend',
  UnknownColumns: 'Lightning:Restore:ErrUnknownColumns',
  CheckDataSource: 'Lightning:Restore:ErrCheckDataSource',
  DiskQuota: 'Lightning:Restore:ErrDiskQuota',
  DuplicateKey: 'Lightning:Restore:ErrFoundDuplicateKey',
  // local sorted engines (src/sort)
  SortedFile: 'Lightning:Sort:ErrSortedFile',
  EngineState: 'Lightning:Sort:ErrEngineState',
  // Loader (source files and parsers); the Go tool has no codes for most of these, the names follow its scheme.
  FileRoute: 'Lightning:Loader:ErrFileRouteConfig',
  Syntax: 'Lightning:Loader:ErrSyntax',
  UnclosedQuote: 'Lightning:Loader:ErrUnclosedQuote',
  ColumnCount: 'Lightning:Loader:ErrColumnCountMismatch',
  RowTooLarge: 'Lightning:Loader:ErrRowTooLarge',
  InvalidCharset: 'Lightning:Loader:ErrInvalidCharset',
  Decompress: 'Lightning:Loader:ErrDecompress',
  Parquet: 'Lightning:Loader:ErrParquet',
  /** reading the data source's storage (S3) failed */
  Storage: 'Lightning:Loader:ErrStorage',
  // KV / cluster
  KVEpochNotMatch: 'Lightning:KV:EpochNotMatch',
  KVNotLeader: 'Lightning:KV:NotLeader',
  KVServerIsBusy: 'Lightning:KV:ServerIsBusy',
  KVRegionNotFound: 'Lightning:KV:RegionNotFound',
  KVIngestFailed: 'Lightning:KV:ErrKVIngestFailed',
  KVReadIndexNotReady: 'Lightning:KV:ReadIndexNotReady',
  KVRaftProposalDropped: 'Lightning:KV:RaftProposalDropped',
  KVDiskFull: 'Lightning:KV:DiskFull',
  KVKeyNotInRegion: 'Lightning:KV:KeyNotInRegion',
  KVWriteFailed: 'Lightning:KV:ErrKVWriteFailed',
  KVRpc: 'Lightning:KV:ErrRPC',
  KVCodec: 'Lightning:KV:ErrCodec',
  KVNoLeader: 'Lightning:KV:ErrNoLeader',
  KVSplitRegion: 'Lightning:KV:ErrSplitRegion',
  KVScanRegion: 'Lightning:PD:ErrPDBatchScanRegion',
  KVImport: 'Lightning:KV:ErrImportEngine',
  PDRequest: 'Lightning:PD:ErrUpdatePD',
  Importer: 'Lightning:Importer:ErrImporter',
} as const;
export type Code = (typeof Codes)[keyof typeof Codes];

/** Bad flags or config: the Go tool exits 2 for these. */
export class ConfigError extends LightningError {
  constructor(message: string, context: ErrorContext = {}, cause?: unknown, code: Code = Codes.InvalidConfig) {
    super(code, message, { context, cause, exitCode: 2 });
  }
}

export class NotImplementedError extends LightningError {
  constructor(what: string) {
    super(Codes.NotImplemented, `${what} is not implemented yet`, { exitCode: 2 });
  }
}

/** Malformed source data: always names file and byte offset. */
export class SourceError extends LightningError {
  constructor(code: Code, message: string, context: ErrorContext & { file: string }, cause?: unknown) {
    super(code, message, { context, cause });
  }
}

export class CheckpointError extends LightningError {
  constructor(code: Code, message: string, context: ErrorContext = {}, cause?: unknown) {
    super(code, message, { context, cause });
  }
}

export class DatabaseError extends LightningError {
  constructor(message: string, opts: LightningErrorOptions & { code?: Code } = {}) {
    super(opts.code ?? Codes.DBQuery, message, opts);
  }
}

/** Wrap anything thrown into a LightningError without losing it (kept as cause). */
export function toLightningError(e: unknown, code: Code = Codes.Unknown): LightningError {
  if (e instanceof LightningError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  return new LightningError(code, msg, { cause: e });
}

/** "message: cause message: cause's cause" with secrets masked; stacks only when asked. */
export function formatError(e: unknown, withStack = false): string {
  const parts: string[] = [];
  let cur: unknown = e;
  const seen = new Set<unknown>();
  while (cur !== undefined && cur !== null && !seen.has(cur)) {
    seen.add(cur);
    if (cur instanceof Error) {
      const code = (cur as { code?: unknown }).code;
      parts.push(code && typeof code === 'string' && !cur.message.includes(code) ? `[${code}] ${cur.message}` : cur.message);
      if (withStack && cur.stack) parts.push(cur.stack.split('\n').slice(1).join('\n'));
      cur = (cur as { cause?: unknown }).cause;
    } else {
      parts.push(String(cur));
      break;
    }
  }
  return redact(parts.join(withStack ? '\n' : ': caused by: '));
}
