import { appendAll, assert } from '../lib/index.js';
import { isChronosError } from '../lib/index.js';
import { Random } from '../lib/index.js';
import { readLeaseDurationMs } from '../node/index.js';
import { resolveRaftConfig } from '../raft/index.js';
import type { Entry, Membership, NodeId, ReadState } from '../raft/index.js';
import { InvariantViolation, SafetyChecker, entryKey } from './checkers.js';
import { encodeCommand } from './kv.js';
import { swarmFaults } from './sim-faults.js';
import type { SimFaults } from './sim-faults.js';
import { SimNetwork } from './sim-network.js';
import { largestMinority } from './minority.js';
import { SimNode } from './sim-node.js';
import type { CrashPoint, SimNodeHooks } from './sim-node.js';

const STEP_MS = 10;
const TICK_MS = 100;
/** The lease a node derives from these ticks and the default election timeout. */
const READ_LEASE_MS = readLeaseDurationMs(TICK_MS, resolveRaftConfig({ id: 'x', voters: ['x'] }).electionTicksMin);
/** Ready rounds per node per step; each round's messages go to the network, so it drains. */
const READY_ROUNDS_PER_STEP_MAX = 4;
const PERSIST_STALL_MS_MAX = 2_000;
const CRASH_POINTS: readonly CrashPoint[] = ['beforePersist', 'afterPersist', 'afterSend'];

/** One simulation run: seed, cluster size, length of the fault phase. */
export interface SimOptions {
  readonly seed: number;
  readonly nodes: 3 | 5;
  readonly steps: number;
  /** Overrides; unset rates are drawn from the seed (swarm testing). */
  readonly faults?: Partial<SimFaults>;
  /** Budget for the healed cluster to converge. */
  readonly livenessSteps?: number;
  /** Planted bug for tests: a node that lost its disk comes back without its recovering mark. */
  readonly plantLostRecoveringMark?: boolean;
  /**
   * The cluster starts as one voter and grows by adding learners that are promoted once caught
   * up (a lone voter wins elections alone, before its term is durable). Drawn from the seed
   * when unset.
   */
  readonly growFromOneVoter?: boolean;
  /**
   * Leader read leases of this many ms (0: off). Drawn from the seed when unset: off, or the
   * length the node derives from its ticks; a test plants a lease longer than the followers'
   * stickiness to see stale reads caught.
   */
  readonly readLeaseMs?: number;
}

/** Summary of a passing run. */
export interface SimResult {
  readonly seed: number;
  readonly steps: number;
  readonly maxTerm: number;
  readonly leaders: number;
  readonly acknowledged: number;
  readonly reads: number;
  readonly crashes: number;
  readonly diskLosses: number;
  readonly membershipChanges: number;
  readonly delivered: number;
  /** Persists that stalled for hundreds of ms while the node went on stepping. */
  readonly persistStalls: number;
  /** Voters of the final leader (a cluster grown from one voter ends with more). */
  readonly voters: number;
  /** FNV-1a over every node's state after each step: equal for equal seeds. */
  readonly traceHash: number;
  /** Whether the cluster, at rest after healing, was restarted with a minority kept down. */
  readonly restartedAtRest: boolean;
}

/** A failed run: names the seed and step, so `runSeed(seed)` replays it. */
export class SimulationFailure extends Error {
  override readonly name = 'SimulationFailure';
  readonly seed: number;
  readonly step: number;

  constructor(seed: number, nodes: number, step: number, cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(`simulation failed: seed=${seed} nodes=${nodes} step=${step}: ${why}`, { cause });
    this.seed = seed;
    this.step = step;
  }
}

interface Proposal {
  readonly index: number;
  readonly key: string;
}

/** Runs one seeded cluster through a fault phase, then a healed liveness phase. */
export function runSimulation(options: SimOptions): SimResult {
  return new Simulation(options).run();
}

/**
 * Replays a seed as the CLI runs it (odd seeds 5 nodes, even 3; 1,500 steps). The seed tests
 * run every seed at both sizes: pass `nodes` from the failure message.
 */
export function runSeed(seed: number, nodes: 3 | 5 = seed % 2 === 0 ? 3 : 5,
  steps = 1_500): SimResult {
  return runSimulation({ seed, nodes, steps });
}

