import { ChronosError, isChronosError } from '../lib/index.js';

/** Where `chronos client` reads its bearer token (docs/security.md, "Clients:"). */
export const CLIENT_TOKEN_VARIABLES = 'CHRONOS_AUTH_TOKEN';
/** Where `chronos admin` reads its bearer token: the first, else the second. */
export const ADMIN_TOKEN_VARIABLES = 'CHRONOS_AUTH_TOKEN or CHRONOS_AUTH_TOKEN_ADMIN';

/** The trailing "(send Authorization: Bearer <token>, the value of ...)" of a node's 401. */
const SERVER_HINT = / \(send [^()]*\)$/;

/**
 * A node's token refusal with the variable the user sets appended: the node only knows the
 * header was missing or wrong, the command knows where its token comes from. Other text is
 * returned unchanged.
 */
export function withTokenHint(message: string, variables: string): string {
  // The node's own hint is for callers that build the header themselves (curl, grpcurl).
  const refusal = message.replace(SERVER_HINT, '');
  if (/missing bearer token/i.test(refusal)) return `${refusal} (set ${variables})`;
  if (/invalid bearer token/i.test(refusal)) {
    return `${refusal} (${variables} holds no token this node accepts)`;
  }
  return message;
}


/** An UNAUTHENTICATED ChronosError with `withTokenHint` applied; anything else unchanged. */
export function tokenRefusal(error: unknown, variables: string): unknown {
  if (!isChronosError(error, 'UNAUTHENTICATED')) return error;
  const message = withTokenHint(error.message, variables);
  if (message === error.message) return error;
  return new ChronosError('UNAUTHENTICATED', message, { cause: error, details: error.details });
}
