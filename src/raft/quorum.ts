import { assert } from '../lib/index.js';

/** Votes needed out of `voterCount` (a strict majority). */
export function majority(voterCount: number): number {
  assert(voterCount > 0, 'a cluster needs at least one voter');
  return Math.floor(voterCount / 2) + 1;
}

/** The highest index stored on a majority, given every voter's match index. */
export function quorumMatchIndex(matchIndexes: readonly number[]): number {
  const sorted = [...matchIndexes].sort((a, b) => b - a);
  const value = sorted[majority(matchIndexes.length) - 1];
  assert(value !== undefined, 'quorum index out of range');
  return value;
}

/**
 * The index a leader may commit given every voter's match index: the highest a majority
 * stores, but only if it is of the leader's own term (Raft §5.4.2, Figure 8: an older-term
 * entry on a majority can still be overwritten); 0 otherwise. Older entries commit with it.
 */
export function committableIndex(
  matchIndexes: readonly number[], termAt: (index: number) => number | undefined, currentTerm: number,
): number {
  const index = quorumMatchIndex(matchIndexes);
  return termAt(index) === currentTerm ? index : 0;
}

/** Outcome of an election given granted/rejected tallies. */
export type VoteOutcome = 'won' | 'lost' | 'pending';

/**
 * Decides an election as soon as the answer is known. Votes of nodes that lost their logs
 * (recovering) count toward the majority, but the granted votes of nodes that kept their logs
 * (`grantedIntact`) must outnumber the voters outside a majority: then one of them is in every
 * quorum that committed an entry, and it grants only a candidate holding that entry.
 */
export function voteOutcome(
  voterCount: number, granted: number, rejected: number, grantedIntact: number,
): VoteOutcome {
  const needed = majority(voterCount);
  const intactNeeded = voterCount - needed + 1;
  const undecided = voterCount - granted - rejected;
  if (granted >= needed && grantedIntact >= intactNeeded) return 'won';
  if (granted + undecided < needed || grantedIntact + undecided < intactNeeded) return 'lost';
  return 'pending';
}
