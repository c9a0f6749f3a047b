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
