import { createHash, timingSafeEqual } from 'node:crypto';

/** What a presented credential grants. */
export type AccessLevel = 'admin' | 'readonly' | 'ingest';

/** The outcome of checking a request's credentials. */
export type AuthDecision =
  | { readonly ok: true; readonly level: AccessLevel | 'open' }
  | { readonly ok: false; readonly reason: 'missing' | 'invalid' };

/** Tokens configured on a node (CHRONOS_AUTH_TOKEN_*); all null = auth is off. */
export interface TokenConfig {
  readonly admin: string | null;
  readonly readonly: string | null;
  readonly ingest: string | null;
}

/** Reads the token configuration from the environment. Empty values count as unset. */
export function tokenConfigFromEnv(env: NodeJS.ProcessEnv): TokenConfig {
  const read = (name: string): string | null => {
    const value = env[name];
    return value === undefined || value === '' ? null : value;
  };
  return {
    admin: read('CHRONOS_AUTH_TOKEN_ADMIN'),
    readonly: read('CHRONOS_AUTH_TOKEN_READONLY'),
    ingest: read('CHRONOS_AUTH_TOKEN_INGEST'),
  };
}

/** Bearer-token checks in constant time (digests first, so length does not leak either). */
export class TokenAuth {
  readonly #digests: ReadonlyArray<readonly [AccessLevel, Buffer]>;
  readonly enabled: boolean;
  /** `/ingest` is open (as the guide's devices send no token) unless an ingest token is set. */
  readonly ingestGuarded: boolean;

  constructor(config: TokenConfig) {
    const digests: Array<readonly [AccessLevel, Buffer]> = [];
    if (config.admin !== null) digests.push(['admin', digest(config.admin)]);
    if (config.readonly !== null) digests.push(['readonly', digest(config.readonly)]);
    if (config.ingest !== null) digests.push(['ingest', digest(config.ingest)]);
    this.#digests = digests;
    this.enabled = config.admin !== null || config.readonly !== null;
    this.ingestGuarded = config.ingest !== null;
  }

  /** Checks a request to the ingest endpoints: open, or the ingest or admin token once set. */
  checkIngest(authorization: string | null | undefined): AuthDecision {
    return this.ingestGuarded ? this.#match(authorization) : { ok: true, level: 'open' };
  }

  /** Checks an `authorization` header value (`Bearer <token>`). */
  check(authorization: string | null | undefined): AuthDecision {
    return this.enabled ? this.#match(authorization) : { ok: true, level: 'open' };
  }

  #match(authorization: string | null | undefined): AuthDecision {
    const token = bearerToken(authorization);
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

/** The token of an `authorization: Bearer <token>` value, or null. */
export function bearerToken(authorization: string | null | undefined): string | null {
  if (authorization === null || authorization === undefined) return null;
  const match = /^\s*Bearer\s+(\S+)\s*$/i.exec(authorization);
  return match?.[1] ?? null;
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}
