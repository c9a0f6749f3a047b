import { ChronosError, yieldToEventLoop } from '../lib/index.js';
import type { Cancellation } from '../lib/index.js';
import type { SqlValue } from '../storage/index.js';
import { charactersBuiltSoFar } from './work-meter.js';

/** What bounds one statement's execution. */
export interface StatementLimits {
  /** Aborted when the caller went away (gRPC call cancelled, REPL Ctrl-C). */
  readonly signal?: Cancellation | undefined;
  /** Wall-clock budget from the start of execution; Infinity = none. */
  readonly timeoutMs: number;
  /** Rows a join, sort or GROUP BY may hold in memory at once; Infinity = none. */
  readonly maxMaterializedRows: number;
}

/** Defaults documented in docs/operations.md (CHRONOS_STATEMENT_TIMEOUT_MS, ...). */
export const STATEMENT_TIMEOUT_MS_DEFAULT = 30_000;
export const MAX_MATERIALIZED_ROWS_DEFAULT = 1_000_000;
/** The limits a server statement runs under when none are configured. */
export const DEFAULT_STATEMENT_LIMITS: StatementLimits = {
  timeoutMs: STATEMENT_TIMEOUT_MS_DEFAULT,
  maxMaterializedRows: MAX_MATERIALIZED_ROWS_DEFAULT,
};

/** No limits, but still yielding: replicated writes must behave the same on every replica. */
export const UNLIMITED: StatementLimits = { timeoutMs: Infinity, maxMaterializedRows: Infinity };

/**
 * Most units of work between two clock reads: a read costs ~40 ns, more than a row comparison.
 * The guard reads the clock after every unit while units are costly (a row running LIKE over a
 * 16 MB string takes ~20 ms: with a fixed 1,024, a query of a few hundred such rows never
 * paused, never timed out and lost its node the lead), and ever less often while they are cheap.
 */
const CHECK_EVERY_MAX = 1_024;

/**
 * Characters a string function builds per unit of work: building a megabyte takes about as long
 * as a thousand cheap rows, so a row that builds one reads the clock at once.
 */
const CHARACTERS_PER_UNIT = 1_024;

/**
 * Characters of text one statement's result rows may hold. The row caps count rows: 300 rows of
 * 16 MB strings (`lpad(..., 16000000, 'x')`) passed them and exhausted a node's heap, and in an
 * INSERT ... SELECT every replica's, again on replay. Fixed, not configurable, so every replica
 * of a write decides alike.
 */
export const TEXT_HELD_MAX = 256 * 1024 * 1024;

/** The longest a statement holds the event loop before letting heartbeats and I/O run. */
const SLICE_MS = 4;
/**
 * Queries one statement may be running inside one another (subqueries, and the queries that
 * answer correlated ones). The parser allows 200 levels of parentheses, and each level runs at
 * most a few queries deep; a chain longer than this is a loop, which would otherwise go on
 * until the process runs out of memory.
 */
export const QUERY_DEPTH_MAX = 1_000;

export { yieldToEventLoop };

/**
 * Keeps a statement from holding the event loop: row loops call `step()` per unit of work and
 * `await pause()` when it says so. A pause yields to the event loop (setImmediate) so Raft
 * ticks, heartbeats and small writes run between slices, and ends the statement when its
 * caller went away or its time is up.
 */
export class StatementGuard {
  readonly #limits: StatementLimits;
  readonly #startedMs = performance.now();
  #sliceStartMs = this.#startedMs;
  #work = 0;
  #nextCheck = 1;
  #checkEvery = 1;
  #lastCheckMs = this.#startedMs;
  #depth = 0;
  #textHeld = 0;
  #charactersSeen = charactersBuiltSoFar();

  constructor(limits: StatementLimits = UNLIMITED) {
    this.#limits = limits;
  }

