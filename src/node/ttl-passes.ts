/** What the TTL passes applied on this node did, for /metrics. */
export interface TtlPassTotals {
  readonly passes: number;
  readonly rowsExpired: number;
  /** The time the last pass applied here ran at (its replicated clock reading); null: none since start. */
  readonly lastPassMs: number | null;
}

/**
 * Rows one TTL pass deletes at most. Every write waits behind a pass being applied: one pass over
 * 500,000 expired rows held a node's writes for 14 s; passes of 10,000 held them 0.3-0.8 s each.
 */
export const TTL_PASS_ROWS_MAX = 5_000;

/** How soon the leader proposes the next pass after one that stopped at its bound. */
export const TTL_PASS_CONTINUE_MS = 250;

/** Counts the TTL passes this node applied (every replica applies each one from the log). */
export class TtlPasses {
  #passes = 0;
  #rowsExpired = 0;
  #lastPassMs: number | null = null;
  #moreLeft = false;

  /** One pass applied: it ran at `nowMs`, removed `rowsExpired` rows, and stopped at its bound or not. */
  applied(nowMs: number, rowsExpired: number, bounded = false): void {
    this.#passes += 1;
    this.#rowsExpired += rowsExpired;
    this.#lastPassMs = nowMs;
    this.#moreLeft = bounded;
  }

  /** Whether the last pass applied stopped at its bound (expired rows may be left); asks once per such pass. */
  takeMoreLeft(): boolean {
    const more = this.#moreLeft;
    this.#moreLeft = false;
    return more;
  }

  /** The totals since this node started. */
  totals(): TtlPassTotals {
    return { passes: this.#passes, rowsExpired: this.#rowsExpired, lastPassMs: this.#lastPassMs };
  }
}
