import { assert } from '../lib/index.js';

/** How a leader reads time for its lease, and how long a lease lasts. */
export interface ReadLeaseConfig {
  /** A clock nothing steps (the timers' own time), in ms. */
  readonly nowMs: () => number;
  /**
   * How long after a heartbeat round starts a majority's acknowledgement of it keeps the lease.
   * Must stay below the real time a follower ignores campaigns after hearing from us
   * (electionTicksMin - 1 ticks), with margin for timers and clock drift.
   */
  readonly durationMs: number;
}

/** Heartbeat rounds remembered while their acknowledgements are outstanding. */
const ROUNDS_MAX = 64;

/**
 * A leader's read lease (Raft thesis §6.4.1). Every follower ignores campaigns for a minimum
 * election timeout after it last heard from its leader (leader stickiness; a restarted node
 * does so after it starts), so once a majority acknowledged a heartbeat round that started at
 * time t, no other leader can be elected before t + that timeout. Until t + durationMs the
 * leader serves reads at its commit index without a round of its own. A leadership transfer
 * bypasses stickiness, so a leader that starts one holds no lease for the rest of its term;
 * a role or membership change forgets the lease and every round started before it.
 */
export class ReadLease {
  readonly #config: ReadLeaseConfig | null;
  /** Rounds whose heartbeats were handed out and not yet acknowledged by a majority, ascending. */
  readonly #starts: { readonly round: number; readonly atMs: number }[] = [];
  #untilMs = -Infinity;
  #revokedTerm = -1;

  constructor(config: ReadLeaseConfig | null) {
    assert(config === null || config.durationMs > 0, 'a read lease must last > 0 ms');
    this.#config = config;
  }

  /** A heartbeat round is being sent: its acknowledgement by a majority extends the lease. */
  roundStarted(round: number): void {
    if (this.#config === null || round <= 0) return;
    const last = this.#starts[this.#starts.length - 1];
    // The earliest start of a round is the one that counts (its heartbeats may go out again).
    if (last !== undefined && last.round >= round) return;
    if (this.#starts.length >= ROUNDS_MAX) this.#starts.shift();
    this.#starts.push({ round, atMs: this.#config.nowMs() });
  }

  /** A majority acknowledged every round up to `round`. */
  confirmed(round: number): void {
    if (this.#config === null) return;
    let startedAtMs = -Infinity;
    while (this.#starts.length > 0 && (this.#starts[0]?.round ?? Infinity) <= round) {
      startedAtMs = this.#starts.shift()?.atMs ?? startedAtMs;
    }
    this.#untilMs = Math.max(this.#untilMs, startedAtMs + this.#config.durationMs);
  }

  /** True if a read may be served at the commit index now, in `term`. */
  holds(term: number): boolean {
    return this.#config !== null && term !== this.#revokedTerm && this.#config.nowMs() < this.#untilMs;
  }

  /** Forgets the lease and the rounds started so far (role or membership changed). */
  revoke(): void {
    this.#untilMs = -Infinity;
    this.#starts.length = 0;
  }

  /** No lease for the rest of `term` (a leadership transfer lets followers vote at once). */
  revokeForTerm(term: number): void {
    this.revoke();
    this.#revokedTerm = term;
  }

  /** True when leases are on (a restarted node then ignores campaigns for an election timeout). */
  get enabled(): boolean {
    return this.#config !== null;
  }
}
