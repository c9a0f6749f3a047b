import { Server } from '@grpc/grpc-js';
import type { ServiceDefinition } from '@grpc/grpc-js';
import { ChronosError, errorMessage } from '../lib/errors.js';
import { assert } from '../lib/assert.js';
import type { TokenAuth } from '../auth/index.js';
import type {
  ForwardCommandHandler,
  ForwardSqlHandler,
  MembershipHandler,
  HealthHandler,
  RaftRequestHandler,
  RaftStreamHandler,
  SqlHandler,
  SyncHandler,
  SyncStatusHandler,
} from './handlers.js';
import {
  healthServiceImplementation,
  sqlServiceImplementation,
  syncServiceImplementation,
  syncStatusServiceImplementation,
} from './client-services.js';
import { serverCredentials } from './credentials.js';
import type { TlsMaterial } from './credentials.js';
import { protoService } from './proto-loader.js';
import type { ServiceName } from './proto-loader.js';
import { raftServiceImplementation } from './raft-server.js';

/** Largest gRPC message accepted: big AppendEntries batches fit; snapshots are chunked. */
export const GRPC_MESSAGE_BYTES_MAX = 64 * 1024 * 1024;

/** Everything the node's gRPC endpoint serves, injected by the composition root. */
export interface GrpcServerOptions {
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
}

/** The node's gRPC server: RaftService, SqlService, Health, Sync and SyncStatus on HOST:PORT. */
export class GrpcServer {
  readonly #options: GrpcServerOptions;
  readonly #server: Server;
  #state: 'new' | 'started' | 'stopped' = 'new';
  readonly #openStreams = new Set<() => void>();

  constructor(options: GrpcServerOptions) {
    this.#options = options;
    this.#server = new Server({
      'grpc.max_receive_message_length': GRPC_MESSAGE_BYTES_MAX,
      'grpc.max_send_message_length': GRPC_MESSAGE_BYTES_MAX,
    });
    const add = (name: ServiceName, implementation: Parameters<Server['addService']>[1]): void => {
      const service = protoService(name) as unknown as ServiceDefinition;
      this.#server.addService(service, implementation);
    };
    add(
      'raft.RaftService',
      raftServiceImplementation({
        handler: options.raft,
        onStreamMessage: options.raftStream,
        forwardSql: options.forwardSql,
        changeMembership: options.changeMembership,
        forwardCommand: options.forwardCommand,
        auth: options.auth,
        clusterId: options.clusterId,
        openStreams: this.#openStreams,
      }),
    );
    add('raft.SqlService', sqlServiceImplementation(options.sql));
    add('raft.HealthService', healthServiceImplementation(options.health));
    add('raft.SyncService', syncServiceImplementation(options.sync));
    add('raft.SyncStatusService', syncStatusServiceImplementation(options.syncStatus));
  }

  /** Binds HOST:PORT; fails with one clear UNAVAILABLE error when the address is taken. */
  async start(): Promise<{ readonly port: number }> {
    assert(this.#state === 'new', 'a GrpcServer starts once');
    const credentials = serverCredentials(this.#options.tls);
    const address = `${this.#options.host}:${this.#options.port}`;
    const port = await new Promise<number>((resolve, reject) => {
      this.#server.bindAsync(address, credentials, (error, boundPort) => {
        if (error !== null) {
          reject(
            new ChronosError('UNAVAILABLE', `cannot listen on ${address}: ${errorMessage(error)}`, {
              details: { address },
              cause: error,
            }),
          );
          return;
        }
        resolve(boundPort);
      });
    });
    this.#state = 'started';
    return { port };
  }

  /**
   * Stops accepting calls, ends peers' Raft streams (they never finish by themselves), lets
   * in-flight calls finish for up to `graceMs`, then cuts them.
   */
  async stop(graceMs: number): Promise<void> {
    if (this.#state === 'stopped') return;
    this.#state = 'stopped';
    for (const close of [...this.#openStreams]) close();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.#server.forceShutdown();
        resolve();
      }, Math.max(0, graceMs));
      this.#server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
