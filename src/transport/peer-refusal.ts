import { status } from '@grpc/grpc-js';
import type { PeerFailure } from './peer-client.js';

/** True when the peer refused the call for its bearer token (the nodes' tokens differ). */
export function refusedOurToken(failure: Pick<PeerFailure, 'grpcStatus'>): boolean {
  return failure.grpcStatus === status.UNAUTHENTICATED;
}
