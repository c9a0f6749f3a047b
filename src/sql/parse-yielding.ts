import type { Statement } from './ast.js';
import { Cursor } from './cursor.js';
import { Lexer } from './lexer.js';
import { parseGeneral, startsWithInsert } from './parse.js';
import { checkStatementSize, MAX_STATEMENT_TOKENS, tooManyTokens } from './parse-limits.js';
import { yieldToEventLoop } from './statement-guard.js';
import { fastInsertSteps } from './token-parser.js';

/** Tokens lexed between turns of the event loop while a long statement is counted. */
const TOKENS_PER_SLICE = 16_384;

/**
 * parseStatement for a statement that may be huge: a plain multi-row INSERT is read in steps
 * with a turn of the event loop between them. Anything else is first counted in steps and
 * refused past MAX_STATEMENT_TOKENS, so the general parser, which cannot pause, only ever
 * runs on a statement it parses quickly.
 */
export async function parseStatementYielding(sql: string): Promise<Statement> {
  checkStatementSize(sql);
  const insert = startsWithInsert(sql);
  if (insert) {
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
  // Every token takes at least one character: a shorter statement cannot be over the limit.
  if (sql.length > MAX_STATEMENT_TOKENS) await countTokensYielding(sql, insert);
  return parseGeneral(sql);
}

/** Lexes `sql` in slices and refuses it past MAX_STATEMENT_TOKENS; a lexing error is left to the parser. */
async function countTokensYielding(sql: string, insert: boolean): Promise<void> {
  const lexer = new Lexer(sql);
  let count = 0;
  for (;;) {
    for (let i = 0; i < TOKENS_PER_SLICE; i++) {
      let token;
      try {
        token = lexer.next();
      } catch {
        // The parser meets the same error at the same place, and reports it as it would anyway.
        return;
      }
      if (token === undefined) return;
      if (++count > MAX_STATEMENT_TOKENS) throw tooManyTokens(insert);
    }
    await yieldToEventLoop();
  }
}
