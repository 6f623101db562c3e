// Loads proto/*.proto once at runtime (no codegen; see proto/README.md). Shared by the src/cluster clients and
// the test simulator so both sides use the same field numbers.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as protoLoader from '@grpc/proto-loader';
import protobuf from 'protobufjs';
import type * as grpc from '@grpc/grpc-js';

export const PROTO_FILES = [
  'metapb.proto', 'errorpb.proto', 'kvrpcpb.proto', 'pdpb.proto', 'backup.proto', 'import_sstpb.proto', 'import_kvpb.proto',
  'coprocessor.proto', 'tikvpb.proto', 'checksum.proto',
] as const;

/** How every consumer decodes: snake_case names, 64-bit ints as decimal strings, enums by name, bytes as Buffer. */
export const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true, longs: String, enums: String, bytes: Buffer, defaults: true, oneofs: true,
};

let dirCache: string | undefined;

/** The repository's proto/ dir: 2 levels above src/cluster, 3 above dist*\/src/cluster; found by searching up. */
export function protoDir(): string {
  if (dirCache) return dirCache;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const cand = join(dir, 'proto');
    if (existsSync(join(cand, 'pdpb.proto'))) return (dirCache = cand);
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  throw new Error(`proto/ directory not found above ${fileURLToPath(import.meta.url)}`);
}

let defCache: protoLoader.PackageDefinition | undefined;

export function packageDefinition(): protoLoader.PackageDefinition {
  if (!defCache) {
    const dir = protoDir();
    defCache = protoLoader.loadSync(PROTO_FILES.map((f) => join(dir, f)), { ...LOADER_OPTIONS, includeDirs: [dir] });
  }
  return defCache;
}

export type ServiceName = 'pdpb.PD' | 'import_sstpb.ImportSST' | 'import_kvpb.ImportKV' | 'tikvpb.Tikv';

/** A service definition usable by grpc.Server#addService and by the generic client calls. */
export function serviceDef(name: ServiceName): grpc.ServiceDefinition {
  const def = packageDefinition()[name];
  if (!def || 'format' in def) throw new Error(`service ${name} not in proto/`);
  return def as unknown as grpc.ServiceDefinition;
}

let rootCache: protobuf.Root | undefined;

/** A protobufjs Root over the same files, for messages that travel inside bytes fields (tipb checksum). */
export function protoRoot(): protobuf.Root {
  if (!rootCache) {
    const dir = protoDir();
    const root = new protobuf.Root();
    root.resolvePath = (_origin, target) => (target.startsWith('/') ? target : join(dir, target));
    root.loadSync(PROTO_FILES.map((f) => join(dir, f)), { keepCase: true });
    rootCache = root;
  }
  return rootCache;
}

export interface Codec<T> { encode(m: T): Buffer; decode(b: Uint8Array): T }

const codecs = new Map<string, Codec<unknown>>();

/** Encode/decode one message type by full name (e.g. 'tipb.ChecksumRequest'), with the loader's conventions. */
export function messageCodec<T>(fullName: string): Codec<T> {
  let c = codecs.get(fullName);
  if (!c) {
    const type = protoRoot().lookupType(fullName);
    c = {
      encode: (m) => Buffer.from(type.encode(type.fromObject(m as Record<string, unknown>)).finish()),
      decode: (b) => type.toObject(type.decode(b), { longs: String, enums: String, defaults: true, oneofs: true }),
    };
    codecs.set(fullName, c);
  }
  return c as Codec<T>;
}
