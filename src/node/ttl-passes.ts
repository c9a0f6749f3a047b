/** What the TTL passes applied on this node did, for /metrics. */
export interface TtlPassTotals {
  readonly passes: number;
  readonly rowsExpired: number;
  /** The time the last pass applied here ran at (its replicated clock reading); null: none since start. */
  readonly lastPassMs: number | null;
}

/** Counts the TTL passes this node applied (every replica applies each one from the log). */
export class TtlPasses {
  #passes = 0;
  #rowsExpired = 0;
  #lastPassMs: number | null = null;

  /** One pass applied: it ran at `nowMs` and removed `rowsExpired` rows. */
  applied(nowMs: number, rowsExpired: number): void {
    this.#passes += 1;
    this.#rowsExpired += rowsExpired;
    this.#lastPassMs = nowMs;
  }

  /** The totals since this node started. */
  totals(): TtlPassTotals {
    return { passes: this.#passes, rowsExpired: this.#rowsExpired, lastPassMs: this.#lastPassMs };
  }
}
