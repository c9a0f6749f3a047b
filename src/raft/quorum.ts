import { assert } from '../lib/assert.js';

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

/** Outcome of an election given granted/rejected tallies. */
export type VoteOutcome = 'won' | 'lost' | 'pending';

/** Decides an election as soon as a majority either way is known. */
export function voteOutcome(voterCount: number, granted: number, rejected: number): VoteOutcome {
  const needed = majority(voterCount);
  if (granted >= needed) return 'won';
  if (rejected > voterCount - needed) return 'lost';
  return 'pending';
}
