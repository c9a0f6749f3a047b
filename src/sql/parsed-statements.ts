import type { Statement } from './ast.js';
import { parseStatement } from './parse.js';

/** At most this many parsed statements wait to be taken. */
const MAX_ENTRIES = 256;
/** And at most this much statement text (UTF-16 code units): a huge INSERT's tree is large. */
const MAX_TEXT_UNITS = 8 * 1024 * 1024;

/**
 * Statements parsed to classify a request, kept until the same text is executed. A write is
 * classified where it arrives and applied after it commits; on the node that classified it
 * (the leader, or a follower that forwarded it) the apply takes the tree instead of parsing the
 * text again, which for a 100,000-row INSERT is most of a second. Trees are never mutated, and
 * each is taken once, so a cached tree is exactly what a fresh parse would give.
 */
class ParsedStatements {
  readonly #byText = new Map<string, Statement>();
  #textUnits = 0;

  /** Parses `sql` and keeps the tree for one later `take` of the same text. */
  remember(sql: string): Statement {
    const statement = parseStatement(sql);
    if (sql.length > MAX_TEXT_UNITS) return statement;
    this.#drop(sql);
    this.#byText.set(sql, statement);
    this.#textUnits += sql.length;
    while (this.#byText.size > MAX_ENTRIES || this.#textUnits > MAX_TEXT_UNITS) {
      const oldest = this.#byText.keys().next().value as string;
      this.#drop(oldest);
    }
    return statement;
  }

  /** The tree `remember` kept for `sql` (removing it), or a fresh parse. */
  take(sql: string): Statement {
    const kept = this.#byText.get(sql);
    if (kept === undefined) return parseStatement(sql);
    this.#drop(sql);
    return kept;
  }

  #drop(sql: string): void {
    if (this.#byText.delete(sql)) this.#textUnits -= sql.length;
  }
}

/** The process's statements parsed ahead of execution. */
export const parsedStatements = new ParsedStatements();
