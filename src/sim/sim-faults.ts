import type { Random } from '../lib/index.js';
import type { NetworkFaults } from './sim-network.js';

/** Fault rates for the fault phase (per step unless named otherwise). */
export interface SimFaults extends NetworkFaults {
  readonly partitionRate: number;
  readonly partitionDurationMsMax: number;
  readonly crashRate: number;
  readonly downtimeMsMax: number;
  readonly proposeRate: number;
  readonly readRate: number;
  readonly transferRate: number;
  /** Chance per step that the leader removes a voter or adds a removed one back. */
  readonly membershipRate: number;
  readonly compactEveryEntries: number;
  /** Chance per step that a node loses its disk and returns wiped or from an older backup
   * (one at a time, only while every node has caught up: the guide's Replace Failed Node). */
  readonly diskLossRate: number;
  /**
   * Chance that a leader crashes right after a Ready that advanced its commit index, before
   * its newer entries reach a majority: the schedule of Raft's Figure 8, which uniform crashes
   * almost never produce.
   */
  readonly crashAfterCommitRate: number;
  /**
   * Chance that a node that has just won an election crashes before its first persist as
   * leader: a lone voter leads before its new term is durable, and what it sent meanwhile must
   * not outlive the crash in a form a later leader of the same term would contradict.
   */
  readonly crashAfterElectionRate: number;
  /**
   * A Ready's persist (WAL fsync) takes up to this many ms; meanwhile the node steps what
   * arrives and sends the appends of entries proposed meanwhile, as the real driver does.
   */
  readonly persistMsMax: number;
  /** Chance that one persist stalls for up to two seconds (a slow disk, a busy device). */
  readonly persistStallRate: number;
}

/** Draws fault rates from the seed (swarm testing); `overrides` pin some of them. */
export function swarmFaults(random: Random, overrides: Partial<SimFaults>): SimFaults {
  const delayMaxMs = random.pick([20, 50, 150, 400]);
  return {
    dropRate: random.pick([0, 0.01, 0.05, 0.15]),
    duplicateRate: random.pick([0, 0.02, 0.1]),
    delayMinMs: 1,
    delayMaxMs,
    lateRate: random.pick([0, 0.002, 0.01]),
    partitionRate: random.pick([0, 0.002, 0.01, 0.03]),
    partitionDurationMsMax: random.pick([300, 1_000, 5_000]),
    crashRate: random.pick([0, 0.002, 0.01]),
    downtimeMsMax: random.pick([500, 4_000]),
    proposeRate: random.pick([0.02, 0.05, 0.2]),
    readRate: random.pick([0, 0.05]),
    transferRate: random.pick([0, 0.002]),
    membershipRate: random.pick([0, 0, 0.002]),
    compactEveryEntries: random.pick([5, 20, 1_000_000]),
    diskLossRate: random.pick([0, 0.001, 0.004]),
    crashAfterCommitRate: random.pick([0, 0.02, 0.1]),
    crashAfterElectionRate: random.pick([0, 0.1, 0.5]),
    persistMsMax: random.pick([0, 15, 40]),
    persistStallRate: random.pick([0, 0.01, 0.05]),
    ...overrides,
  };
}
