import { assert, assertNever, isChronosError } from '../lib/index.js';
import type { Logger } from '../lib/index.js';
import type { Entry } from '../raft/index.js';
import { applyWriteCommand, sweepExpired } from '../sql/index.js';
import { applyIngestBatch, applyPointBatch } from '../ingest/index.js';
import { TRANSACTION_WRITE_BYTES_MAX } from '../storage/index.js';
import type { StorageEngine, WriteTransaction } from '../storage/index.js';
import type { ApplyOutcome, ProposalTracker } from './proposal-tracker.js';
import { decodeReplicatedCommand } from './replicated-command.js';
import { applyClusterBirth } from './cluster-identity.js';
import type { TtlPasses } from './ttl-passes.js';
import { acknowledgeOutbox, applyCapturedWrite, applySyncBatch, capturingOps } from '../sync/index.js';

/** On a node with a sync target: its writes are queued for the target as they apply. */
export interface SyncCapture {
  readonly nodeId: string;
}
import type { CommandOutcome, ReplicatedCommand } from './replicated-command.js';

/** The batch a `syncBatch` command carries. */
type SyncBatchCommand = Extract<ReplicatedCommand, { kind: 'syncBatch' }>['batch'];

/**
 * Applies committed entries in one storage transaction, committed together with the last
 * entry's index (exactly-once across crashes), and answers the proposals that waited on them.
 * A statement's error is its deterministic result on every replica, not a failure of apply.
 *
 * The answers go out once the entries have executed, while their LevelDB batch is written: the
 * entries are committed in the Raft log (durable on a majority), so a crash now replays them to
 * the same outcomes, and a read waits for the storage's applied index, which moves only when the
 * batch is written, so nobody reads around an answered write.
 */
export async function applyCommittedEntries(
  storage: StorageEngine,
  entries: readonly Entry[],
  proposals: ProposalTracker<CommandOutcome>,
  log: Logger,
  options: {
    readonly sync: boolean; readonly capture: SyncCapture | null; readonly answered?: () => void;
    /** Told of each TTL pass applied (for /metrics). */
    readonly ttl?: TtlPasses;
  },
): Promise<void> {
  const pending = entries.filter((entry) => entry.index > storage.appliedIndex);
  if (pending.length === 0) return;
  const first = pending[0];
  assert(
    first !== undefined && first.index === storage.appliedIndex + 1,
    `committed entries must continue the applied index ${storage.appliedIndex}, got ${first?.index}`,
  );
  const outcomes: Array<{ index: number; term: number; outcome: ApplyOutcome<CommandOutcome> | null }> = [];
  let txn = await storage.begin();
  let committed = false;
  try {
    let previous = storage.appliedIndex;
    let commandsInTxn = 0;
    for (const entry of pending) {
      assert(entry.index === previous + 1, `gap in committed entries after ${previous}: got ${entry.index}`);
      previous = entry.index;
      if (entry.type !== 'command') {
        // A membership change answers its proposer once applied; a noop has no proposer.
        const outcome = entry.type === 'config'
          ? { ok: true, value: { kind: 'statements', results: [] } } as const : null;
        outcomes.push({ index: entry.index, term: entry.term, outcome });
        continue;
      }
      const before = txn.savepoint();
      let applied = await settled(applyCommand(txn, entry, log, options.capture, options.ttl));
      if (commandsInTxn > 0 && overWriteBudget(applied)) {
        // The write budget counts the whole transaction, so the entries batched before this one
        // count against it; a replica that applied them apart would not. Store them, then apply
        // this entry alone, which is the outcome every replica reaches.
        txn.rollbackTo(before);
        committed = true;
        await txn.commit(entry.index - 1, { sync: options.sync });
        txn = await storage.begin();
        committed = false;
        commandsInTxn = 0;
        applied = await settled(applyCommand(txn, entry, log, options.capture, options.ttl));
      }
      if ('thrown' in applied) throw applied.thrown;
      outcomes.push({ index: entry.index, term: entry.term, outcome: applied.outcome });
      commandsInTxn += 1;
    }
    const committing = txn.commit(previous, { sync: options.sync });
    committed = true;
    for (const { index, term, outcome } of outcomes) proposals.applied(index, term, outcome);
    options.answered?.();
    await committing;
  } finally {
    if (!committed) await txn.rollback();
  }
}

type Settled = { readonly outcome: ApplyOutcome<CommandOutcome> } | { readonly thrown: unknown };

async function settled(applying: Promise<ApplyOutcome<CommandOutcome>>): Promise<Settled> {
  return applying.then((outcome) => ({ outcome }), (thrown: unknown) => ({ thrown }));
}

/** True when the entry failed on the transaction's write budget (write-budget.ts). */
function overWriteBudget(applied: Settled): boolean {
  const failure = 'thrown' in applied ? applied.thrown : applied.outcome.ok ? null : applied.outcome.error;
  return isChronosError(failure, 'LIMIT_EXCEEDED') && failure.details['bytesMax'] === TRANSACTION_WRITE_BYTES_MAX;
}

