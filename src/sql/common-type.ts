import { ChronosError } from '../lib/index.js';
import type { SqlType } from '../storage/index.js';

/** The one type several branches share (INT with FLOAT is FLOAT); anything else mixed is refused. */
export function commonType(what: string, types: readonly (SqlType | null)[]): SqlType | null {
  const known = types.filter((t): t is SqlType => t !== null);
  const first = known[0] ?? null;
  if (known.every((t) => t === first)) return first;
  if (known.every((t) => t === 'INT' || t === 'FLOAT')) return 'FLOAT';
  throw new ChronosError(
    'TYPE_MISMATCH',
    `Type mismatch: ${what} mixes ${[...new Set(known)].join(', ')}`,
  );
}
