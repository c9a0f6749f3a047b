import { status } from '@grpc/grpc-js';
import type {
  ServerUnaryCall,
  UntypedServiceImplementation,
  sendUnaryData,
} from '@grpc/grpc-js';
import { ChronosError } from '../lib/errors.js';
import type {
  CallContext,
  HealthHandler,
  SqlHandler,
  SyncHandler,
  SyncOperation,
  SyncStatusHandler,
} from './handlers.js';
import { bearerFromMetadata, toServiceError } from './grpc-status.js';
import { asObject, readArray, readBytes, readInt64Text, readString } from './proto-read.js';
import { errorToSqlResponse, resultToSqlResponse } from './sql-codec.js';

type UnaryCall = ServerUnaryCall<object, object>;
type Reply = sendUnaryData<object>;

/** The caller as the handlers see it: token, verified certificate CN, remote address. */
export function callContext(call: UnaryCall): CallContext {
  const certificate = call.getAuthContext().sslPeerCertificate;
  const commonName = certificate?.subject?.CN;
  // An operator-supplied name (x-chronos-user) is recorded in the audit log; a verified
  // certificate's CN is the fallback.
  const declared = call.metadata.get('x-chronos-user')[0];
  const declaredUser = typeof declared === 'string' && declared.trim() !== '' ? declared.trim().slice(0, 128) : null;
  return {
    token: bearerFromMetadata(call.metadata),
    user: declaredUser ?? (typeof commonName === 'string' && commonName !== '' ? commonName : null),
    peer: call.getPeer(),
  };
}

/**
 * Aborted when the call ends without our answer: grpc-js emits 'cancelled' when the client
 * cancels, its connection goes, or the call's deadline passes, so the statement can stop.
 */
function callSignal(call: UnaryCall): AbortSignal {
  const controller = new AbortController();
  call.once('cancelled', () => controller.abort());
  return controller.signal;
}

/** SqlService over a handler: results and SQL errors in SqlResponse, auth errors as statuses. */
export function sqlServiceImplementation(handler: SqlHandler): UntypedServiceImplementation {
  const executeSql = (call: UnaryCall, callback: Reply): void => {
    let sql: string;
    let context: CallContext;
    try {
      sql = readString(asObject(call.request, 'SqlRequest'), 'sql');
      context = { ...callContext(call), signal: callSignal(call) };
    } catch (error) {
      callback(toServiceError(error));
      return;
    }
    handler(sql, context)
      .then(resultToSqlResponse)
      .then(
        (response) => callback(null, response),
        (error: unknown) => {
          // Auth failures and a write's availability failures are call failures (the status
          // says whether a retry is safe); SQL errors are answers.
          if (isCallFailure(error)) callback(toServiceError(error));
          else callback(null, errorToSqlResponse(error));
        },
      );
  };
  return { ExecuteSql: executeSql };
}

function isCallFailure(error: unknown): boolean {
  if (!(error instanceof ChronosError)) return false;
  switch (error.code) {
    case 'UNAUTHENTICATED':
    case 'PERMISSION_DENIED':
    case 'NOT_APPLIED':
    case 'OUTCOME_UNKNOWN':
      return true;
    default:
      return false;
  }
}

/** HealthService: the handler's state, or "Connected" on a node without a sync target. */
export function healthServiceImplementation(
  handler: HealthHandler | undefined,
): UntypedServiceImplementation {
  const getConnectivity = (_call: UnaryCall, callback: Reply): void => {
    if (handler === undefined) {
      callback(null, { state: 'Connected' });
      return;
    }
    handler().then(
      (state) => callback(null, { state }),
      (error: unknown) => callback(toServiceError(error)),
    );
  };
  return { GetConnectivity: getConnectivity };
}

/** SyncService: UNIMPLEMENTED on a node that is not a sync target. */
export function syncServiceImplementation(
  handler: SyncHandler | undefined,
): UntypedServiceImplementation {
  const sync = (call: UnaryCall, callback: Reply): void => {
    if (handler === undefined) {
      callback({ code: status.UNIMPLEMENTED, details: 'sync is not configured on this node' });
      return;
    }
    let edgeId: string;
    let operations: SyncOperation[];
    let context: CallContext;
    try {
      const request = asObject(call.request, 'SyncRequest');
      edgeId = readString(request, 'edgeId');
      operations = readArray(request, 'operations').map((value) => {
        const operation = asObject(value, 'operations[]');
        return {
          id: BigInt(readInt64Text(operation, 'id')),
          data: readBytes(operation, 'data'),
        };
      });
      context = callContext(call);
    } catch (error) {
      callback(toServiceError(error));
      return;
    }
    handler({ edgeId, operations }, context).then(
      (applied) => callback(null, { applied: applied.toString() }),
      (error: unknown) => callback(toServiceError(error)),
    );
  };
  return { Sync: sync };
}

/** A count as uint64 text: protobufjs parses decimal strings exactly; fractions are dropped. */
function uint64Text(value: number): string {
  return Number.isFinite(value) && value > 0 ? Math.trunc(value).toFixed(0) : '0';
}

/** SyncStatusService: zeros on a node without a sync worker. */
export function syncStatusServiceImplementation(
  handler: SyncStatusHandler | undefined,
): UntypedServiceImplementation {
  const getSyncStatus = (call: UnaryCall, callback: Reply): void => {
    if (handler === undefined) {
      callback(null, { lastSyncTsMs: '0', lastSyncApplied: '0', pendingOps: '0', lastError: '' });
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
  return { GetSyncStatus: getSyncStatus };
}
