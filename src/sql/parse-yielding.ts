import type { Statement } from './ast.js';
import { Cursor } from './cursor.js';
import { parseStatement, startsWithInsert } from './parse.js';
import { checkStatementSize } from './parse-limits.js';
import { yieldToEventLoop } from './statement-guard.js';
import { fastInsertSteps } from './token-parser.js';

/**
 * parseStatement for a statement that may be huge: a plain multi-row INSERT is read in steps
 * with a turn of the event loop between them; anything else parses in one go (its parse is
 * linear and, for the sizes statements are allowed, short).
 */
export async function parseStatementYielding(sql: string): Promise<Statement> {
  checkStatementSize(sql);
  if (startsWithInsert(sql)) {
    const steps = fastInsertSteps(new Cursor(sql));
    for (;;) {
      const step = steps.next();
      if (step.done === true) {
        if (step.value !== null) return step.value;
        break;
      }
      await yieldToEventLoop();
    }
  }
  return parseStatement(sql);
}
