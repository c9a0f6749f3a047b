import { status } from '@grpc/grpc-js';
import type { ServiceError } from '@grpc/grpc-js';
import { ChronosError } from '../lib/index.js';
import type { TlsMaterial } from './credentials.js';
import { fromServiceError } from './grpc-status.js';
import { closedUnanswered, confirmedSilenceReason } from './tls-mismatch.js';
import { probeTlsMismatch } from './tls-probe.js';

/**
 * A failed call as `fromServiceError` reads it, with a silent close settled by a TLS probe
 * (tls-probe.ts): when the probe shows the silence was a TLS mismatch, the error says so for
 * certain (`details.tlsMismatch`), so a client stops retrying what no retry can fix.
 */
export async function fromFailedCall(
  error: ServiceError, address: string, tls: TlsMaterial | null,
): Promise<ChronosError> {
  const failure = fromServiceError(error, address, tls !== null);
  if (error.code !== status.UNAVAILABLE || !closedUnanswered(error.details)) return failure;
  if (!(await probeTlsMismatch(address, tls))) return failure;
  return new ChronosError('UNAVAILABLE', `cannot reach ${address}: ${confirmedSilenceReason(tls !== null)}`, {
    details: { ...failure.details, tlsMismatch: true },
    cause: error,
  });
}
