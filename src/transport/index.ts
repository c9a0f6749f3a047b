export { GrpcServer, GRPC_MESSAGE_BYTES_MAX } from './grpc-server.js';
export type { GrpcServerOptions, GrpcService } from './grpc-server.js';
export { raftService } from './raft-server.js';
export type { RaftServiceOptions } from './raft-server.js';
export { PeerClients } from './peer-client.js';
export type {
  PeerClientsOptions,
  PeerFailure,
  PeerCallResult,
  ForwardResult,
} from './peer-client.js';
export {
  tlsConfigFromEnv,
  loadTlsMaterial,
  serverCredentials,
  channelCredentials,
  channelOptions,
  NO_CHANNELZ,
  servesTls,
  DEFAULT_TLS_DOMAIN,
} from './credentials.js';
export type { TlsConfig, TlsMaterial } from './credentials.js';
export {
  raftProtoPath, raftPackageDefinition, protoMethod, protoService, PROTO_LOADER_OPTIONS,
} from './proto-loader.js';
export type { ServiceName } from './proto-loader.js';
export { SNAPSHOT_CHUNK_BYTES } from './snapshot-chunks.js';
export {
  bearerFromMetadata, bearerMetadata, connectionReason, fromServiceError, toServiceError,
} from './grpc-status.js';
export { asObject, readArray, readBytes, readInt64Text, readString } from './proto-read.js';
export { errorToSqlResponse, resultToSqlResponse, sqlResponseToResult } from './sql-codec.js';
export { sqlResponseBytes } from './sql-response-bytes.js';
export { decodeSqlResponse } from './sql-response-wire.js';
export type {
  CallContext,
  ForwardCommandHandler,
  ForwardSqlHandler,
  MembershipHandler,
  RaftRequestHandler,
  RaftStreamHandler,
  StatementOutcome,
} from './handlers.js';
export { callNeverSent, forwardNeverSent } from './forward-failure.js';
export { TLS_CLIENT_SETTINGS, tlsMismatchReason } from './tls-mismatch.js';
export { fromFailedCall } from './call-failure.js';
export { refusedOurToken } from './peer-refusal.js';
export type { PeerIdentity } from './identify-peer.js';
export { identifyPeer } from './identify-peer.js';
