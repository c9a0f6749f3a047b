import { assert } from '../lib/index.js';
import type { NodeId } from './types.js';

/** A read waiting for a quorum to confirm the leader still leads (thesis §6.4). */
export interface PendingRead {
  /** The heartbeat round that must be acknowledged by a quorum. */
  readonly round: number;
  readonly requestId: number;
  /** The commit index when the read arrived: the read is served once applied reaches it. */
  readonly index: number;
  /** Who asked: the leader itself or a follower forwarding a ReadIndexRequest. */
  readonly from: NodeId;
}

/** Leader-side ReadIndex rounds, confirmed in order (a later round implies earlier ones). */
export class ReadIndexQueue {
  #round = 0;
  /** The round later reads may still join (its heartbeats are unsent), 0 when none. */
  #openRound = 0;
  readonly #pending: PendingRead[] = [];
  readonly #limit: number;

  constructor(limit: number) {
    assert(limit >= 1, 'read queue limit must be >= 1');
    this.#limit = limit;
  }

  get size(): number {
    return this.#pending.length;
  }

  full(): boolean {
    return this.#pending.length >= this.#limit;
  }

  /**
   * Adds a read to the round whose heartbeats have not left the core yet, or starts a new
   * round for it. Joining is safe because that round's heartbeats are handed out after the read
   * arrived, so their acknowledgements confirm leadership after the read's index was taken;
   * under load one heartbeat round serves every read of a Ready cycle. `started` says whether
   * the caller must broadcast the round.
   */
  add(requestId: number, index: number, from: NodeId): { readonly round: number; readonly started: boolean } {
    assert(!this.full(), 'read queue overflow');
    const started = this.#openRound === 0;
    if (started) {
      this.#round += 1;
      this.#openRound = this.#round;
    }
    this.#pending.push({ round: this.#round, requestId, index, from });
    return { round: this.#round, started };
  }

  /**
   * The round a periodic heartbeat carries: the open one, or a new one later reads may join
   * (its heartbeats have not left yet), so acknowledgements keep confirming leadership (and
   * renewing a read lease) while no read is waiting.
   */
  heartbeatRound(): number {
    if (this.#openRound === 0) {
      this.#round += 1;
      this.#openRound = this.#round;
    }
    return this.#openRound;
  }

  /** Every round's heartbeats have been handed out (a Ready took them): later reads start anew. */
  seal(): void {
    this.#openRound = 0;
  }

  /** Pops every read whose round the predicate confirms, oldest first. */
  takeConfirmed(confirmed: (round: number) => boolean): PendingRead[] {
    let count = 0;
    for (const read of this.#pending) {
      if (!confirmed(read.round)) break;
      count += 1;
    }
    return this.#pending.splice(0, count);
  }

  /** Drops every pending read (leadership lost: the requesters time out and retry). */
  clear(): void {
    this.#pending.length = 0;
    this.#openRound = 0;
  }
}
