import type { Random } from '../lib/index.js';
import type { NodeId } from '../raft/index.js';

/**
 * The largest minority of `members` a cluster can lose and still elect (1 of 3, 2 of 5), drawn
 * from `candidates` (members that may go down): the ones a rolling restart keeps down.
 */
export function largestMinority(random: Random, members: readonly NodeId[],
  candidates: readonly NodeId[] = members): Set<NodeId> {
  const count = members.length - Math.floor(members.length / 2) - 1;
  const down = new Set<NodeId>();
  while (down.size < count) down.add(random.pick(candidates.filter((id) => !down.has(id))));
  return down;
}
