import { assert, ChronosError, errorMessage, hostClockOf } from '../lib/index.js';
import type { Cancellation, Clock, Logger, Scheduler } from '../lib/index.js';
import type { RaftCore } from '../raft/index.js';
import type { NodeId } from '../raft/index.js';
import { DEFAULT_STATEMENT_LIMITS, encodeInsertsAhead, executeRead } from '../sql/index.js';
import type { StatementLimits } from '../sql/index.js';
import type { StatementResult } from '../sql/index.js';
import { INDEX_BUILD_ROWS_PER_PASS, anyIndexBuilding } from '../storage/index.js';
import type { StorageEngine } from '../storage/index.js';
import type { CallContext, StatementOutcome } from '../transport/index.js';
import { forwardWrite } from './forward-write.js';
import { changeMembership, handOverTarget } from './members.js';
import type { MemberChange, MembersView } from './members.js';
import type { NodeGate } from './node-gate.js';
import type { RemovalWatch } from './removal.js';
import type { PeerTransport } from './node-environment.js';
import type { ProposalTracker } from './proposal-tracker.js';
import type { ReadTracker } from './read-tracker.js';
import type { ReadyLoop } from './ready-loop.js';
import type { WriteHops } from './write-hops.js';
import type { WriteStages } from './write-stages.js';
import { decodeCommandOutcome, encodeCommandOutcome, encodeReplicatedCommand } from './replicated-command.js';
import type { CommandOutcome, ReplicatedCommand } from './replicated-command.js';
import { afterProposing, beforeProposing } from './write-outcome.js';
import { TTL_PASS_ROWS_MAX } from './ttl-passes.js';

/** What serving clients needs from the node. */
export interface ClientRequestParts {
  readonly id: NodeId;
  readonly core: RaftCore;
  readonly storage: StorageEngine;
  readonly peers: PeerTransport;
  readonly proposals: ProposalTracker<CommandOutcome>;
  readonly reads: ReadTracker;
  readonly loop: ReadyLoop;
  readonly gate: NodeGate;
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  readonly log: Logger;
  readonly writeTimeoutMs: number;
  readonly readTimeoutMs: number;
  readonly statementLimits: Omit<StatementLimits, 'signal'> | undefined;
  readonly stages: WriteStages;
  readonly hops: WriteHops;
  /** Refuses requests on a node its log shows removed (they would wait for a leader in vain). */
  readonly removal: Pick<RemovalWatch, 'assertMember'>;
  /** The members view as the node reports it. */
  members(): MembersView;
}

/**
 * Client requests on one node: writes through the log (forwarded from a follower), typed
 * commands, linearizable reads, membership changes and leadership hand-over.
 */
export class ClientRequests {
  readonly #parts: ClientRequestParts;
  /** Log index of the last index-build pass this node proposed as leader (0: none). */
  #indexPassAt = 0;

  constructor(parts: ClientRequestParts) {
    this.#parts = parts;
  }

