import type { SqlType, SqlValue } from '../../storage/index.js';

/**
 * The text of one non-NULL value as table and CSV output show it. The column's declared type
 * decides: an INT is always written as an integer, a FLOAT in JavaScript's shortest form that
 * reads back to the same double (`25.5`, `0.1`, `1e+21`, `NaN`, `Infinity`).
 */
export function valueText(value: Exclude<SqlValue, null>, type: SqlType | null): string {
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  // A whole number in a FLOAT column prints as the double it is, whatever carried it.
  if (typeof value === 'bigint') return type === 'FLOAT' ? String(Number(value)) : value.toString();
  if (typeof value === 'string') return value;
  if (type === 'INT' && Number.isInteger(value)) {
    // Number#toString switches to exponent form at 1e21; an INT never should.
    return Math.abs(value) >= 1e21 ? BigInt(value).toString() : String(value);
  }
  // -0 prints as "0": SQL treats -0.0 and 0.0 as the same value.
  return String(value);
}
