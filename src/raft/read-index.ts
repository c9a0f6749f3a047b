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

  /** Starts a new round for one read; returns the round to carry in the heartbeat. */
  add(requestId: number, index: number, from: NodeId): number {
    assert(!this.full(), 'read queue overflow');
    this.#round += 1;
    this.#pending.push({ round: this.#round, requestId, index, from });
    return this.#round;
  }

  /** The newest round still waiting, 0 when none. */
  latestRound(): number {
    const last = this.#pending[this.#pending.length - 1];
    return last === undefined ? 0 : last.round;
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
  }
}
