import { errorMessage, isChronosError } from '../lib/index.js';

/** A failed Sync as the edge reports it: a cause (a metric label) and the operator's text. */
export interface SyncFailure {
  readonly cause: 'auth' | 'schema' | 'unreachable' | 'other';
  readonly text: string;
}

/**
 * Why one schema mismatch holds up every table: the target keeps one cursor per edge and the
 * edge drops ops only up to the highest id the target holds, so ops are applied strictly in id
 * order; one write's ops may span tables, and DDL orders the rows around it. Letting other
 * tables pass would need a cursor per table and split writes, so the edge waits and says so.
 */
const HOLDS_UP_THE_REST = 'ops apply in order, so none after it is sent until the target is fixed; ' +
  'the edge retries by itself';

/** Names the cause of a failed Sync the way an operator acts on it; `pendingOps` is the outbox depth. */
export function describeSyncFailure(error: unknown, address: string, pendingOps: number | null): SyncFailure {
  const text = errorMessage(error);
  if (isChronosError(error, 'UNAUTHENTICATED') || isChronosError(error, 'PERMISSION_DENIED')) {
    return { cause: 'auth', text: `auth refused by ${address}: ${text} (set CHRONOS_AUTH_TOKEN_ADMIN to the target's admin token)` };
  }
  if (isChronosError(error, 'SCHEMA_MISMATCH')) {
    // The client prefixes the address and the target says "schema mismatch" itself: say each once.
    const reason = text.replace(`${address}: `, '').replace(/^schema mismatch at /, '');
    const queued = pendingOps === null ? '' : `${pendingOps} queued ops of this edge wait behind it: `;
    return { cause: 'schema', text: `schema mismatch at ${address}: ${reason}; ${queued}${HOLDS_UP_THE_REST}` };
  }
  if (isChronosError(error, 'UNAVAILABLE') || isChronosError(error, 'TIMEOUT') || isChronosError(error, 'NOT_APPLIED')) {
    return { cause: 'unreachable', text: `unreachable: ${text}` };
  }
  return { cause: 'other', text: `sync to ${address} failed: ${text}` };
}
