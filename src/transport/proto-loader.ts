import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import protoLoader from '@grpc/proto-loader';
import type { MethodDefinition, PackageDefinition } from '@grpc/proto-loader';
import { ChronosError } from '../lib/index.js';

/**
 * Loader options. keepCase false gives the camelCase JSON names grpcurl shows (lastSyncTsMs);
 * longs as String keeps int64/uint64 exact; defaults fill absent scalars so decoding never
 * meets `undefined`; oneofs names the member that is set.
 */
export const PROTO_LOADER_OPTIONS: protoLoader.Options = {
  keepCase: false,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
};

/** Folders walked up from this file before giving up on finding the package root. */
const PACKAGE_ROOT_SEARCH_DEPTH_MAX = 8;

/** The path of proto/raft.proto, found from the package root (works from src/ and dist/). */
export function raftProtoPath(): string {
  let folder = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < PACKAGE_ROOT_SEARCH_DEPTH_MAX; depth++) {
    const candidate = join(folder, 'proto', 'raft.proto');
    if (existsSync(join(folder, 'package.json')) && existsSync(candidate)) return candidate;
    const parent = dirname(folder);
    if (parent === folder) break;
    folder = parent;
  }
  throw new ChronosError('CONFIG_ERROR', 'cannot find proto/raft.proto above the installed code', {
    details: { from: fileURLToPath(import.meta.url) },
  });
}

let cached: PackageDefinition | null = null;

/** The package definition of proto/raft.proto, loaded once per process. */
export function raftPackageDefinition(): PackageDefinition {
  if (cached === null) cached = protoLoader.loadSync(raftProtoPath(), PROTO_LOADER_OPTIONS);
  return cached;
}

/** A method as the generic client and server code uses it (objects narrowed by codecs). */
export type ProtoMethod = MethodDefinition<object, object>;

/** A service's methods by their proto name (`ExecuteSql`). */
export type ProtoService = Readonly<Record<string, ProtoMethod>>;

/** The fully qualified services of package `raft`. */
export type ServiceName =
  | 'raft.SqlService'
  | 'raft.HealthService'
  | 'raft.SyncService'
  | 'raft.SyncStatusService'
  | 'raft.RaftService';

/** The definition of one service of proto/raft.proto. */
export function protoService(name: ServiceName): ProtoService {
  const definition = raftPackageDefinition()[name];
  if (definition === undefined || 'format' in definition || 'fileDescriptorProtos' in definition) {
    throw new ChronosError('CONFIG_ERROR', `proto/raft.proto does not define service ${name}`);
  }
  return definition as unknown as ProtoService;
}

/** One method of a service; a missing method is a bug in proto/raft.proto. */
export function protoMethod(service: ServiceName, method: string): ProtoMethod {
  const definition = protoService(service)[method];
  if (definition === undefined) {
    throw new ChronosError('CONFIG_ERROR', `proto/raft.proto: ${service} has no method ${method}`);
  }
  return definition;
}