  /**
   * Applies statements as one atomic command on the leader (forwarding from a follower). A
   * failure says whether the write was applied: NOT_APPLIED before anything left this node or
   * was proposed, OUTCOME_UNKNOWN once it may be in the log.
   */
  async write(statements: readonly string[], context: CallContext): Promise<readonly StatementResult[]> {
    const { gate, peers, core, clock } = this.#parts;
    gate.writesInFlight += 1;
    try {
      let leader: NodeId;
      try {
        gate.assertAcceptingWrites();
        leader = await this.awaitLeader();
      } catch (error) {
        throw beforeProposing(error);
      }
      if (leader !== this.#parts.id) return await forwardWrite(peers, leader, statements, context);
      const nowMs = clock.nowMs();
      await encodeInsertsAhead(statements, () => this.#parts.storage.catalog, nowMs);
      const outcome = await this.#proposeAndWait(() => core.propose(encodeReplicatedCommand({
        kind: 'sqlWrite', write: { statements, nowMs },
      })));
      assert(outcome.kind === 'statements', `a SQL write applied as ${outcome.kind}`);
      return outcome.results;
    } finally {
      gate.writesInFlight -= 1;
    }
  }

  /** Serves statements a follower forwarded (this node should be the leader). */
  async handleForward(statements: readonly string[], context: CallContext): Promise<readonly StatementOutcome[]> {
    try {
      const results = await this.write(statements, context);
      return results.map((result) => ({ ok: true, result }));
    } catch (error) {
      return [{ ok: false, error }];
    }
  }

  /** Proposes a typed command on the leader (passed on from a follower); resolves once applied. */
  async submitCommand(command: ReplicatedCommand): Promise<CommandOutcome> {
    this.#parts.gate.assertRunning();
    const leader = await this.awaitLeader();
    const data = encodeReplicatedCommand(command);
    if (leader === this.#parts.id) return this.#proposeAndWait(() => this.#parts.core.propose(data));
    return decodeCommandOutcome(await this.#parts.peers.forwardCommand(leader, data));
  }

  /** Proposes a command a follower passed on (this node must still lead). */
  async handleForwardedCommand(data: Uint8Array): Promise<Uint8Array> {
    this.#parts.gate.assertRunning();
    return encodeCommandOutcome(await this.#proposeAndWait(() => this.#parts.core.propose(data)));
  }

  /** A linearizable read: ReadIndex, wait for that index's apply, then run on a snapshot. */
  async read(sql: string, signal: Cancellation | undefined): Promise<StatementResult> {
    const { gate, reads, loop, core, storage, clock } = this.#parts;
    gate.assertRunning();
    await this.awaitLeader();
    const { requestId, ready } = reads.begin(this.#parts.readTimeoutMs);
    loop.enqueue(() => {
      try {
        core.readIndex(requestId);
      } catch (error) {
        reads.fail(requestId, error instanceof Error ? error : new Error(String(error)));
      }
    });
    await ready;
    const reader = await storage.reader();
    try {
      const limits = this.#parts.statementLimits ?? DEFAULT_STATEMENT_LIMITS;
      return await executeRead(sql, reader, clock.nowMs(), { ...limits, signal });
    } finally {
      await reader.close();
    }
  }

  /** On the leader: replicate a TTL pass at the current time (followers do nothing). */
  proposeTtlSweep(): void {
    const { loop, core, clock, log } = this.#parts;
    loop.enqueue(() => {
      if (core.status().role !== 'Leader') return;
      try {
        core.propose(encodeReplicatedCommand({ kind: 'ttlSweep', nowMs: clock.nowMs(), rowsMax: TTL_PASS_ROWS_MAX }));
      } catch (error) {
        // Leadership moved between the check and the proposal: the new leader runs the pass.
        log.debug('TTL pass not proposed', { error: errorMessage(error) });
      }
    });
  }

  /**
   * On the leader, while an index is being built: replicate its next pass, unless the last pass
   * this leader proposed is still to be applied (one pass waits in the log at a time, so writes
   * interleave with the passes). Followers and a leader with nothing building do nothing.
   */
  proposeIndexBuild(): void {
    const { loop, core, storage, log } = this.#parts;
    loop.enqueue(() => {
      if (core.status().role !== 'Leader' || this.#indexPassAt > storage.appliedIndex) return;
      if (!anyIndexBuilding(storage.catalog.tables())) return;
      try {
        this.#indexPassAt = core.propose(encodeReplicatedCommand({ kind: 'indexBuild', rowsMax: INDEX_BUILD_ROWS_PER_PASS }));
      } catch (error) {
        log.debug('index build pass not proposed', { error: errorMessage(error) });
      }
    });
  }

  /**
   * Adds or removes a member through the log. Any member accepts the request and passes it to
   * the leader; a leader asked to remove itself hands leadership over first.
   */
  changeMembership(change: MemberChange): Promise<MembersView> {
    const { gate, core, peers, scheduler } = this.#parts;
    gate.assertRunning();
    return changeMembership(change, {
      self: this.#parts.id,
      awaitLeader: () => this.awaitLeader(),
      handOver: () => this.transferLeadership(this.#parts.writeTimeoutMs),
      members: () => ({ membership: core.status().membership, view: this.#parts.members() }),
      passOn: (leader) => peers.changeMembership(leader, change),
      propose: async (next) => {
        await this.#proposeAndWait(() => core.proposeMembership(next));
      },
      wait: (ms) => scheduler.sleep(ms),
      log: this.#parts.log,
    });
  }

  /** Hands leadership to the most caught-up other voter; waits up to `timeoutMs`. */
  async transferLeadership(timeoutMs: number): Promise<void> {
    const { core, loop, clock, scheduler, log } = this.#parts;
    const target = handOverTarget(core);
    if (target === null) return;
    loop.enqueue(() => core.transferLeadership(target));
    const deadline = clock.nowMs() + timeoutMs;
    while (clock.nowMs() < deadline && core.status().role === 'Leader') await scheduler.sleep(20);
    log.info('leadership transfer', { target, done: core.status().role !== 'Leader' });
  }

  /** Waits (up to one read timeout) until some node is known as leader. */
  async awaitLeader(): Promise<NodeId> {
    const { gate, core, clock, scheduler, readTimeoutMs } = this.#parts;
    const deadline = clock.nowMs() + readTimeoutMs;
    for (;;) {
      gate.assertRunning();
      const leader = core.status().leader;
      if (leader !== null) return leader;
      this.#parts.removal.assertMember();
      if (clock.nowMs() >= deadline) {
        throw new ChronosError('NO_QUORUM', `no leader elected within ${readTimeoutMs} ms: a majority of nodes is unreachable`);
      }
      await scheduler.sleep(25);
    }
  }

  /** Proposes through `append` and waits for the entry's apply; failures say if it applied. */
  async #proposeAndWait(append: () => number): Promise<CommandOutcome> {
    const waiting = await this.#proposeEntry(append);
    try {
      return await waiting;
    } catch (error) {
      throw afterProposing(error);
    }
  }

  /** Runs `append` (a core proposal) in the loop; resolves to the wait for its apply. */
  #proposeEntry(append: () => number): Promise<Promise<CommandOutcome>> {
    const { loop, gate, proposals, core, writeTimeoutMs, stages, hops } = this.#parts;
    const enqueuedMs = performance.now();
    return new Promise((resolve, reject) => {
      loop.enqueue(() => {
        try {
          gate.assertAcceptingWrites();
          const index = append();
          stages.proposed(index, enqueuedMs, performance.now());
          hops.proposed(index, hostClockOf(enqueuedMs));
          resolve(proposals.wait(index, core.status().term, writeTimeoutMs));
        } catch (error) {
          reject(beforeProposing(error));
        }
      });
    });
  }
}