class Simulation {
  readonly #options: SimOptions;
  readonly #random: Random;
  readonly #faults: SimFaults;
  readonly #network: SimNetwork;
  readonly #nodes: SimNode[];
  readonly #checker = new SafetyChecker();
  readonly #hooks: SimNodeHooks;
  #nowMs = 0;
  #step = 0;
  #valueSequence = 0;
  #requestSequence = 0;
  #crashes = 0;
  #diskLosses = 0;
  #membershipChanges = 0;
  #persistStalls = 0;
  #reads = 0;
  #healAtMs = 0;
  #trace = 0x811c9dc5;
  #faultsOn = true;
  /** Whether steps propose writes and issue reads (off while the cluster is left at rest). */
  #workloadOn = true;
  /** Proposals per node incarnation ("id#incarnation"), acknowledged when applied there. */
  readonly #pending = new Map<string, Map<number, string>>();
  readonly #acknowledged: Proposal[] = [];
  /** ReadIndex requests: the highest acknowledged index when each was issued. */
  readonly #readFloors = new Map<number, number>();
  /** The incarnation and term each node was last seen leading. */
  readonly #ledTerms = new Map<string, string>();

  constructor(options: SimOptions) {
    assert(options.steps >= 0 && Number.isSafeInteger(options.steps), 'steps must be >= 0');
    this.#options = options;
    this.#random = new Random(options.seed);
    const growing = options.growFromOneVoter ?? this.#random.chance(0.25);
    // A growing cluster needs membership changes to grow at all.
    const growth = growing ? { membershipRate: this.#random.pick([0.002, 0.01]) } : {};
    this.#faults = swarmFaults(this.#random, { ...growth, ...options.faults });
    this.#network = new SimNetwork(this.#random.fork(), this.#faults);
    const ids = Array.from({ length: options.nodes }, (_, i) => `n${i + 1}`);
    const voters = growing ? ids.slice(0, 1) : ids;
    const leaseMs = options.readLeaseMs ?? this.#random.pick([0, READ_LEASE_MS]);
    const readLease = leaseMs > 0 ? { nowMs: () => this.#nowMs, durationMs: leaseMs } : null;
    this.#nodes = ids.map((id) => new SimNode(id, {
      id, voters, maxEntriesPerAppend: this.#random.pick([1, 4, 64]),
      maxInflightAppends: this.#random.pick([1, 4]), readLease,
    }, this.#random.fork(), this.#faults.compactEveryEntries));
    this.#hooks = {
      send: (_node, messages) => {
        for (const message of messages) this.#network.send(message, this.#nowMs);
      },
      applied: (node, entry) => this.#onApplied(node, entry),
      readState: (node, readState) => this.#onReadState(node, readState),
    };
  }

