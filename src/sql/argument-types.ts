import { ChronosError } from '../lib/index.js';
import type { SqlType } from '../storage/index.js';

/** Refuses a known argument type that is not a number, naming the function; returns it. */
export function numericArgument(name: string, t: SqlType | null): SqlType | null {
  if (t !== null && t !== 'INT' && t !== 'FLOAT') {
    throw new ChronosError('TYPE_MISMATCH', `Type mismatch: ${name}() needs a number, got ${t}`);
  }
  return t;
}
