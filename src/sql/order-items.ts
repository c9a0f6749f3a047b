import type { OrderItem } from './ast.js';
import { unsupported } from './cursor.js';
import { checkQueryList } from './parse-limits.js';
import type { ExprParser } from './expr-parser.js';

/** `expr [ASC|DESC] [NULLS FIRST|LAST], ...` after ORDER BY (of a query or of a window). */
export function orderItems(p: ExprParser): OrderItem[] {
  const items: OrderItem[] = [];
  do {
    const expr = p.expr();
    const c = p.c;
    const descending = c.acceptWord('DESC');
    if (!descending) c.acceptWord('ASC');
    if (c.isWord('USING')) throw unsupported('ORDER BY ... USING');
    let nullsFirst = descending;
    if (c.acceptWord('NULLS')) {
      if (c.acceptWord('FIRST')) nullsFirst = true;
      else if (c.acceptWord('LAST')) nullsFirst = false;
      else throw c.fail('expected FIRST or LAST after NULLS');
    }
    items.push({ expr, descending, nullsFirst });
  } while (p.c.acceptSymbol(','));
  checkQueryList('ORDER BY', items.length);
  return items;
}
