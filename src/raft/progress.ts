import { assert } from '../lib/index.js';

/** How the leader replicates to one follower (etcd's probe/replicate/snapshot states). */
export type ProgressState = 'probe' | 'replicate' | 'snapshot';

/** The leader's view of one follower. */
export class Progress {
  /**
   * Highest index known to be replicated on the follower; never decreases in a term, except
   * when the follower reports it lost its log (forgetMatch).
   */
  match = 0;
  /** Next index to send; optimistic in replicate state, so it may run ahead of `match + 1`. */
  next: number;
  state: ProgressState = 'probe';
  /** In probe state: a probe is outstanding, wait for its answer (or a heartbeat) first. */
  probeSent = false;
  /** Index of the snapshot in flight in snapshot state. */
  pendingSnapshot = 0;
  /** Ticks since the snapshot was sent: a lost snapshot is retried after a timeout. */
  snapshotElapsedTicks = 0;
  /** A heartbeat went out since the last retry: lets one stalled reply trigger a resend,
   * so a lost append is retried once per heartbeat, never in a reply-driven loop. */
  retryAllowed = false;
  /** Acknowledgements in a row that did not advance `match` (lost-append detection). */
  stalledResponses = 0;
  /** Heard from since the last check-quorum round. */
  recentActive = false;
  /** Highest ReadIndex round the follower acknowledged. */
  readAck = 0;
  /** Last index of each in-flight append, ascending: the pipelining window. */
  readonly inflights: number[] = [];

  constructor(next: number) {
    assert(next >= 1, 'progress next must be >= 1');
    this.next = next;
  }

  /** Records an acknowledgement; true if it advanced the match. */
  maybeUpdate(matchIndex: number): boolean {
    let updated = false;
    if (matchIndex > this.match) {
      this.match = matchIndex;
      updated = true;
      this.probeSent = false;
    }
    this.next = Math.max(this.next, matchIndex + 1);
    this.freeUpTo(matchIndex);
    return updated;
  }

  /** The follower lost its log: only `proven` is known to be on it now. */
  forgetMatch(proven: number): void {
    assert(proven <= this.match, `forgetMatch(${proven}) above match ${this.match}`);
    this.match = proven;
    this.next = proven + 1;
  }

  /** Drops in-flight appends the follower has acknowledged. */
  freeUpTo(index: number): void {
    while (this.inflights.length > 0 && (this.inflights[0] ?? 0) <= index) this.inflights.shift();
  }

  becomeProbe(next: number): void {
    this.state = 'probe';
    this.next = Math.max(this.match + 1, next);
    this.probeSent = false;
    this.pendingSnapshot = 0;
    this.stalledResponses = 0;
    this.inflights.length = 0;
  }

  becomeReplicate(): void {
    this.state = 'replicate';
    this.next = this.match + 1;
    this.pendingSnapshot = 0;
    this.stalledResponses = 0;
    this.inflights.length = 0;
  }

  becomeSnapshot(snapshotIndex: number): void {
    this.state = 'snapshot';
    this.pendingSnapshot = snapshotIndex;
    this.snapshotElapsedTicks = 0;
    this.inflights.length = 0;
  }

  inflightFull(limit: number): boolean {
    return this.inflights.length >= limit;
  }

  /** Records an optimistic send of entries up to `lastIndex` (replicate state). */
  sentEntries(lastIndex: number): void {
    assert(this.state === 'replicate', 'optimistic send outside replicate state');
    assert(lastIndex >= this.next, 'sent entries must advance next');
    this.inflights.push(lastIndex);
    this.next = lastIndex + 1;
  }
}
