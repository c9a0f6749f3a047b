import { UsageError } from './usage-error.js';

/**
 * Tunables read from the environment. A value that is set but malformed stops the process
 * at start with one line naming the variable, the value and what it accepts: a node that
 * silently ran on the default would hide the operator's typo until it mattered.
 */

/** A whole number >= `min` from `name` (unset or empty: `fallback`). */
export function envNumber(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new UsageError(`${name} must be an integer >= ${min}, got '${raw}'`);
  }
  return value;
}

/** A 0/1 switch from `name` (unset or empty: `fallback`). */
export function envSwitch(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw !== '0' && raw !== '1') throw new UsageError(`${name} must be 0 or 1, got '${raw}'`);
  return raw === '1';
}

/** A switch from `name` spelled 1/true or 0/false, any case (unset or empty: `fallback`). */
export function envBoolean(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = raw.toLowerCase();
  if (value === '1' || value === 'true') return true;
  if (value === '0' || value === 'false') return false;
  throw new UsageError(`${name} must be 1, true, 0 or false, got '${raw}'`);
}

/** One of `choices` from `name`, case-insensitive (unset or empty: null). */
export function envChoice<T extends string>(
  env: NodeJS.ProcessEnv, name: string, choices: readonly T[],
): T | null {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return null;
  const wanted = raw.trim().toLowerCase();
  const found = choices.find((choice) => choice === wanted);
  if (found === undefined) {
    throw new UsageError(`${name} must be one of ${choices.join(', ')}, got '${raw}'`);
  }
  return found;
}
