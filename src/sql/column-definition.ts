import { ChronosError } from '../lib/index.js';
import type { ColumnDefinition } from './ast.js';
import type { Cursor } from './cursor.js';
import type { Token } from './lexer.js';
import { parseTypeName } from './type-name.js';

/** `name TYPE [NOT NULL | NULL | PRIMARY KEY]...`, refusing other constraints by name. */
export function columnDefinition(c: Cursor): ColumnDefinition {
  const name = c.identifier('a column name');
  const type = parseTypeName(c, ` for column ${name}`);
  let notNull = false;
  let primaryKey = false;
  for (let guard = 0; guard < 8; guard++) {
    if (c.acceptWord('NOT')) {
      c.expectWord('NULL');
      notNull = true;
    } else if (c.acceptWord('NULL')) {
      // explicit NULL: the default
    } else if (c.acceptWord('PRIMARY')) {
      c.expectWord('KEY');
      primaryKey = true;
      notNull = true;
    } else {
      break;
    }
  }
  if (c.isWord('DEFAULT') || c.isWord('UNIQUE') || c.isWord('REFERENCES') || c.isWord('CHECK')) {
    const t = c.peek() as Token;
    throw new ChronosError(
      'UNSUPPORTED',
      `Unsupported column constraint ${t.value} on column ${name}`,
    );
  }
  return { name, type, notNull, primaryKey };
}
