import { isChronosError } from '../lib/index.js';
import { isRemovedAnswer } from '../node/index.js';

/**
 * True when retrying a failed statement cannot help, so the client reports it at once instead
 * of after its backoff: a TLS mismatch (the settings, not the moment, are wrong) or a node
 * answering that it was removed from the cluster (it stays removed until an operator acts).
 * A refused connection, a node with no leader yet, or a silence no probe could explain may
 * pass, and are retried.
 */
export function isFinalFailure(error: unknown): boolean {
  if (!isChronosError(error)) return false;
  return error.details['tlsMismatch'] === true || isRemovedAnswer(error.message);
}
