import type { NodeId } from '../raft/index.js';
import type { StatementResult } from '../sql/index.js';
import type { CallContext } from '../transport/index.js';
import { connectionReason, forwardNeverSent } from '../transport/index.js';
import type { PeerTransport } from './node-environment.js';
import { notApplied, outcomeUnknown } from './write-outcome.js';

/**
 * Runs a write on the leader through ForwardSql. A forward that failed is NOT_APPLIED only
 * when it certainly never reached the leader; otherwise the leader may have applied it. The
 * leader's own answers (results, SQL errors, NOT_APPLIED/OUTCOME_UNKNOWN) come back as they are.
 */
export async function forwardWrite(
  peers: Pick<PeerTransport, 'forwardSql'>,
  leader: NodeId,
  statements: readonly string[],
  context: CallContext,
): Promise<readonly StatementResult[]> {
  const forwarded = await peers.forwardSql(leader, statements, context);
  if (!forwarded.ok) {
    const why = `could not forward the write to leader ${leader}: ${connectionReason(forwarded.failure.message)}`;
    throw forwardNeverSent(forwarded.failure) ? notApplied(`${why} (it never left this node)`) : outcomeUnknown(why);
  }
  const results: StatementResult[] = [];
  for (const outcome of forwarded.outcomes) {
    if (!outcome.ok) throw outcome.error instanceof Error ? outcome.error : new Error(String(outcome.error));
    results.push(outcome.result);
  }
  return results;
}
