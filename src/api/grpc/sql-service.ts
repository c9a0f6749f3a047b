import { ChronosError } from '../../lib/index.js';
import type { StatementResult } from '../../sql/index.js';
import {
  asObject, errorToSqlResponse, readString, sqlResponseBytes, toServiceError,
} from '../../transport/index.js';
import type { CallContext, GrpcService } from '../../transport/index.js';
import { callContext, withCallSignal } from './call-context.js';
import type { Reply, UnaryCall } from './call-context.js';

/** Runs one SQL statement for a client; throws ChronosError on failure. */
export type SqlHandler = (sql: string, context: CallContext) => Promise<StatementResult>;

/** SqlService over a handler: results and SQL errors in SqlResponse, auth errors as statuses. */
export function sqlService(handler: SqlHandler): GrpcService {
  const executeSql = (call: UnaryCall, callback: Reply): void => {
    let sql: string;
    let context: CallContext;
    try {
      sql = readString(asObject(call.request, 'SqlRequest'), 'sql');
      context = withCallSignal(call, callContext(call));
    } catch (error) {
      callback(toServiceError(error));
      return;
    }
    handler(sql, context)
      .then(sqlResponseBytes)
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
  return { name: 'raft.SqlService', implementation: { ExecuteSql: executeSql } };
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
