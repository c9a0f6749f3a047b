import type { Random } from '../lib/index.js';
import type { DriverNetworkFaults } from './driver-network.js';

/** Fault rates of a driver simulation's fault phase (per 10 ms step unless named otherwise). */
export interface DriverFaults extends DriverNetworkFaults {
  /** A split of the nodes into two sides that cannot talk. */
  readonly partitionRate: number;
  /** One direction of one link cut (a asks, b never hears; b's answers still reach a). */
  readonly oneWayCutRate: number;
  readonly partitionDurationMsMax: number;
  readonly crashRate: number;
  /** Of the crashes, the share that strike inside a WAL fsync (a torn, unsynced tail). */
  readonly crashInSyncShare: number;
  /** A WAL fsync that fails: the node stops (as it must) and is restarted later. */
  readonly fsyncFailRate: number;
  readonly downtimeMsMax: number;
  readonly writeRate: number;
  readonly readRate: number;
  readonly compactEveryEntries: number;
  /** Each WAL fsync takes up to this many simulated ms, so messages arrive while it runs. */
  readonly fsyncMsMax: number;
}

/** Draws fault rates from the seed (swarm testing); `overrides` pin some of them. */
export function swarmDriverFaults(random: Random, overrides: Partial<DriverFaults>): DriverFaults {
  return {
    dropRate: random.pick([0, 0.01, 0.05]),
    duplicateRate: random.pick([0, 0.02, 0.05]),
    delayMinMs: 1,
    delayMaxMs: random.pick([10, 40, 150]),
    tailRate: random.pick([0, 0.005, 0.02]),
    tailMsMax: random.pick([300, 1_500]),
    partitionRate: random.pick([0, 0.003, 0.01]),
    oneWayCutRate: random.pick([0, 0.003, 0.01]),
    partitionDurationMsMax: random.pick([500, 3_000]),
    crashRate: random.pick([0, 0.003, 0.01]),
    crashInSyncShare: random.pick([0, 0.5, 1]),
    fsyncFailRate: random.pick([0, 0, 0.001]),
    downtimeMsMax: random.pick([300, 3_000]),
    writeRate: random.pick([0.05, 0.2, 0.5]),
    readRate: random.pick([0, 0.05, 0.2]),
    compactEveryEntries: random.pick([8, 40, 1_000_000]),
    fsyncMsMax: random.pick([0, 2, 8]),
    ...overrides,
  };
}