/** The answer to an index-build pass that found no index being built. */
export const NO_INDEX_BUILDING = 'No index is being built';

/** Runs one command entry inside the apply transaction; its outcome answers the proposer. */
async function applyCommand(
  txn: WriteTransaction,
  entry: Entry,
  log: Logger,
  capture: SyncCapture | null,
  ttl: TtlPasses | undefined,
): Promise<ApplyOutcome<CommandOutcome>> {
  const command = decodeReplicatedCommand(entry.data);
  switch (command.kind) {
    case 'sqlWrite': {
      const result = capture === null
        ? await applyWriteCommand(command.write, txn)
        : await applyCapturedWrite(command.write, txn, capture.nodeId);
      if (!result.ok && log.enabled('debug')) {
        log.debug('statement failed at apply', { index: entry.index, error: result.error.message });
      }
      return result.ok ? { ok: true, value: { kind: 'statements', results: result.results } }
        : { ok: false, error: result.error };
    }
    case 'ttlSweep': {
      const { deleted, bounded } = await sweepExpired(txn, command.nowMs, command.rowsMax);
      ttl?.applied(command.nowMs, deleted, bounded);
      if (deleted > 0) log.info('TTL pass removed expired rows', { index: entry.index, deleted, ...(bounded ? { moreLeft: true } : {}) });
      return messageOutcome(`Expired ${deleted} rows`, deleted);
    }
    case 'ingestBatch': {
      const batch = command.batch;
      // On an edge the stored readings are queued for the target like any other rows.
      return refusedOutOfOrder(txn, async () => {
        const applied = capture === null ? await applyIngestBatch(txn, batch)
          : await capturingOps(txn, batch.nowMs, capture.nodeId, () => applyIngestBatch(txn, batch));
        if (applied.problem !== null) log.error('ingest batch not stored', { index: entry.index, problem: applied.problem });
        return { kind: 'ingest', applied };
      });
    }
    case 'pointBatch': {
      const batch = command.batch;
      return refusedOutOfOrder(txn, async () => {
        const applied = capture === null ? await applyPointBatch(txn, batch)
          : await capturingOps(txn, batch.nowMs, capture.nodeId, (ops) => applyPointBatch(txn, batch, ops));
        if (applied.skipped > 0) {
          log.error('line-protocol points not stored', { index: entry.index, skipped: applied.skipped, problems: applied.problems.join('; ') });
        }
        return { kind: 'points', applied };
      });
    }
    case 'syncBatch':
      return applyWholeSyncBatch(txn, command.batch, entry, log);
    case 'syncAck': {
      const removed = await acknowledgeOutbox(txn, command.throughId);
      return messageOutcome(`Acknowledged ${removed} ops`, removed);
    }
    case 'clusterBirth':
      return messageOutcome(`Cluster ${await applyClusterBirth(txn, command.clusterId)}`, 0);
    case 'indexBuild': {
      const pass = await txn.buildIndexStep(command.rowsMax);
      if (pass?.done === true) log.info('index built', { index: pass.index, table: pass.table, logIndex: entry.index });
      return pass === undefined ? messageOutcome(NO_INDEX_BUILDING, 0)
        : messageOutcome(`Indexed ${pass.indexed} rows of ${pass.index}`, pass.indexed);
    }
    default:
      return assertNever(command, 'replicated command');
  }
}

/** A command's outcome as one statement's message (a TTL pass, an acknowledgement, a birth). */
function messageOutcome(message: string, rowsAffected: number): ApplyOutcome<CommandOutcome> {
  return { ok: true, value: { kind: 'statements', results: [{ kind: 'message', message, rowsAffected }] } };
}

/** Applies an edge's batch whole or not at all: a refusal rolls back to before it. */
async function applyWholeSyncBatch(
  txn: WriteTransaction, batch: SyncBatchCommand, entry: Entry, log: Logger,
): Promise<ApplyOutcome<CommandOutcome>> {
  const savepoint = txn.savepoint();
  try {
    return { ok: true, value: { kind: 'sync', applied: await applySyncBatch(txn, batch) } };
  } catch (error) {
    // The whole batch or nothing: the edge keeps its ops and sees why.
    txn.rollbackTo(savepoint);
    if (!isChronosError(error)) throw error;
    log.warn('sync batch refused', { index: entry.index, edge: batch.edgeId, error: error.message });
    return { ok: false, error };
  }
}

/**
 * Runs a journal batch's apply; a batch that arrived before the one it follows (NOT_APPLIED,
 * thrown before anything is written) answers its proposer with that error instead.
 */
async function refusedOutOfOrder(txn: WriteTransaction, apply: () => Promise<CommandOutcome>): Promise<ApplyOutcome<CommandOutcome>> {
  const savepoint = txn.savepoint();
  try {
    return { ok: true, value: await apply() };
  } catch (error) {
    if (!isChronosError(error, 'NOT_APPLIED')) throw error;
    txn.rollbackTo(savepoint);
    return { ok: false, error };
  }
}
