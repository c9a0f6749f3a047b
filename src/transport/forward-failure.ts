import { status } from '@grpc/grpc-js';
import type { PeerFailure } from './peer-client.js';

/**
 * True when a failed ForwardSql certainly never reached the leader's handler, so the write was
 * not applied and may be retried. grpc-js says so in two ways: a call that found no connection
 * fails with "No connection established", and a deadline that passed before the call was
 * picked for a connection names "Waiting for LB pick". A leader that refused the call outright
 * (bad token, unknown method) did not run it either. Anything else (reset, dropped, a deadline
 * after sending, cancelled) may have reached the leader: the outcome is unknown.
 */
export function forwardNeverSent(failure: PeerFailure): boolean {
  if (failure.reason === 'closed' || failure.reason === 'unknown-peer') return true;
  if (failure.grpcStatus === null) return failure.reason === 'rejected';
  switch (failure.grpcStatus) {
    case status.UNAVAILABLE:
      return /No connection established/i.test(failure.message);
    case status.DEADLINE_EXCEEDED:
      return /Waiting for LB pick/i.test(failure.message) && !/remote_addr/i.test(failure.message);
    case status.UNAUTHENTICATED:
    case status.PERMISSION_DENIED:
    case status.UNIMPLEMENTED:
    case status.INVALID_ARGUMENT:
      return true;
    default:
      return false;
  }
}
