import { Metadata, status } from '@grpc/grpc-js';
import type { ServiceError, StatusObject } from '@grpc/grpc-js';
import { ChronosError, errorMessage } from '../lib/index.js';
import type { ErrorCode } from '../lib/index.js';
import { bearerToken } from '../auth/index.js';
import { isErrorCode } from './sql-codec.js';
import { markRefusal } from './cluster-header.js';
import { callNeverSent } from './forward-failure.js';
import { tlsMismatch } from './tls-mismatch.js';

/** Metadata key on a failed write: `not-applied` (safe to retry) or `unknown`. */
export const WRITE_OUTCOME_KEY = 'x-chronos-write-outcome';

/** The gRPC status a ChronosError code is answered with when it fails a whole RPC. */
export function grpcStatusFor(code: ErrorCode): status {
  switch (code) {
    case 'UNAUTHENTICATED':
      return status.UNAUTHENTICATED;
    case 'PERMISSION_DENIED':
      return status.PERMISSION_DENIED;
    case 'TIMEOUT':
      return status.DEADLINE_EXCEEDED;
    case 'NOT_LEADER':
    case 'CLUSTER_MISMATCH':
    case 'SCHEMA_MISMATCH':
      return status.FAILED_PRECONDITION;
    case 'UNAVAILABLE':
    case 'NO_QUORUM':
    case 'SHUTTING_DOWN':
    case 'NOT_APPLIED':
      // gRPC's own meaning of UNAVAILABLE: transient, safe to retry.
      return status.UNAVAILABLE;
    case 'OUTCOME_UNKNOWN':
      return status.UNKNOWN;
    case 'CANCELLED':
      return status.CANCELLED;
    case 'LIMIT_EXCEEDED':
      return status.RESOURCE_EXHAUSTED;
    case 'UNSUPPORTED':
      return status.UNIMPLEMENTED;
    case 'RESOURCE_EXHAUSTED':
      return status.RESOURCE_EXHAUSTED;
    case 'CORRUPTION':
    case 'IO_ERROR':
      return status.INTERNAL;
    default:
      return status.INVALID_ARGUMENT;
  }
}

/** A thrown value as the status object a server callback answers with. */
export function toServiceError(error: unknown): Partial<StatusObject> {
  const metadata = new Metadata();
  if (error instanceof ChronosError) {
    metadata.set('x-chronos-error-code', error.code);
    if (error.code === 'NOT_APPLIED') metadata.set(WRITE_OUTCOME_KEY, 'not-applied');
    if (error.code === 'OUTCOME_UNKNOWN') metadata.set(WRITE_OUTCOME_KEY, 'unknown');
    markRefusal(metadata, error);
    return { code: grpcStatusFor(error.code), details: error.message, metadata };
  }
  return { code: status.INTERNAL, details: errorMessage(error), metadata };
}

/**
 * A failed call as a ChronosError a user can read (`address` names the server dialled,
 * `dialledTls` whether the channel spoke TLS, which decides what a silent server means).
 */
export function fromServiceError(error: ServiceError, address: string, dialledTls: boolean): ChronosError {
  const coded = error.metadata?.get('x-chronos-error-code')[0];
  const text = error.details === '' ? status[error.code] : error.details;
  // Whether the call certainly never ran there, and whether our server answered it (it then
  // says what became of a write itself): a caller that knows it sent a write needs both.
  const details = {
    address, grpcStatus: error.code, neverSent: callNeverSent(error.code, text),
    serverAnswered: typeof coded === 'string',
  };
  if (coded === 'NOT_APPLIED' || coded === 'OUTCOME_UNKNOWN') {
    // The server answered and says what became of the write; keep its words.
    return new ChronosError(coded, `${address}: ${text}`, { details, cause: error });
  }
  switch (error.code) {
    case status.UNAUTHENTICATED:
      return new ChronosError('UNAUTHENTICATED', text, { details, cause: error });
    case status.PERMISSION_DENIED:
      return new ChronosError('PERMISSION_DENIED', text, { details, cause: error });
    case status.DEADLINE_EXCEEDED:
      return new ChronosError('TIMEOUT', `${address}: no answer before the deadline`, {
        details,
        cause: error,
      });
    case status.UNAVAILABLE: {
      const mismatch = tlsMismatch(text, dialledTls);
      const reason = mismatch?.reason ?? connectionReason(text);
      // `tlsMismatch` is true only when the text proves it: no retry can fix that.
      return new ChronosError('UNAVAILABLE', `cannot reach ${address}: ${reason}`, {
        details: { ...details, tlsMismatch: mismatch?.certain === true },
        cause: error,
      });
    }
    default:
      return new ChronosError(
        typeof coded === 'string' && isErrorCode(coded) ? coded : 'UNAVAILABLE',
        `${address}: ${text}`,
        { details, cause: error },
      );
  }
}

/** The bare token of an `authorization: Bearer <token>` metadata value, or null. */
export function bearerFromMetadata(metadata: Metadata): string | null {
  const value = metadata.get('authorization')[0];
  return typeof value === 'string' ? bearerToken(value) : null;
}

/** Metadata carrying `authorization: Bearer <token>` (empty without a token). */
export function bearerMetadata(token: string | null): Metadata {
  const metadata = new Metadata();
  if (token !== null) metadata.set('authorization', `Bearer ${token}`);
  return metadata;
}

/**
 * grpc-js explains a failed connection at length ("No connection established. Last error:
 * Error: connect ECONNREFUSED 1.2.3.4:5. Resolution note: "); an operator needs the cause.
 */
export function connectionReason(details: string): string {
  const errno = /\b(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN)\b/.exec(details)?.[1];
  const words: Readonly<Record<string, string>> = {
    ECONNREFUSED: 'connection refused (is the node running, and is this its gRPC port?)',
    ECONNRESET: 'connection reset',
    ETIMEDOUT: 'connection timed out',
    EHOSTUNREACH: 'host unreachable',
    ENETUNREACH: 'network unreachable',
    ENOTFOUND: 'host name not found',
    EAI_AGAIN: 'host name lookup failed',
  };
  if (errno !== undefined) return words[errno] ?? errno;
  // Something answered, but not HTTP/2: most often the admin HTTP port (gRPC port + 1000).
  if (/Protocol error/.test(details)) {
    return 'it does not speak gRPC (is this the admin HTTP port? gRPC is the --address port, admin HTTP that port + 1000)';
  }
  return details.replace(/\s*Resolution note:\s*$/, '').trim();
}
