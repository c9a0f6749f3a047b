import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { raftProtoPath } from '../../src/transport/index.js';

/** GetSyncStatus and GetConnectivity as grpcurl calls them: the proto file, JSON field names. */
export interface SyncStatusJson {
  lastSyncTsMs: string;
  lastSyncApplied: string;
  pendingOps: string;
  lastError: string;
}

type Unary = (request: object, callback: (error: grpc.ServiceError | null, response: unknown) => void) => void;

function services(port: number): { status: Unary; health: Unary; close(): void } {
  const definition = protoLoader.loadSync(raftProtoPath(), { keepCase: false, longs: String, defaults: true });
  const raft = grpc.loadPackageDefinition(definition)['raft'] as Record<string, grpc.ServiceClientConstructor>;
  const address = `127.0.0.1:${port}`;
  const credentials = grpc.credentials.createInsecure();
  const status = new (raft['SyncStatusService'] as grpc.ServiceClientConstructor)(address, credentials);
  const health = new (raft['HealthService'] as grpc.ServiceClientConstructor)(address, credentials);
  return {
    status: (status['GetSyncStatus'] as Unary).bind(status),
    health: (health['GetConnectivity'] as Unary).bind(health),
    close: () => {
      status.close();
      health.close();
    },
  };
}

type UnaryWithMetadata = (request: object, metadata: grpc.Metadata,
  callback: (error: grpc.ServiceError | null, response: unknown) => void) => void;

/** Calls with the bearer token as grpcurl's `-H 'authorization: Bearer ...'` sends it. */
function call<T>(method: Unary, token: string | null): Promise<T> {
  const metadata = new grpc.Metadata();
  if (token !== null) metadata.set('authorization', `Bearer ${token}`);
  return new Promise((resolve, reject) => (method as unknown as UnaryWithMetadata)({}, metadata,
    (error, response) => (error === null ? resolve(response as T) : reject(error))));
}

/** The edge's GetSyncStatus answer. */
export async function syncStatus(port: number, token: string | null = null): Promise<SyncStatusJson> {
  const client = services(port);
  try {
    return await call<SyncStatusJson>(client.status, token);
  } finally {
    client.close();
  }
}

/** The edge's GetConnectivity state. */
export async function connectivity(port: number, token: string | null = null): Promise<string> {
  const client = services(port);
  try {
    return (await call<{ state: string }>(client.health, token)).state;
  } finally {
    client.close();
  }
}
