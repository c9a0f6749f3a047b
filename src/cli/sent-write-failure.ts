import { isChronosError } from '../lib/index.js';
import { outcomeUnknown } from '../node/index.js';

/**
 * A write's transport failure as the user must read it (SPEC §3): once the call may have
 * reached the server (the node died or the connection broke with the statement sent, or the
 * deadline passed after sending), the write may have been applied, so "cannot reach" would
 * invite a blind retry. Failures that certainly never left (`details.neverSent`, e.g.
 * connection refused) and our server's own answers (which tell the outcome of a write
 * themselves) pass through unchanged.
 */
export function sentWriteFailure(error: unknown): unknown {
  if (!isChronosError(error)) return error;
  if (error.code !== 'UNAVAILABLE' && error.code !== 'TIMEOUT') return error;
  if (error.details['neverSent'] !== false || error.details['serverAnswered'] === true) return error;
  const address = String(error.details['address'] ?? 'the server');
  const why = error.code === 'TIMEOUT'
    ? `no answer from ${address} before the client's deadline`
    : `the connection to ${address} broke after the statement was sent (${reasonOf(error.message)})`;
  return outcomeUnknown(why, error);
}

/** The cause after "cannot reach ADDRESS: ", which names an address this message already names. */
function reasonOf(message: string): string {
  return message.replace(/^cannot reach [^ ]+: /, '');
}
