import type { NodeId } from './types.js';

/** Groups kept waiting for the leader's answer; the oldest is dropped beyond this (its reads time out). */
const GROUPS_KEPT = 4_096;

/**
 * A follower's reads on their way to the leader: the reads of one Ready cycle go as one
 * ReadIndex request, named by its first read's id, and the leader's answer serves them all.
 * Safe for the same reason the leader's rounds are shared: the request leaves after every read
 * in it arrived, so the index the leader confirms for it is one each read may use.
 */
export class ForwardedReads {
  readonly #groups = new Map<number, number[]>();
  /** The group whose request has not left the core yet, and where it goes. */
  #open: { readonly id: number; readonly leader: NodeId; readonly term: number } | null = null;

  /** Adds a read for `leader` in `term`; true when it starts a group (send a request named requestId). */
  add(requestId: number, leader: NodeId, term: number): boolean {
    const open = this.#open;
    if (open !== null && open.leader === leader && open.term === term) {
      this.#groups.get(open.id)?.push(requestId);
      return false;
    }
    this.#groups.set(requestId, [requestId]);
    if (this.#groups.size > GROUPS_KEPT) this.#groups.delete(this.#groups.keys().next().value as number);
    this.#open = { id: requestId, leader, term };
    return true;
  }

  /** The open group's request has been handed out (a Ready took it): later reads start another. */
  seal(): void {
    this.#open = null;
  }

  /** The reads the answer to request `groupId` serves (the group is forgotten). */
  take(groupId: number): readonly number[] {
    const group = this.#groups.get(groupId);
    this.#groups.delete(groupId);
    if (this.#open?.id === groupId) this.#open = null;
    return group ?? [groupId];
  }
}
