import { ChronosError, isChronosError } from '../lib/index.js';
import type { SyncTargetMetrics } from './sync-metrics.js';
import type { SyncApplied } from '../sync/index.js';
import type { Clock } from '../lib/index.js';
import type { TokenAuth } from '../auth/index.js';
import type { CallContext } from '../transport/index.js';
import type { SyncBatch, SyncHandler } from './grpc/sync-service.js';
import type { RaftNode } from '../node/index.js';

/**
 * SyncService.Sync on every node: an edge's batch becomes one replicated command (passed to
 * the leader from a follower), applied whole or not at all; the answer is the edge's cursor,
 * the highest op id this cluster holds for it. Needs the admin token when auth is on.
 */
export function syncTargetHandler(node: RaftNode, auth: TokenAuth, clock: Clock, metrics: SyncTargetMetrics): SyncHandler {
  return async (batch: SyncBatch, context: CallContext): Promise<bigint> => {
    try {
      const applied = await applyBatch(node, auth, clock, batch, context);
      metrics.opsApplied.inc({ edge: batch.edgeId }, applied.applied + applied.superseded);
      metrics.opsDuplicate.inc({ edge: batch.edgeId }, applied.duplicates);
      return BigInt(applied.cursor);
    } catch (error) {
      metrics.batchesRefused.inc({ cause: refusalCause(error) });
      throw error;
    }
  };
}

/** The label a refused batch is counted under. */
function refusalCause(error: unknown): string {
  if (isChronosError(error, 'UNAUTHENTICATED') || isChronosError(error, 'PERMISSION_DENIED')) return 'auth';
  if (isChronosError(error, 'SCHEMA_MISMATCH')) return 'schema';
  if (isChronosError(error, 'INVALID_ARGUMENT')) return 'invalid';
  return 'unavailable';
}

/** Checks the caller and the ids, then applies the batch through the log. */
async function applyBatch(node: RaftNode, auth: TokenAuth, clock: Clock, batch: SyncBatch,
  context: CallContext): Promise<SyncApplied> {
  const decision = auth.checkToken(context.token);
  if (!decision.ok) throw new ChronosError('UNAUTHENTICATED', `${decision.reason} bearer token`);
  if (decision.level !== 'admin' && decision.level !== 'open') {
    throw new ChronosError('PERMISSION_DENIED', 'Sync needs the admin token (CHRONOS_AUTH_TOKEN_ADMIN)');
  }
  if (batch.edgeId === '') throw new ChronosError('INVALID_ARGUMENT', 'Sync needs an edge_id');
  let previous = 0n;
  const ops = batch.operations.map((op) => {
    if (op.id <= 0n || op.id > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new ChronosError('INVALID_ARGUMENT', `op id ${op.id} is outside 1..2^53-1`);
    }
    // The target keeps one cursor per edge and skips ids at or below it: an op after a higher
    // id would be skipped unstored while `applied` told the edge to drop it from its outbox.
    if (op.id <= previous) {
      throw new ChronosError('INVALID_ARGUMENT', `op ids must ascend within a batch: ${op.id} follows ${previous}; nothing was applied`);
    }
    previous = op.id;
    return { id: Number(op.id), data: op.data };
  });
  const outcome = await node.submitCommand({ kind: 'syncBatch', batch: { edgeId: batch.edgeId, nowMs: clock.nowMs(), ops } });
  if (outcome.kind !== 'sync') throw new ChronosError('CORRUPTION', `a sync batch applied as ${outcome.kind}`);
  return outcome.applied;
}
