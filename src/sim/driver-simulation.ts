import { rmSync } from 'node:fs';
import { assert, isChronosError, Random } from '../lib/index.js';
import type { NodeId } from '../raft/index.js';
import { InvariantViolation, SafetyChecker } from './checkers.js';
import type { CheckedNode } from './checkers.js';
import { swarmDriverFaults } from './driver-faults.js';
import type { DriverFaults } from './driver-faults.js';
import { DriverNetwork } from './driver-network.js';
import { DriverNode, simRoot } from './driver-node.js';
import type { DriverPlants } from './driver-node.js';
import { readSqlState, SETUP_STATEMENTS } from './driver-state.js';
import { largestMinority } from './minority.js';
import { DriverWorkload } from './driver-workload.js';
import { SimScheduler } from './sim-scheduler.js';
import { SimulationFailure } from './simulation.js';

const STEP_MS = 10;
const SETUP_STEPS_MAX = 3_000;
const LIVENESS_STEPS_DEFAULT = 6_000;
/** Steps a converged cluster rests before its rolling restart: several heartbeats. */
const REST_STEPS = 60;

/** One run of real RaftNodes (WAL, storage, SQL apply) under simulated time, disk and network. */
export interface DriverSimOptions {
  readonly seed: number;
  readonly nodes: 3 | 5;
  /** Steps of 10 simulated ms in the fault phase. */
  readonly steps: number;
  /** Overrides; unset rates are drawn from the seed (swarm testing). */
  readonly faults?: Partial<DriverFaults>;
  /** Planted bugs (tests of the simulation itself). */
  readonly plants?: DriverPlants;
  /** Budget for the healed cluster to converge. */
  readonly livenessSteps?: number;
}

/** Summary of a passing run. */
export interface DriverSimResult {
  readonly seed: number;
  readonly steps: number;
  readonly acknowledged: number;
  readonly reads: number;
  readonly crashes: number;
  readonly fsyncFailures: number;
  readonly maxTerm: number;
  readonly leaders: number;
  readonly delivered: number;
  readonly appliedIndex: number;
  /** Whether the converged cluster, at rest, was restarted with a minority kept down. */
  readonly restartedAtRest: boolean;
}

/** Runs one seeded driver simulation; a failure is a SimulationFailure naming seed and step. */
export async function runDriverSimulation(options: DriverSimOptions): Promise<DriverSimResult> {
  const simulation = new DriverSimulation(options);
  try {
    return await simulation.run();
  } catch (error) {
    if (error instanceof SimulationFailure) throw error;
    throw new SimulationFailure(options.seed, options.nodes, simulation.step, error);
  } finally {
    simulation.dispose();
  }
}

/**
 * Faults, clients and checks around real nodes. After every step: election safety, log
 * matching, leader completeness (SafetyChecker over each core's log), and state-machine safety
 * (equal SQL state at equal applied index). After healing: every node converges to the same
 * state, which holds every acknowledged write once and no write answered "not applied".
 */
class DriverSimulation {
  readonly #options: DriverSimOptions;
  readonly #random: Random;
  readonly #faults: DriverFaults;
  readonly #scheduler = new SimScheduler();
  readonly #network: DriverNetwork;
  readonly #nodes: DriverNode[];
  readonly #root = simRoot();
  readonly #checker = new SafetyChecker();
  readonly #workload = new DriverWorkload();
  /** Applied index → SQL state digest seen there (and by whom). */
  readonly #digests = new Map<number, { digest: string; node: NodeId }>();
  readonly #checkedApplied = new Map<NodeId, number>();
  readonly #restartAtMs = new Map<NodeId, number>();
  #healAtMs = 0;
  #crashes = 0;
  #fsyncFailures = 0;
  step = 0;

