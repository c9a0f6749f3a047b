import { createHash, timingSafeEqual } from 'node:crypto';
import { bearerToken } from './bearer.js';
import type { TokenConfig } from './token-config.js';

/** What a presented credential grants. */
export type AccessLevel = 'admin' | 'readonly' | 'ingest';

/** The outcome of checking a request's credentials. */
export type AuthDecision =
  | { readonly ok: true; readonly level: AccessLevel | 'open' }
  | { readonly ok: false; readonly reason: 'missing' | 'invalid' };

/**
 * The node's one token check, in constant time (digests first, so length does not leak
 * either): admin HTTP, the client gRPC services and the Raft server all ask it.
 */
export class TokenAuth {
  readonly #digests: ReadonlyArray<readonly [AccessLevel, Buffer]>;
  readonly enabled: boolean;
  /** `/ingest` is open (as the guide's devices send no token) unless an ingest token is set. */
  readonly ingestGuarded: boolean;
  /** Peers must present the admin token once one is set (it is what they send each other). */
  readonly peersGuarded: boolean;

  constructor(config: TokenConfig) {
    const digests: Array<readonly [AccessLevel, Buffer]> = [];
    if (config.admin !== null) digests.push(['admin', digest(config.admin)]);
    if (config.readonly !== null) digests.push(['readonly', digest(config.readonly)]);
    if (config.ingest !== null) digests.push(['ingest', digest(config.ingest)]);
    this.#digests = digests;
    this.enabled = config.admin !== null || config.readonly !== null;
    this.ingestGuarded = config.ingest !== null;
    this.peersGuarded = config.admin !== null;
  }

  /** Checks a request to the ingest endpoints: open, or the ingest or admin token once set. */
  checkIngest(authorization: string | null | undefined): AuthDecision {
    return this.ingestGuarded ? this.#match(bearerToken(authorization)) : { ok: true, level: 'open' };
  }

  /** Checks an `authorization` header value (`Bearer <token>`). */
  check(authorization: string | null | undefined): AuthDecision {
    return this.checkToken(bearerToken(authorization));
  }

  /** Checks a bare token already taken from its `Bearer` header (null = none was sent). */
  checkToken(token: string | null): AuthDecision {
    return this.enabled ? this.#match(token) : { ok: true, level: 'open' };
  }

  /**
   * Checks a peer's token (a Raft RPC): open without an admin token, else only the admin token
   * passes; any other token, even a valid client one, counts as invalid.
   */
  checkPeer(token: string | null): AuthDecision {
    if (!this.peersGuarded) return { ok: true, level: 'open' };
    const decision = this.#match(token);
    return !decision.ok || decision.level === 'admin' ? decision : { ok: false, reason: 'invalid' };
  }

  #match(token: string | null): AuthDecision {
    if (token === null) return { ok: false, reason: 'missing' };
    const presented = digest(token);
    let granted: AccessLevel | null = null;
    // Compare against every configured token so timing does not reveal which one matched.
    for (const [level, expected] of this.#digests) {
      if (timingSafeEqual(presented, expected) && granted === null) granted = level;
    }
    return granted === null ? { ok: false, reason: 'invalid' } : { ok: true, level: granted };
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}
