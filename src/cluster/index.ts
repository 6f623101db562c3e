// Cluster clients: PD, TiKV ImportSST and Tikv, tikv-importer ImportKV. Shared by the local and importer
// backends and tidb-lightning-ctl.
export { PdClient, type Member, type Operator, type ScatterResult } from './pd.js';
export { ImportSstClient, type ImportMode, type KvPair, type WriteStream } from './import-sst.js';
export { TikvClient, COP_TP_CHECKSUM, type ChecksumResult, type RawRange } from './tikv.js';
export { ImportKvClient, uuidString, type Mutation } from './import-kv.js';
export { RegionError, fromGrpcError, grpcCodeOf } from './errors.js';
export { type ClientOptions, hostPort } from './rpc.js';
export { type TlsOptions, channelCredentials } from './tls.js';
export { encodeBytes, decodeBytes, decodeRegionKey } from './keys.js';
export { composeTS, extractPhysical, extractLogical } from './tso.js';
export * from './types.js';
export type * as pb from './pb.js';
