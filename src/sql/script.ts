import { ChronosError } from '../lib/index.js';
import { classify } from './execute.js';
import type { StatementClass } from './execute.js';
import { splitStatements } from './split-statements.js';

/**
 * What one request's SQL text asks for. A request is one statement, or several writes that
 * apply atomically as one command: `BEGIN; ...; COMMIT` (or `ROLLBACK`), or a bare list of
 * writes. Sessionless front ends (gRPC) use this, since they cannot hold a transaction open
 * across calls.
 */
export type Script =
  | { readonly kind: 'statement'; readonly sql: string; readonly statementClass: StatementClass }
  | {
      readonly kind: 'transaction';
      readonly writes: readonly string[];
      /** Whether the text was wrapped in BEGIN ... COMMIT/ROLLBACK. */
      readonly explicit: boolean;
      readonly end: 'commit' | 'rollback';
    };

/** Splits and classifies a request; throws PARSE_ERROR/UNSUPPORTED naming the bad statement. */
export function planScript(text: string): Script {
  const split = splitStatements(text);
  if (split.open !== null) {
    throw new ChronosError('PARSE_ERROR', `Parse error: unterminated ${split.open} starting on line ${split.openLine}`);
  }
  const statements = split.rest === '' ? [...split.statements] : [...split.statements, split.rest];
  const only = statements[0];
  if (only === undefined) throw new ChronosError('PARSE_ERROR', 'Parse error: empty statement');
  if (statements.length === 1) return { kind: 'statement', sql: only, statementClass: classify(only) };
  const classes = statements.map((sql) => classify(sql));
  const explicit = classes[0] === 'begin';
  let end: 'commit' | 'rollback' = 'commit';
  let body = statements;
  let bodyClasses = classes;
  if (explicit) {
    const last = classes.at(-1);
    if (last !== 'commit' && last !== 'rollback') {
      throw new ChronosError('UNSUPPORTED', 'a request that starts with BEGIN must end with COMMIT or ROLLBACK');
    }
    end = last;
    body = statements.slice(1, -1);
    bodyClasses = classes.slice(1, -1);
  }
  bodyClasses.forEach((statementClass, i) => {
    if (statementClass !== 'write') {
      throw new ChronosError(
        'UNSUPPORTED',
        `a multi-statement request may only contain writes; statement ${i + 1} is ${statementClass === 'read' ? 'a query' : statementClass.toUpperCase()}: ${body[i]}`,
      );
    }
  });
  return { kind: 'transaction', writes: body, explicit, end };
}
