export { GrpcServer, GRPC_MESSAGE_BYTES_MAX } from './grpc-server.js';
export type { GrpcServerOptions } from './grpc-server.js';
export { PeerClients } from './peer-client.js';
export type {
  PeerClientsOptions,
  PeerFailure,
  PeerCallResult,
  ForwardResult,
} from './peer-client.js';
export { SqlClient, SQL_DEADLINE_MS_DEFAULT } from './sql-client.js';
export type { SqlClientOptions } from './sql-client.js';
export {
  tlsConfigFromEnv,
  loadTlsMaterial,
  serverCredentials,
  channelCredentials,
  channelOptions,
  servesTls,
  DEFAULT_TLS_DOMAIN,
} from './credentials.js';
export type { TlsConfig, TlsMaterial } from './credentials.js';
export { raftProtoPath, raftPackageDefinition, PROTO_LOADER_OPTIONS } from './proto-loader.js';
export { SNAPSHOT_CHUNK_BYTES } from './snapshot-chunks.js';
export type {
  CallContext,
  ConnectivityState,
  ForwardSqlHandler,
  MembershipHandler,
  HealthHandler,
  RaftRequestHandler,
  SqlHandler,
  StatementOutcome,
  SyncBatch,
  SyncHandler,
  SyncOperation,
  SyncStatus,
  SyncStatusHandler,
} from './handlers.js';
