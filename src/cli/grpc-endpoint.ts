import type { TokenAuth } from '../auth/index.js';
import type { ChronosError } from '../lib/index.js';
import { healthService, sqlService, syncService, syncStatusService } from '../api/grpc/index.js';
import type { HealthHandler, SqlHandler, SyncHandler, SyncStatusHandler } from '../api/grpc/index.js';
import { GrpcServer, raftService } from '../transport/index.js';
import type {
  ForwardCommandHandler, ForwardSqlHandler, MembershipHandler, RaftRequestHandler,
  RaftStreamHandler, TlsMaterial,
} from '../transport/index.js';

/** Everything a node's gRPC endpoint serves: transport/'s RaftService and api/'s client services. */
export interface NodeGrpcOptions {
  readonly host: string;
  /** 0 = any free port (tests). */
  readonly port: number;
  readonly tls: TlsMaterial | null;
  readonly raft: RaftRequestHandler;
  readonly raftStream?: RaftStreamHandler | undefined;
  readonly sql: SqlHandler;
  readonly forwardSql?: ForwardSqlHandler | undefined;
  readonly changeMembership?: MembershipHandler | undefined;
  readonly forwardCommand?: ForwardCommandHandler | undefined;
  readonly health?: HealthHandler | undefined;
  readonly sync?: SyncHandler | undefined;
  readonly syncStatus?: SyncStatusHandler | undefined;
  /** This node's cluster id (null until known); peers of another cluster are refused. */
  readonly clusterId?: (() => string | null) | undefined;
  /** The node's token check; with an admin token set, every RaftService call must carry it. */
  readonly auth?: TokenAuth | undefined;
  /** Told of every RaftService call refused for its token or cluster. */
  readonly onPeerRefused?: ((refusal: ChronosError) => void) | undefined;
}

/** The node's gRPC server: RaftService, SqlService, Health, Sync and SyncStatus on HOST:PORT. */
export function nodeGrpcServer(options: NodeGrpcOptions): GrpcServer {
  const raft = raftService({
    handler: options.raft,
    onStreamMessage: options.raftStream,
    forwardSql: options.forwardSql,
    changeMembership: options.changeMembership,
    forwardCommand: options.forwardCommand,
    auth: options.auth,
    clusterId: options.clusterId,
    onRefusal: options.onPeerRefused,
  });
  return new GrpcServer({
    host: options.host,
    port: options.port,
    tls: options.tls,
    services: [
      raft,
      sqlService(options.sql),
      healthService(options.health, options.auth),
      syncService(options.sync),
      syncStatusService(options.syncStatus, options.auth),
    ],
  });
}
