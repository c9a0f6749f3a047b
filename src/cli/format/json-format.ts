import type { StatementResult } from '../../sql/index.js';
import type { SqlType, SqlValue } from '../../storage/index.js';
import { assertNever } from '../../lib/index.js';

const SAFE_MAX = BigInt(Number.MAX_SAFE_INTEGER);
const SAFE_MIN = BigInt(Number.MIN_SAFE_INTEGER);

/**
 * Renders a result as one JSON Lines line (SPEC §2): `{"columns":[...],"rows":[[...]]}` or
 * `{"message":...,"rows_affected":N}`. INTs beyond ±(2^53−1) and non-finite FLOATs become
 * strings so that every JSON parser reads them back exactly.
 */
export function formatJson(result: StatementResult): string {
  switch (result.kind) {
    case 'message':
      return JSON.stringify({ message: result.message, rows_affected: result.rowsAffected });
    case 'rows': {
      const rows = result.rows.map((row) =>
        result.columns.map((_, i) => jsonValue(row[i] ?? null, result.columnTypes[i] ?? null)));
      return JSON.stringify({ columns: result.columns, rows });
    }
    default:
      return assertNever(result, 'statement result');
  }
}

type JsonScalar = null | boolean | number | string;

function jsonValue(value: SqlValue, type: SqlType | null): JsonScalar {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'bigint') {
    // The column's type decides, as for numbers: a FLOAT is a JSON number, never a string.
    if (type === 'FLOAT') return Number(value);
    return value >= SAFE_MIN && value <= SAFE_MAX ? Number(value) : value.toString();
  }
  if (!Number.isFinite(value)) return String(value); // "NaN", "Infinity", "-Infinity"
  if (type === 'INT' && !Number.isSafeInteger(value)) {
    return Math.abs(value) >= 1e21 ? BigInt(value).toString() : String(value);
  }
  return Object.is(value, -0) ? 0 : value;
}
