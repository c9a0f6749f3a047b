import type { SyncStatus } from '../../node/index.js';
import { toServiceError } from '../../transport/index.js';
import type { CallContext, GrpcService } from '../../transport/index.js';
import type { TokenAuth } from '../../auth/index.js';
import { callContext, refusedStatusCall } from './call-context.js';
import type { Reply, UnaryCall } from './call-context.js';

/** Answers GetSyncStatus. */
export type SyncStatusHandler = (context: CallContext) => Promise<SyncStatus>;

/** A count as uint64 text: protobufjs parses decimal strings exactly; fractions are dropped. */
function uint64Text(value: number): string {
  return Number.isFinite(value) && value > 0 ? Math.trunc(value).toFixed(0) : '0';
}

/** What a node without a sync worker says in `last_error`, so its zeros do not read as a worker at rest. */
export const NO_SYNC_WORKER = 'sync is not configured on this node (it was started without --sync-target)';

/** SyncStatusService: on a node without a sync worker, zeros and NO_SYNC_WORKER. */
export function syncStatusService(handler: SyncStatusHandler | undefined, auth?: TokenAuth): GrpcService {
  const getSyncStatus = (call: UnaryCall, callback: Reply): void => {
    const refusal = refusedStatusCall(call, auth);
    if (refusal !== null) {
      callback(toServiceError(refusal));
      return;
    }
    if (handler === undefined) {
      callback(null, { lastSyncTsMs: '0', lastSyncApplied: '0', pendingOps: '0', lastError: NO_SYNC_WORKER });
      return;
    }
    let context: CallContext;
    try {
      context = callContext(call);
    } catch (error) {
      callback(toServiceError(error));
      return;
    }
    handler(context).then(
      (report) =>
        callback(null, {
          lastSyncTsMs: uint64Text(report.lastSyncTsMs),
          lastSyncApplied: uint64Text(report.lastSyncApplied),
          pendingOps: uint64Text(report.pendingOps),
          lastError: report.lastError,
        }),
      (error: unknown) => callback(toServiceError(error)),
    );
  };
  return { name: 'raft.SyncStatusService', implementation: { GetSyncStatus: getSyncStatus } };
}
