export { TokenAuth } from './token-auth.js';
export type { AccessLevel, AuthDecision } from './token-auth.js';
export { tokenConfigFromEnv } from './token-config.js';
export type { TokenConfig } from './token-config.js';
export { bearerToken } from './bearer.js';
