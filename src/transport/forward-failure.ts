import { status } from '@grpc/grpc-js';
import type { PeerFailure } from './peer-client.js';

/**
 * True when a failed ForwardSql certainly never reached the leader's handler, so the write was
 * not applied and may be retried. A leader that refused the call outright (bad token, unknown
 * method) did not run it either. See `callNeverSent` for what grpc-js says.
 */
export function forwardNeverSent(failure: PeerFailure): boolean {
  if (failure.reason === 'closed' || failure.reason === 'unknown-peer') return true;
  if (failure.grpcStatus === null) return failure.reason === 'rejected';
  return callNeverSent(failure.grpcStatus, failure.message);
}

/**
 * True when a call that failed with gRPC `code` and `details` certainly never ran on the
 * server. grpc-js says so in two ways: a call that found no connection fails with
 * "No connection established" (even when the last error was a reset: the connection never
 * got as far as carrying a call), and a deadline that passed before the call was picked for a
 * connection names "Waiting for LB pick" and no `remote_addr`. A refusal (token, method,
 * argument) did not run it either. Anything else, e.g. UNAVAILABLE "read ECONNRESET" or
 * "Connection dropped" when the server died with the call sent, may have reached it.
 */
export function callNeverSent(code: number, details: string): boolean {
  switch (code) {
    case status.UNAVAILABLE:
      return /No connection established/i.test(details);
    case status.DEADLINE_EXCEEDED:
      return /Waiting for LB pick/i.test(details) && !/remote_addr/i.test(details);
    case status.UNAUTHENTICATED:
    case status.PERMISSION_DENIED:
    case status.UNIMPLEMENTED:
    case status.INVALID_ARGUMENT:
      return true;
    default:
      return false;
  }
}
