import type { Logger } from '../lib/index.js';

/**
 * Variables the guide documents that this implementation reads but does not act on, each
 * with the reason an operator is told. Said at start so a setting never passes for working.
 */
const IGNORED_ENV: ReadonlyMap<string, string> = new Map([
  ['CHRONOS_CHIMP_ENABLE',
    'Chimp compression is not implemented; FLOAT columns are always compressed (XOR with the ' +
    'previous value, or scaled decimals), see src/storage/DESIGN.md'],
]);

/** Logs one warning per ignored variable that is set (any value, `0` included). */
export function warnIgnoredEnv(env: NodeJS.ProcessEnv, logger: Logger): void {
  for (const [name, reason] of IGNORED_ENV) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    logger.warn(`${name}=${value} is ignored: ${reason}`);
  }
}
