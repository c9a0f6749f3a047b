import type { ServerUnaryCall, sendUnaryData } from '@grpc/grpc-js';
import type { TokenAuth } from '../../auth/index.js';
import { ChronosError } from '../../lib/index.js';
import { bearerFromMetadata } from '../../transport/index.js';
import type { CallContext } from '../../transport/index.js';

/** A unary call as the client services receive it (requests narrowed by proto-read). */
export type UnaryCall = ServerUnaryCall<object, object>;

/** The callback a unary call is answered through. */
export type Reply = sendUnaryData<object>;

/** The caller as the handlers see it: token, verified certificate CN, remote address. */
export function callContext(call: UnaryCall): CallContext {
  const certificate = call.getAuthContext().sslPeerCertificate;
  const commonName = certificate?.subject?.CN;
  // An operator-supplied name (x-chronos-user) is recorded in the audit log; a verified
  // certificate's CN is the fallback.
  const declared = call.metadata.get('x-chronos-user')[0];
  const declaredUser = typeof declared === 'string' && declared.trim() !== '' ? declared.trim().slice(0, 128) : null;
  return {
    token: bearerFromMetadata(call.metadata),
    user: declaredUser ?? (typeof commonName === 'string' && commonName !== '' ? commonName : null),
    peer: call.getPeer(),
  };
}

/**
 * The call's context with a `signal` aborted when the call ends without our answer: grpc-js
 * emits 'cancelled' when the client cancels, its connection goes, or the call's deadline
 * passes, so the statement can stop. The AbortController is made when a statement first asks
 * for the signal (reads do, writes don't): ~25 µs a call that most calls never use.
 */
export function withCallSignal(call: UnaryCall, context: CallContext): CallContext {
  let controller: AbortController | null = null;
  let ended = false;
  // A given reason: abort() without one builds a DOMException with its stack, ~12 µs, and
  // grpc-js emits 'cancelled' as most calls end.
  call.once('cancelled', () => {
    ended = true;
    controller?.abort(CALL_ENDED);
  });
  return {
    ...context,
    get signal(): AbortSignal {
      if (controller === null) {
        controller = new AbortController();
        if (ended) controller.abort(CALL_ENDED);
      }
      return controller.signal;
    },
  };
}

/** Why a call's signal aborted. */
const CALL_ENDED = new Error('the gRPC call ended: cancelled, deadline passed or client gone');

/**
 * UNAUTHENTICATED for a call without a valid token while tokens are on, else null: the status
 * services tell about the node (its sync target's errors, its backlog) only to holders of the
 * admin or read-only token, as the admin HTTP does.
 */
export function refusedStatusCall(call: UnaryCall, auth: TokenAuth | undefined): ChronosError | null {
  if (auth === undefined) return null;
  const decision = auth.checkToken(bearerFromMetadata(call.metadata));
  if (decision.ok) return decision.level === 'ingest' ? ingestOnly() : null;
  return new ChronosError('UNAUTHENTICATED', `${decision.reason} bearer token (send the metadata ` +
    '`authorization: Bearer <token>`, the value of CHRONOS_AUTH_TOKEN_ADMIN or CHRONOS_AUTH_TOKEN_READONLY)');
}

function ingestOnly(): ChronosError {
  return new ChronosError('PERMISSION_DENIED', 'the ingest token only allows /ingest and /write');
}
