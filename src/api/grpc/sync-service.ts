import { status } from '@grpc/grpc-js';
import {
  asObject, readArray, readBytes, readInt64Text, readString, toServiceError,
} from '../../transport/index.js';
import type { CallContext, GrpcService } from '../../transport/index.js';
import { callContext } from './call-context.js';
import type { Reply, UnaryCall } from './call-context.js';

/** One operation an edge ships (ids are uint64: bigint keeps them exact). */
export interface SyncOperation {
  readonly id: bigint;
  readonly data: Uint8Array;
}

/** A batch from an edge. */
export interface SyncBatch {
  readonly edgeId: string;
  readonly operations: readonly SyncOperation[];
}

/** Applies a batch from an edge; resolves to how many operations were applied. */
export type SyncHandler = (batch: SyncBatch, context: CallContext) => Promise<number | bigint>;

/** SyncService: UNIMPLEMENTED on a node that is not a sync target. */
export function syncService(handler: SyncHandler | undefined): GrpcService {
  const sync = (call: UnaryCall, callback: Reply): void => {
    if (handler === undefined) {
      callback({ code: status.UNIMPLEMENTED, details: 'sync is not configured on this node' });
      return;
    }
    let batch: SyncBatch;
    let context: CallContext;
    try {
      batch = syncBatchFromProto(call.request);
      context = callContext(call);
    } catch (error) {
      callback(toServiceError(error));
      return;
    }
    handler(batch, context).then(
      (applied) => callback(null, { applied: applied.toString() }),
      (error: unknown) => callback(toServiceError(error)),
    );
  };
  return { name: 'raft.SyncService', implementation: { Sync: sync } };
}

/** A SyncRequest as a batch; throws INVALID_ARGUMENT on a malformed one. */
function syncBatchFromProto(value: unknown): SyncBatch {
  const request = asObject(value, 'SyncRequest');
  const edgeId = readString(request, 'edgeId');
  const operations = readArray(request, 'operations').map((item) => {
    const operation = asObject(item, 'operations[]');
    return { id: BigInt(readInt64Text(operation, 'id')), data: readBytes(operation, 'data') };
  });
  return { edgeId, operations };
}
