import { ChronosError, errorMessage, isChronosError } from '../lib/index.js';

/** A write refused before it could take effect: nothing was proposed, a retry is safe. */
export function notApplied(why: string, cause?: unknown): ChronosError {
  return new ChronosError('NOT_APPLIED', `not applied, safe to retry: ${why}`, {
    cause,
    details: causeDetails(cause),
  });
}

/** A write that may be in the log: it may or may not be applied, a blind retry may apply it twice. */
export function outcomeUnknown(why: string, cause?: unknown): ChronosError {
  return new ChronosError(
    'OUTCOME_UNKNOWN',
    `outcome unknown, the write may or may not have been applied (check before retrying): ${why}`,
    { cause, details: causeDetails(cause) },
  );
}

/** True when `error` already says whether its write was applied (e.g. it came from the leader). */
export function tellsWriteOutcome(error: unknown): boolean {
  return isChronosError(error, 'NOT_APPLIED') || isChronosError(error, 'OUTCOME_UNKNOWN');
}

/**
 * An error met before anything was proposed, as a NOT_APPLIED answer; SQL errors (the
 * statement's own result) and errors that already tell the outcome pass through unchanged.
 */
export function beforeProposing(error: unknown): unknown {
  if (tellsWriteOutcome(error)) return error;
  if (!isAvailabilityError(error)) return error;
  return notApplied(errorMessage(error), error);
}

/** An error met after proposing, as an OUTCOME_UNKNOWN answer unless it already tells. */
export function afterProposing(error: unknown): unknown {
  if (tellsWriteOutcome(error)) return error;
  if (!isAvailabilityError(error)) return error;
  return outcomeUnknown(errorMessage(error), error);
}

/** Errors about the cluster (leadership, quorum, shutdown, time), not about the statement. */
function isAvailabilityError(error: unknown): boolean {
  if (!(error instanceof ChronosError)) return false;
  switch (error.code) {
    case 'NOT_LEADER':
    case 'NO_QUORUM':
    case 'TIMEOUT':
    case 'UNAVAILABLE':
    case 'SHUTTING_DOWN':
    case 'IO_ERROR':
    case 'CORRUPTION':
      return true;
    default:
      return false;
  }
}

function causeDetails(cause: unknown): Readonly<Record<string, string>> {
  return cause instanceof ChronosError ? { cause: cause.code } : {};
}
