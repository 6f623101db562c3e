// tikv-importer's error variants (protocol.md §7.2). Every failure except engine_not_found travels as a gRPC
// status UNKNOWN whose message is the Rust Debug form of the variant (`EngineInUse(<uuid>)`,
// `FileExists("<path>")`, ...): Lightning matches substrings of it (`FileExists` on Open/Close is ignored).
import * as grpc from '@grpc/grpc-js';
import { Codes, LightningError } from '../errors.js';

export class ImportKvFailure extends LightningError {
  /** the Rust Debug text sent as the status message */
  readonly debug: string;

  constructor(debug: string, cause?: unknown) {
    super(Codes.Importer, debug, { cause });
    this.debug = debug;
  }
}

const quoted = (s: string): string => JSON.stringify(s);

export const engineInUse = (uuid: string): ImportKvFailure => new ImportKvFailure(`EngineInUse(${uuid})`);
export const fileExists = (path: string): ImportKvFailure => new ImportKvFailure(`FileExists(${quoted(path)})`);
export const fileNotExists = (path: string): ImportKvFailure => new ImportKvFailure(`FileNotExists(${quoted(path)})`);
export const invalidChunk = (): ImportKvFailure => new ImportKvFailure('InvalidChunk');
export const invalidProto = (what: string): ImportKvFailure => new ImportKvFailure(`InvalidProtoMessage(${quoted(what)})`);
export const tooManyOpenEngines = (): ImportKvFailure => new ImportKvFailure(`ResourceTemporarilyUnavailable(${quoted('Too many open engines')})`);
export const importJobFailed = (e: unknown): ImportKvFailure => new ImportKvFailure(`ImportJobFailed(${quoted(messageOf(e))})`, e);

/** Thrown inside the importer when an engine is not open; the service answers OK with error.engine_not_found. */
export class EngineNotFound extends Error {
  constructor(readonly uuid: Buffer) {
    super('engine not found');
  }
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** A failure as the gRPC status tikv-importer sends: UNKNOWN + Debug text; unexpected errors as `Io(...)`. */
export function toStatus(e: unknown): Partial<grpc.StatusObject> {
  const details = e instanceof ImportKvFailure ? e.debug : `Io(${quoted(messageOf(e))})`;
  return { code: grpc.status.UNKNOWN, details };
}