  constructor(options: DriverSimOptions) {
    assert(options.steps >= 0 && Number.isSafeInteger(options.steps), 'steps must be >= 0');
    this.#options = options;
    this.#random = new Random(options.seed);
    this.#faults = swarmDriverFaults(this.#random, options.faults ?? {});
    this.#network = new DriverNetwork(this.#random.fork(), this.#scheduler, this.#faults);
    const ids = Array.from({ length: options.nodes }, (_, i) => `n${i + 1}`);
    const config = {
      ids,
      raft: { maxEntriesPerAppend: this.#random.pick([1, 4, 64]), maxInflightAppends: this.#random.pick([1, 4]) },
      snapshotEveryEntries: this.#faults.compactEveryEntries,
      fsyncMsMax: this.#faults.fsyncMsMax,
      plants: options.plants ?? {},
    };
    this.#nodes = ids.map((id) => {
      const node = new DriverNode(id, config, this.#random.fork(), this.#root);
      node.onCrashInSync((crashed) => this.#crash(crashed));
      return node;
    });
  }

  async run(): Promise<DriverSimResult> {
    for (const node of this.#nodes) await node.start(this.#scheduler, this.#network);
    await this.#setup();
    for (let i = 0; i < this.#options.steps; i += 1) {
      this.#injectFaults();
      await this.#restartDue();
      this.#sendRequests();
      await this.#advance();
    }
    await this.#healAndConverge();
    // The counts describe the fault and healing phases; the restart adds its own crashes.
    const result = this.#result();
    return { ...result, restartedAtRest: await this.#restartAtRest() };
  }

  /** Ends the run: no node's timers run again; the node dirs go. */
  dispose(): void {
    for (const node of this.#nodes) {
      if (node.alive) node.crash(this.#network);
      node.removeDir();
    }
    rmSync(this.#root, { recursive: true, force: true });
  }

  /** Creates the tables through the first leader, before any fault. */
  async #setup(): Promise<void> {
    let done = false;
    for (let i = 0; i < SETUP_STEPS_MAX && !done; i += 1) {
      const leader = this.#leader();
      if (leader !== null && i % 100 === 0) {
        leader.write(SETUP_STATEMENTS, { token: null, user: null, peer: 'sim-setup' }).then(() => {
          done = true;
        }, () => undefined);
      }
      await this.#advance();
    }
    if (!done) throw new InvariantViolation(`liveness: the tables were not created within ${SETUP_STEPS_MAX} steps`);
  }

  #leader(): DriverNode['node'] {
    const leaders = this.#nodes.filter((node) => node.node?.status().role === 'Leader');
    const newest = leaders.sort((a, b) => (b.node?.status().term ?? 0) - (a.node?.status().term ?? 0))[0];
    return newest?.node ?? null;
  }

  #injectFaults(): void {
    const faults = this.#faults;
    const random = this.#random;
    const nowMs = this.#scheduler.elapsedMs;
    if (this.#network.partitioned && nowMs >= this.#healAtMs) this.#network.heal();
    const ids = this.#nodes.map((node) => node.id);
    if (random.chance(faults.partitionRate)) {
      const shuffled = [...ids].sort(() => random.int(3) - 1);
      const split = 1 + random.int(ids.length - 1);
      for (const a of shuffled.slice(0, split)) for (const b of shuffled.slice(split)) {
        this.#network.cut(a, b);
        this.#network.cut(b, a);
      }
      this.#healAtMs = Math.max(this.#healAtMs, nowMs + random.between(50, faults.partitionDurationMsMax));
    }
    if (random.chance(faults.oneWayCutRate)) {
      const from = random.pick(ids);
      const to = random.pick(ids.filter((id) => id !== from));
      this.#network.cut(from, to);
      this.#healAtMs = Math.max(this.#healAtMs, nowMs + random.between(50, faults.partitionDurationMsMax));
    }
    const live = this.#nodes.filter((node) => node.alive);
    const down = this.#nodes.length - live.length;
    if (random.chance(faults.crashRate) && down < (this.#nodes.length - 1) / 2 && live.length > 0) {
      const victim = random.pick(live);
      if (random.chance(faults.crashInSyncShare)) victim.crashInSync = true;
      else this.#crash(victim);
    }
    if (random.chance(faults.fsyncFailRate) && live.length > 0) {
      random.pick(live).disk.failNextSync = true;
      this.#fsyncFailures += 1;
    }
  }

  #crash(node: DriverNode): void {
    if (!node.alive) return;
    node.crash(this.#network);
    this.#crashes += 1;
    this.#restartAtMs.set(node.id, this.#scheduler.elapsedMs + this.#random.between(50, this.#faults.downtimeMsMax));
  }

  /** Restarts nodes whose downtime is over; a node that stopped on a fatal error goes down first. */
  async #restartDue(): Promise<void> {
    for (const node of this.#nodes) {
      if (node.alive && node.failed) this.#crash(node);
      const due = this.#restartAtMs.get(node.id);
      if (!node.alive && due !== undefined && due <= this.#scheduler.elapsedMs) {
        this.#restartAtMs.delete(node.id);
        await this.#start(node);
      }
    }
  }

  /** Starts `node`; an fsync that fails while it opens stops it again, as it would a process. */
  async #start(node: DriverNode): Promise<void> {
    try {
      await node.start(this.#scheduler, this.#network);
    } catch (error) {
      if (!isChronosError(error, 'IO_ERROR')) throw error;
      node.abandonStart(this.#network);
      this.#restartAtMs.set(node.id, this.#scheduler.elapsedMs + this.#faults.downtimeMsMax);
    }
  }

  #sendRequests(): void {
    const live = this.#nodes.filter((node) => node.alive && !node.failed);
    if (live.length === 0) return;
    const random = this.#random;
    const target = random.pick(live).node;
    if (target === null) return;
    if (random.chance(this.#faults.writeRate)) this.#workload.write(target);
    if (random.chance(this.#faults.readRate)) this.#workload.read(target);
  }

  /** One step of simulated time, then every check. */
  async #advance(): Promise<void> {
    this.step += 1;
    await this.#scheduler.runUntil(this.#scheduler.elapsedMs + STEP_MS);
    this.#checker.check(this.#checkedNodes());
    await this.#checkStates();
    this.#workload.check();
  }

  #checkedNodes(): CheckedNode[] {
    const checked: CheckedNode[] = [];
    for (const node of this.#nodes) {
      if (node.node === null || node.failed) continue;
      checked.push({ id: node.id, core: node.node.inspect(), incarnation: node.incarnation,
        appliedIndex: node.node.storage.appliedIndex, durableCommit: 0 });
    }
    return checked;
  }

  /** State-machine safety: every node that applied index i holds the same SQL state there. */
  async #checkStates(): Promise<void> {
    for (const node of this.#nodes) {
      const raft = node.node;
      if (raft === null || node.failed) continue;
      const applied = raft.storage.appliedIndex;
      if (this.#checkedApplied.get(node.id) === applied) continue;
      const state = await readSqlState(node.id, raft.storage, this.#scheduler.nowMs());
      if (state.appliedIndex !== raft.storage.appliedIndex) continue; // an apply landed meanwhile
      this.#checkedApplied.set(node.id, applied);
      const known = this.#digests.get(applied);
      if (known === undefined) this.#digests.set(applied, { digest: state.digest, node: node.id });
      else if (known.digest !== state.digest) {
        throw new InvariantViolation(`state-machine safety: at applied index ${applied} ${node.id} holds ` +
          `${state.digest}, ${known.node} held ${known.digest}`);
      }
    }
  }

  /** Heals everything, then waits until every node applied the same last entry; checks the state. */
  async #healAndConverge(): Promise<void> {
    this.#network.heal();
    this.#network.setFaults({ ...this.#faults, dropRate: 0, duplicateRate: 0, tailRate: 0 });
    for (const node of this.#nodes) {
      node.crashInSync = false;
      node.disk.failNextSync = false;
      if (node.alive && node.failed) this.#crash(node);
      if (!node.alive) await this.#start(node);
    }
    const budget = this.#options.livenessSteps ?? LIVENESS_STEPS_DEFAULT;
    let barrier = false;
    for (let i = 0; i < budget; i += 1) {
      await this.#restartDue();
      const leader = this.#leader();
      if (leader !== null && i % 200 === 0 && !barrier) {
        leader.write(SETUP_STATEMENTS.slice(0, 1), { token: null, user: null, peer: 'sim-barrier' }).then(() => {
          barrier = true;
        }, () => undefined);
      }
      await this.#advance();
      if (barrier && this.#converged()) return this.#checkFinalStates();
    }
    throw new InvariantViolation(`liveness: the healed cluster did not converge within ${budget} steps ` +
      `(barrier ${barrier ? 'acknowledged' : 'not acknowledged'}; ${this.#describeNodes()})`);
  }

  /**
   * A rolling restart of the converged cluster at rest, as a token rotation does it: every
   * node but a minority kept down restarts. Each kept its disk and had caught up, so none may
   * come back believing it lost entries (recovering) or with the members before a change: the
   * majority must elect a leader and take a write on its own.
   */
  async #restartAtRest(): Promise<boolean> {
    // Half the runs first replace one node's disk: it catches up while the cluster rests, so
    // its recovering mark clears on a heartbeat with no entry behind it.
    const replaced = this.#random.chance(0.5) ? this.#random.pick(this.#nodes) : null;
    if (replaced !== null) {
      this.#crash(replaced);
      this.#restartAtMs.delete(replaced.id);
      replaced.wipe();
      await this.#start(replaced);
    }
    for (let i = 0; i < LIVENESS_STEPS_DEFAULT && this.#recovering(); i += 1) await this.#advance();
    for (let i = 0; i < REST_STEPS; i += 1) await this.#advance();
    if (this.#recovering()) return false;
    const down = largestMinority(this.#random, this.#nodes.map((node) => node.id),
      this.#nodes.filter((node) => node !== replaced).map((node) => node.id));
    for (const node of this.#nodes) {
      this.#crash(node);
      if (down.has(node.id)) this.#restartAtMs.delete(node.id);
    }
    let written = false;
    let asked = false;
    const budget = this.#options.livenessSteps ?? LIVENESS_STEPS_DEFAULT;
    for (let i = 0; i < budget && !written; i += 1) {
      await this.#restartDue();
      const leader = this.#leader();
      if (leader !== null && !asked) {
        asked = true;
        leader.write(SETUP_STATEMENTS.slice(0, 1), { token: null, user: null, peer: 'sim-restart' }).then(() => {
          written = true;
        }, () => {
          asked = false;
        });
      }
      await this.#advance();
    }
    if (!written) {
      throw new InvariantViolation(`liveness: restarted at rest with ${[...down].join(', ')} down, the others ` +
        `elected no leader that took a write within ${budget} steps (${this.#describeNodes()})`);
    }
    return true;
  }

  /** True while some node is down or still catching up after losing its disk. */
  #recovering(): boolean {
    return this.#nodes.some((node) => node.node?.inspect().status().recovering !== false);
  }

  /** Each node's role, term, commit and applied index, for a failure message. */
  #describeNodes(): string {
    return this.#nodes.map((node) => {
      if (node.node === null) return `${node.id} down`;
      const status = node.node.inspect().status();
      return `${node.id} ${status.role} term ${status.term} commit ${status.commitIndex} applied ` +
        `${node.node.storage.appliedIndex}${node.failed ? ` failed: ${node.lastFatal?.message ?? ''}` : ''}`;
    }).join('; ');
  }

  #converged(): boolean {
    const applied = this.#nodes.map((node) => node.node?.storage.appliedIndex ?? -1);
    const leader = this.#leader();
    return leader !== null && applied.every((index) => index === leader.inspect().status().commitIndex);
  }

  async #checkFinalStates(): Promise<void> {
    let first: { digest: string; node: NodeId } | null = null;
    for (const node of this.#nodes) {
      const raft = node.node;
      assert(raft !== null, `${node.id} is up after healing`);
      const state = await readSqlState(node.id, raft.storage, this.#scheduler.nowMs());
      this.#workload.checkFinal(node.id, state.keys);
      if (first === null) first = { digest: state.digest, node: node.id };
      else if (first.digest !== state.digest) {
        throw new InvariantViolation(`convergence: ${node.id} holds ${state.digest}, ${first.node} ${first.digest}`);
      }
    }
  }

  #result(): Omit<DriverSimResult, 'restartedAtRest'> {
    const statuses = this.#nodes.map((node) => node.node?.status());
    return {
      seed: this.#options.seed, steps: this.step, acknowledged: this.#workload.acknowledged, reads: this.#workload.reads,
      crashes: this.#crashes, fsyncFailures: this.#fsyncFailures, leaders: this.#checker.leaderCount,
      maxTerm: Math.max(...statuses.map((status) => status?.term ?? 0)), delivered: this.#network.delivered,
      appliedIndex: Math.max(...this.#nodes.map((node) => node.node?.storage.appliedIndex ?? 0)),
    };
  }
}
