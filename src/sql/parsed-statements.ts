import type { Statement } from './ast.js';
import { parseStatement } from './parse.js';
import { parseStatementYielding } from './parse-yielding.js';
import { splitStatements } from './split-statements.js';

/** Statements at least this long are parsed ahead, in steps, before they are classified. */
export const PREPARE_FROM_UNITS = 64 * 1024;
/** Failed parses kept for classification to report (each request classifies its own at once). */
const FAILURES_KEPT = 16;
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
  /**
   * Long statements whose parse ahead failed, with the error: classifying one throws it again
   * instead of parsing it once more in one go (a 5 MB INSERT the fast path declined at its last
   * row held the loop ~0.7 s that way). A few are kept; they are refused requests.
   */
  readonly #failed = new Map<string, unknown>();

  /** Parses `sql` (unless a tree is kept already) and keeps the tree for one later `take`. */
  remember(sql: string): Statement {
    if (this.#failed.has(sql)) {
      const error = this.#failed.get(sql);
      this.#failed.delete(sql);
      throw error;
    }
    return this.#byText.get(sql) ?? this.#keep(sql, parseStatement(sql));
  }

  /**
   * Parses the long statements of a request ahead, turning the event loop between steps, so
   * that classifying it (`remember`) finds them parsed. Short statements are left alone.
   */
  async prepare(text: string): Promise<void> {
    if (text.length < PREPARE_FROM_UNITS) return;
    const split = splitStatements(text);
    const statements = split.rest === '' ? split.statements : [...split.statements, split.rest];
    for (const sql of statements) {
      if (sql.length < PREPARE_FROM_UNITS || this.#byText.has(sql)) continue;
      // A statement that fails to parse is left for classification to report.
      try {
        this.#keep(sql, await parseStatementYielding(sql));
      } catch (error) {
        this.#failed.set(sql, error);
        if (this.#failed.size > FAILURES_KEPT) this.#failed.delete(this.#failed.keys().next().value as string);
      }
    }
  }

  #keep(sql: string, statement: Statement): Statement {
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

  /**
   * `take`, for a caller that can wait: a long statement nobody parsed ahead (a follower
   * applying an entry another node proposed) is parsed in steps, so the follower keeps
   * answering heartbeats and appends while it parses.
   */
  async takeYielding(sql: string): Promise<Statement> {
    if (this.#byText.has(sql) || sql.length < PREPARE_FROM_UNITS) return this.take(sql);
    return parseStatementYielding(sql);
  }

  /** The tree kept for `sql`, left in place; undefined when none is kept. */
  peek(sql: string): Statement | undefined {
    return this.#byText.get(sql);
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
