import { errorMessage, isChronosError } from '../lib/index.js';
import { MAX_CLOCK_DRIFT_MS } from '../sync/index.js';

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

/** The target's refusal of an op stamped too far ahead of its clock: the stamp and by how much. */
const STAMP_AHEAD = /op (\d+) is stamped (\d+)\.\d+@\S+, (\d+) ms ahead of the target's clock/;

/**
 * A refused future stamp when this edge's clock has since been fixed: the target still says
 * "fix the edge's clock", but the op was stamped while it ran ahead, and stamps never go back,
 * so it and every op after it wait for the wall clock to pass it. Null when the clock is still ahead.
 */
function stampedWhileAhead(text: string, address: string, nowMs: number): string | null {
  const match = STAMP_AHEAD.exec(text);
  if (match === null) return null;
  const [op, stampMs, aheadMs] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const targetNowMs = stampMs - aheadMs;
  if (nowMs - targetNowMs > MAX_CLOCK_DRIFT_MS) return null;
  const waitMin = Math.ceil((stampMs - MAX_CLOCK_DRIFT_MS - targetNowMs) / 60_000);
  return `sync to ${address} refused op ${op}: it was stamped ${new Date(stampMs).toISOString()}, while this ` +
    `edge's clock ran ahead; the clock agrees with the target's now, but stamps never go back, so this op and ` +
    `every later one wait until the target's clock is within 60 s of that stamp (about ${waitMin} min); the ` +
    'edge retries by itself';
}

/**
 * Names the cause of a failed Sync the way an operator acts on it; `pendingOps` is the outbox
 * depth, `nowMs` the edge's clock.
 */
export function describeSyncFailure(error: unknown, address: string, pendingOps: number | null, nowMs: number): SyncFailure {
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
  return { cause: 'other', text: stampedWhileAhead(text, address, nowMs) ?? `sync to ${address} failed: ${text}` };
}