  /**
   * Counts `units` of work, and a unit per CHARACTERS_PER_UNIT characters string functions built
   * meanwhile; true when the current slice is used up and `pause()` is due.
   */
  step(units = 1): boolean {
    const built = charactersBuiltSoFar();
    this.#work += units + (built - this.#charactersSeen) / CHARACTERS_PER_UNIT;
    this.#charactersSeen = built;
    if (this.#work < this.#nextCheck) return false;
    const now = performance.now();
    this.#checkEvery = now - this.#lastCheckMs > SLICE_MS / 4 ? 1 : Math.min(this.#checkEvery * 2, CHECK_EVERY_MAX);
    this.#lastCheckMs = now;
    this.#nextCheck = this.#work + this.#checkEvery;
    return now - this.#sliceStartMs >= SLICE_MS || this.#limits.signal?.aborted === true;
  }

  /** Ends the statement if cancelled or out of time; otherwise yields to the event loop once. */
  async pause(): Promise<void> {
    this.check();
    await yieldToEventLoop();
    this.check();
    this.#sliceStartMs = performance.now();
    // The next slice's work may cost more per unit than this one's: read the clock soon again.
    this.#checkEvery = 1;
    this.#nextCheck = this.#work + 1;
  }

  /** Throws CANCELLED or TIMEOUT when the statement must stop now. */
  check(): void {
    if (this.#limits.signal?.aborted === true) {
      throw new ChronosError('CANCELLED', 'statement cancelled: the client went away or cancelled it');
    }
    const elapsed = performance.now() - this.#startedMs;
    if (elapsed > this.#limits.timeoutMs) {
      throw new ChronosError(
        'TIMEOUT',
        `statement stopped after ${this.#limits.timeoutMs} ms (CHRONOS_STATEMENT_TIMEOUT_MS); narrow it with WHERE or LIMIT`,
      );
    }
  }

  /** Runs `query` one level deeper than the query asking for it; past QUERY_DEPTH_MAX levels the statement ends. */
  async nested<T>(query: () => Promise<T>): Promise<T> {
    this.check();
    if (this.#depth >= QUERY_DEPTH_MAX) {
      throw new ChronosError('LIMIT_EXCEEDED', `statement stopped: its subqueries ran more than ${QUERY_DEPTH_MAX} queries deep`);
    }
    this.#depth += 1;
    try {
      return await query();
    } finally {
      this.#depth -= 1;
    }
  }

  /** Counts the text of `values`, held in result (or rewritten) rows; past TEXT_HELD_MAX the statement ends. */
  holdingText(values: readonly SqlValue[], advice = 'select fewer rows or shorter values (substr, LIMIT)'): void {
    let characters = 0;
    for (const value of values) if (typeof value === 'string') characters += value.length;
    this.holdingCharacters(characters, advice);
  }

  /** Counts `characters` of text held in memory (group keys, rows); past TEXT_HELD_MAX the statement ends. */
  holdingCharacters(characters: number, advice = 'select fewer rows or shorter values (substr, LIMIT)'): void {
    this.#textHeld += characters;
    if (this.#textHeld <= TEXT_HELD_MAX) return;
    throw new ChronosError('LIMIT_EXCEEDED', `statement stopped: its rows hold more than ${TEXT_HELD_MAX} ` +
      `characters of text; ${advice}`);
  }

  /** Throws LIMIT_EXCEEDED when `rows` held in memory pass the cap. */
  holding(rows: number, what: string, advice = HOLDING_ADVICE): void {
    if (rows <= this.#limits.maxMaterializedRows) return;
    throw new ChronosError(
      'LIMIT_EXCEEDED',
      `${what} holds more than ${this.#limits.maxMaterializedRows} rows (CHRONOS_MAX_MATERIALIZED_ROWS); ${advice}`,
    );
  }
}

/** What to do about rows held past the limit, where nothing more precise is known. */
export const HOLDING_ADVICE = 'narrow it with WHERE, an equality join (USING, or ON a.x = b.y) or LIMIT without ORDER BY';
