import type { SqlType } from '../storage/index.js';
import type { Cursor } from './cursor.js';
import { lexerParseError } from './lexer.js';

/** SQL type names we accept, by upper-case name. */
const TYPE_NAMES: Readonly<Record<string, SqlType>> = {
  INT: 'INT', INTEGER: 'INT', BIGINT: 'INT', SMALLINT: 'INT', INT64: 'INT',
  FLOAT: 'FLOAT', DOUBLE: 'FLOAT', REAL: 'FLOAT', FLOAT64: 'FLOAT',
  // No exact decimal type here: PostgreSQL's `round(avg(v)::numeric, 2)` reads as a double's.
  NUMERIC: 'FLOAT', DECIMAL: 'FLOAT',
  STRING: 'STRING', TEXT: 'STRING', VARCHAR: 'STRING', CHAR: 'STRING',
  BOOLEAN: 'BOOLEAN', BOOL: 'BOOLEAN',
};

/** A type name after CAST ... AS or `::` (`INT`, `TEXT`, `VARCHAR(20)`, `DOUBLE PRECISION`, `NUMERIC(10, 2)`). */
export function parseTypeName(c: Cursor, forWhat = ''): SqlType {
  const t = c.next();
  const type = t.kind === 'word' ? TYPE_NAMES[t.value] : undefined;
  if (type === undefined) {
    throw lexerParseError(
      c.sql, t.start,
      `unknown type '${c.sql.slice(t.start, t.end)}'${forWhat} (INT, FLOAT, STRING, TEXT, BOOLEAN)`,
    );
  }
  if (t.value === 'DOUBLE') c.acceptWord('PRECISION');
  if (c.acceptSymbol('(')) {
    if (c.next().kind !== 'number') throw c.fail('expected a length');
    // NUMERIC(precision, scale): both are taken and, as a length is, not enforced.
    if (type === 'FLOAT' && c.acceptSymbol(',') && c.next().kind !== 'number') throw c.fail('expected a scale');
    c.expectSymbol(')');
  }
  return type;
}