  run(): SimResult {
    try {
      for (; this.#step < this.#options.steps; this.#step += 1) this.#runStep();
      this.#liveness();
      // The counts describe the fault and healing phases; the restart adds its own crashes.
      const result = this.#result();
      const restarted = this.#restartMajority();
      return { ...result, restartedAtRest: restarted };
    } catch (error) {
      throw new SimulationFailure(this.#options.seed, this.#options.nodes, this.#step, error);
    }
  }

  #result(): Omit<SimResult, 'restartedAtRest'> {
    return {
      seed: this.#options.seed, steps: this.#step, leaders: this.#checker.leaderCount,
      maxTerm: Math.max(...this.#nodes.map((node) => node.core?.status().term ?? 0)),
      acknowledged: this.#acknowledged.length, reads: this.#reads, crashes: this.#crashes,
      diskLosses: this.#diskLosses,
      membershipChanges: this.#membershipChanges,
      delivered: this.#network.delivered, persistStalls: this.#persistStalls,
      voters: this.#leader()?.core?.status().voters.length ?? 0, traceHash: this.#trace >>> 0,
    };
  }

  #runStep(): void {
    this.#nowMs += STEP_MS;
    if (this.#faultsOn) this.#injectFaults();
    const due = this.#network.due(this.#nowMs);
    for (const message of due) {
      this.#nodes.find((node) => node.id === message.to)?.core?.step(message);
    }
    let busy = due.length > 0;
    for (const node of this.#nodes) {
      if (node.core === null) {
        if (this.#nowMs >= node.restartAtMs) node.restart();
        continue;
      }
      if ((this.#nowMs - node.tickOffsetMs) % TICK_MS === 0) {
        node.core.tick();
        busy = true;
      }
    }
    if (this.#workloadOn && this.#random.chance(this.#faults.proposeRate)) this.#propose();
    if (this.#workloadOn && this.#random.chance(this.#faults.readRate)) this.#read();
    for (const node of this.#nodes) busy = this.#drainReady(node) || busy;
    // Nothing stepped, ticked or changed: the state is the one already checked.
    if (!busy) return;
    this.#checker.check(this.#nodes);
    this.#hashState();
  }

  /** Runs a node's pending Ready rounds; returns whether anything happened. */
  #drainReady(node: SimNode): boolean {
    const restartAtMs = this.#nowMs + this.#random.between(STEP_MS, this.#faults.downtimeMsMax);
    let busy = false;
    const commitBefore = node.core?.status().commitIndex ?? 0;
    if (this.#faultsOn && this.#justElected(node) &&
      this.#random.chance(this.#faults.crashAfterElectionRate)) {
      node.pendingCrash = 'beforePersist';
    }
    for (let round = 0; round < READY_ROUNDS_PER_STEP_MAX; round += 1) {
      const core = node.core;
      if (core === null) break;
      if (node.persisting) {
        busy = true;
        if (!node.finishIfDue(this.#hooks, this.#nowMs, restartAtMs)) return this.#crashed(node);
        if (node.persisting) break;
        continue;
      }
      if (!core.hasReady()) break;
      busy = true;
      if (!node.beginReady(this.#hooks, this.#nowMs, this.#persistMs(), restartAtMs)) {
        return this.#crashed(node);
      }
    }
    const status = node.core?.status();
    if (this.#faultsOn && status?.role === 'Leader' && status.commitIndex > commitBefore &&
      this.#random.chance(this.#faults.crashAfterCommitRate)) {
      node.pendingCrash = 'afterSend';
    }
    // A crash that did not strike inside a Ready strikes now (maybe mid-fsync).
    if (node.core !== null && node.pendingCrash !== null) {
      node.crash(restartAtMs);
      return this.#crashed(node);
    }
    return busy;
  }

  /** True the first time a node is seen leading a term (per incarnation). */
  #justElected(node: SimNode): boolean {
    const status = node.core?.status();
    if (status?.role !== 'Leader') return false;
    const term = `${node.incarnation}/${status.term}`;
    if (this.#ledTerms.get(node.id) === term) return false;
    this.#ledTerms.set(node.id, term);
    return true;
  }

  #crashed(node: SimNode): true {
    this.#crashes += 1;
    this.#pending.delete(`${node.id}#${node.incarnation}`);
    return true;
  }

  /** How long the next persist takes: a few ms, or a stall while faults are on. */
  #persistMs(): number {
    const stall = this.#random.chance(this.#faults.persistStallRate) && this.#faultsOn;
    if (!stall) return this.#random.int(this.#faults.persistMsMax + 1);
    this.#persistStalls += 1;
    return this.#random.between(200, PERSIST_STALL_MS_MAX);
  }

  #injectFaults(): void {
    const faults = this.#faults;
    if (this.#network.partitioned && this.#nowMs >= this.#healAtMs) this.#network.heal();
    if (!this.#network.partitioned && this.#random.chance(faults.partitionRate)) {
      const shuffled = [...this.#nodes.map((node) => node.id)];
      const sideA: NodeId[] = [];
      // Half the partitions isolate the leader: that is where old-term entries linger.
      const leader = this.#random.chance(0.5) ? this.#leader() : undefined;
      if (leader !== undefined) shuffled.splice(shuffled.indexOf(leader.id), 1);
      if (leader !== undefined) sideA.push(leader.id);
      const size = this.#random.between(1, Math.floor(this.#nodes.length / 2));
      while (sideA.length < size) {
        appendAll(sideA, shuffled.splice(this.#random.int(shuffled.length), 1));
      }
      this.#network.partition(sideA, shuffled);
      this.#healAtMs = this.#nowMs + this.#random.between(100, faults.partitionDurationMsMax);
    }
    if (this.#random.chance(faults.crashRate)) {
      const node = this.#random.pick(this.#nodes);
      if (node.core !== null) node.pendingCrash = this.#random.pick(CRASH_POINTS);
    }
    if (this.#random.chance(faults.transferRate)) {
      const leader = this.#leader();
      const target = this.#random.pick(this.#nodes.filter((node) => node !== leader));
      expectRefusal(() => leader?.core?.transferLeadership(target.id));
    }
    if (this.#random.chance(faults.membershipRate)) this.#changeMembership();
    if (this.#random.chance(faults.diskLossRate)) this.#loseDisk();
  }

  /**
   * One node loses its disk, as in the guide's Replace Failed Node: only while there are three
   * voters, no membership change is under way and every node is up and caught up, since Raft
   * tolerates one lost disk at a time, not a second before the first has been repaired.
   */
  #loseDisk(): void {
    // Caught up on disk, not only in memory: a node whose first fsync is still in flight (or
    // never finished before a crash) holds nothing durable yet, a lost disk of its own.
    const allCaughtUp = this.#nodes.every((node) =>
      node.core !== null && !node.core.status().recovering && !node.durablyRecovering);
    // A lone voter's disk is the only copy of the log: the procedure needs three voters, and
    // no membership change under way (every node has committed the leader's members).
    const settled = this.#leader()?.core?.status();
    const setOf = (voters: readonly NodeId[]): string => [...voters].sort().join(',');
    const oneMembership = settled !== undefined && settled.learners.length === 0 &&
      this.#nodes.every((node) => setOf(node.core?.status().voters ?? []) === setOf(settled.voters));
    if (!allCaughtUp || !oneMembership || settled.voters.length < 3) return;
    const node = this.#random.pick(this.#nodes);
    const restartAtMs = this.#nowMs + this.#random.between(STEP_MS, this.#faults.downtimeMsMax);
    // The operator starts the replacement with the cluster's current members.
    node.loseDisk(restartAtMs, this.#random.pick(['wiped', 'olderImage'] as const),
      this.#options.plantLostRecoveringMark === true, settled.voters);
    this.#pending.delete(`${node.id}#${node.incarnation}`);
    this.#diskLosses += 1;
  }

  /**
   * One membership step: a removed node comes back as a learner (the leader promotes it once
   * it has caught up), or a voter (maybe the leader itself) is removed.
   */
  #changeMembership(): void {
    const core = this.#leader()?.core;
    if (core == null) return;
    const { voters, learners } = core.status();
    if (learners.length > 0) return;
    const missing = this.#nodes.map((node) => node.id).filter((id) => !voters.includes(id));
    const next: Membership = missing.length > 0
      ? { voters, learners: [this.#random.pick(missing)] }
      : { voters: voters.filter((id) => id !== this.#random.pick(voters)) };
    // Never remove below three voters: with two, one crash stops the cluster for good.
    if (missing.length === 0 && next.voters.length < 3) return;
    expectRefusal(() => {
      core.proposeMembership(next);
      this.#membershipChanges += 1;
    });
  }

  #leader(): SimNode | undefined {
    let best: SimNode | undefined;
    for (const node of this.#nodes) {
      const status = node.core?.status();
      if (status?.role !== 'Leader') continue;
      if (best === undefined || status.term > (best.core?.status().term ?? 0)) best = node;
    }
    return best;
  }

  #propose(): void {
    // Clients mostly find the leader; sometimes they ask a stale or wrong node.
    const leader = this.#leader();
    if (leader === undefined && this.#random.chance(0.9)) return;
    const node = (this.#random.chance(0.9) ? leader : undefined) ??
      this.#random.pick(this.#nodes);
    const core = node.core;
    if (core === null) return;
    this.#valueSequence += 1;
    const command = { key: `k${this.#random.int(8)}`, value: `v${this.#valueSequence}` };
    try {
      const index = core.propose(encodeCommand(command));
      const key = `${node.id}#${node.incarnation}`;
      const pending = this.#pending.get(key) ?? new Map<number, string>();
      pending.set(index, `${core.status().term}/command/${command.key}=${command.value}`);
      this.#pending.set(key, pending);
    } catch (error) {
      if (!isChronosError(error, 'NOT_LEADER') && !isChronosError(error, 'UNAVAILABLE')) {
        throw error;
      }
    }
  }

  #read(): void {
    const node = this.#random.pick(this.#nodes);
    if (node.core === null) return;
    this.#requestSequence += 1;
    const floor = this.#acknowledged.reduce((max, p) => Math.max(max, p.index), 0);
    try {
      node.core.readIndex(this.#requestSequence);
      this.#readFloors.set(this.#requestSequence, floor);
    } catch (error) {
      if (!isChronosError(error, 'NOT_LEADER') && !isChronosError(error, 'UNAVAILABLE')) {
        throw error;
      }
    }
  }

  #onApplied(node: SimNode, entry: Entry): void {
    this.#checker.onApply(node, entry);
    const pending = this.#pending.get(`${node.id}#${node.incarnation}`);
    const expected = pending?.get(entry.index);
    if (expected === undefined) return;
    pending?.delete(entry.index);
    if (expected === entryKey(entry)) {
      this.#acknowledged.push({ index: entry.index, key: expected });
    }
  }

  /** Linearizable reads: the read point covers every write acknowledged before the read. */
  #onReadState(node: SimNode, readState: ReadState): void {
    const floor = this.#readFloors.get(readState.requestId);
    if (floor === undefined) return;
    this.#readFloors.delete(readState.requestId);
    this.#reads += 1;
    if (readState.index < floor) {
      throw new InvariantViolation(`read ${readState.requestId} on ${node.id} got index ` +
        `${readState.index}, below acknowledged write ${floor}`);
    }
  }

  #hashState(): void {
    let hash = this.#trace;
    for (const node of this.#nodes) {
      const status = node.core?.status();
      for (const value of [status?.term ?? -1, status?.commitIndex ?? -1, node.appliedIndex]) {
        hash = Math.imul(hash ^ value, 0x01000193) >>> 0;
      }
    }
    this.#trace = hash;
  }

  /** Heals everything, then requires a leader and every acknowledged write everywhere. */
  #liveness(): void {
    this.#faultsOn = false;
    this.#network.heal();
    this.#network.setFaults({ dropRate: 0, duplicateRate: 0, delayMinMs: 1, delayMaxMs: 20, lateRate: 0 });
    for (const node of this.#nodes) {
      node.pendingCrash = null;
      if (node.core === null) node.restartAtMs = this.#nowMs;
    }
    this.#converge('after healing', () => true);
    this.#checkConverged();
  }

  /**
   * A rolling restart of a cluster at rest, as a token rotation does it: a minority of voters
   * stays down (it cannot talk to the rest) while the others restart. Every node kept its
   * disk and had caught up, so none may come back believing it lost entries and refuse the
   * others its vote: the majority must elect a leader and commit again on its own.
   */
  #restartMajority(): boolean {
    const voters = this.#leader()?.core?.status().voters ?? [];
    if (voters.length < 3) return false;
    this.#workloadOn = false;
    this.#awaitRest(voters);
    this.#workloadOn = true;
    const down = largestMinority(this.#random, voters);
    for (const node of this.#nodes) {
      if (!voters.includes(node.id) || node.core === null) continue;
      node.crash(down.has(node.id) ? Number.POSITIVE_INFINITY : this.#nowMs + STEP_MS);
      this.#crashed(node);
    }
    this.#converge(`restarting all voters but ${[...down].join(', ')}`, (node) => !down.has(node.id));
    return true;
  }

  /**
   * Steps with no workload until every voter holds the leader's whole log, knows it committed
   * and has applied it, and none is recovering: a cluster at rest.
   */
  #awaitRest(voters: readonly NodeId[]): void {
    const budget = this.#step + (this.#options.livenessSteps ?? 4_000);
    for (; this.#step < budget; this.#step += 1) {
      this.#runStep();
      const leader = this.#leader()?.core?.status();
      if (leader === undefined) continue;
      const atRest = this.#nodes.every((node) => {
        if (!voters.includes(node.id)) return true;
        const status = node.core?.status();
        return status !== undefined && !node.persisting && !status.recovering &&
          status.lastIndex === leader.lastIndex && status.commitIndex === leader.lastIndex &&
          node.appliedIndex === leader.lastIndex;
      });
      if (atRest) return;
    }
    throw new InvariantViolation(`no liveness: the healed cluster did not come to rest ` +
      `(${this.#describeNodes()})`);
  }

  /**
   * Steps until a leader has committed and applied a new entry on every voter `mustApply`
   * selects (removed nodes no longer receive the log); throws if the budget runs out.
   */
  #converge(what: string, mustApply: (node: SimNode) => boolean): void {
    const budget = this.#step + (this.#options.livenessSteps ?? 4_000);
    let finalIndex = 0;
    let finalNode: string | null = null;
    for (; this.#step < budget; this.#step += 1) {
      this.#runStep();
      const leader = this.#leader();
      if (leader?.core == null) continue;
      const key = `${leader.id}#${leader.incarnation}`;
      if (finalNode !== key) {
        try {
          finalIndex = leader.core.propose(encodeCommand({ key: 'final', value: key }));
          finalNode = key;
        } catch (error) {
          if (!isChronosError(error, 'UNAVAILABLE')) throw error;
        }
        continue;
      }
      const voters = leader.core.status().voters;
      if (this.#nodes.every((node) => !voters.includes(node.id) || !mustApply(node) ||
        (node.core !== null && node.appliedIndex >= finalIndex))) return;
    }
    throw new InvariantViolation(`no liveness: cluster did not converge ${what} ` +
      `(leader ${this.#leader()?.id ?? 'none'}, final index ${finalIndex}; ${this.#describeNodes()})`);
  }

  /** Each node's role, term, log end and recovery state, for failure messages. */
  #describeNodes(): string {
    return this.#nodes.map((node) => {
      const status = node.core?.status();
      if (status === undefined) return `${node.id} down`;
      return `${node.id} ${status.role} t${status.term} last ${status.lastIndex} ` +
        `commit ${status.commitIndex}${status.recovering ? ' recovering' : ''}`;
    }).join(', ');
  }

  #checkConverged(): void {
    const appliedLog = this.#checker.appliedLog;
    const finalIndex = Math.max(0, ...this.#nodes.map((node) => node.appliedIndex));
    for (const proposal of this.#acknowledged) {
      assert(proposal.index <= finalIndex, `acknowledged ${proposal.index} never applied`);
      if (appliedLog.get(proposal.index) !== proposal.key) {
        throw new InvariantViolation(`acknowledged write ${proposal.key} at ${proposal.index} ` +
          'is not the applied entry there');
      }
    }
    for (const node of this.#nodes) {
      const expectedKv = replay(appliedLog, node.appliedIndex);
      const same = node.kv.size === expectedKv.size &&
        [...expectedKv].every(([k, v]) => node.kv.get(k) === v);
      if (!same) throw new InvariantViolation(`${node.id} state machine differs from the log`);
    }
  }
}

/** The KV map the applied log implies up to `appliedIndex` (checks snapshots end to end). */
function replay(appliedLog: ReadonlyMap<number, string>, appliedIndex: number):
  Map<string, string> {
  const kv = new Map<string, string>();
  for (let index = 1; index <= appliedIndex; index += 1) {
    const key = appliedLog.get(index);
    assert(key !== undefined, `no record of applied index ${index}`);
    const [, type, payload = ''] = key.split('/');
    if (type !== 'command') continue;
    const at = payload.indexOf('=');
    kv.set(payload.slice(0, at), payload.slice(at + 1));
  }
  return kv;
}

/** Runs a client action that the cluster may legitimately refuse (leader moved, busy). */
function expectRefusal(action: () => unknown): void {
  try {
    action();
  } catch (error) {
    const refused = isChronosError(error, 'NOT_LEADER') || isChronosError(error, 'UNAVAILABLE') ||
      isChronosError(error, 'INVALID_ARGUMENT');
    if (!refused) throw error;
  }
}
