import { ChronosError } from '../lib/index.js';
import type { ReadLeaseConfig } from './read-lease.js';
import type { NodeId } from './types.js';

/** What the driver chooses for one Raft node; every limit bounds memory or latency. */
export interface RaftConfig {
  readonly id: NodeId;
  /** Initial voters; a snapshot or committed config entry overrides this. */
  readonly voters: readonly NodeId[];
  /** Election timeout is drawn per election from [min, max] ticks so candidates rarely tie. */
  readonly electionTicksMin?: number;
  readonly electionTicksMax?: number;
  readonly heartbeatTicks?: number;
  /** Caps one AppendEntries so a lagging follower does not get one huge message. */
  readonly maxEntriesPerAppend?: number;
  /** Pipelining window per follower: appends sent before the first is acknowledged. */
  readonly maxInflightAppends?: number;
  readonly preVote?: boolean;
  readonly checkQuorum?: boolean;
  /** Read requests queued while the new leader has not committed in its term. */
  readonly maxPendingReads?: number;
  /** Serve a leader's reads under a lease (read-lease.ts); needs checkQuorum. Off when absent. */
  readonly readLease?: ReadLeaseConfig | null;
}

/** RaftConfig with defaults filled in and validated. */
export interface ResolvedRaftConfig {
  readonly id: NodeId;
  readonly voters: readonly NodeId[];
  readonly electionTicksMin: number;
  readonly electionTicksMax: number;
  readonly heartbeatTicks: number;
  readonly maxEntriesPerAppend: number;
  readonly maxInflightAppends: number;
  readonly preVote: boolean;
  readonly checkQuorum: boolean;
  readonly maxPendingReads: number;
  readonly readLease: ReadLeaseConfig | null;
}

/** Fills defaults (heartbeat every tick, election after 10–20 ticks) and rejects unusable settings. */
export function resolveRaftConfig(config: RaftConfig): ResolvedRaftConfig {
  const resolved: ResolvedRaftConfig = {
    id: config.id,
    voters: [...new Set(config.voters)],
    electionTicksMin: config.electionTicksMin ?? 10,
    electionTicksMax: config.electionTicksMax ?? 20,
    heartbeatTicks: config.heartbeatTicks ?? 1,
    maxEntriesPerAppend: config.maxEntriesPerAppend ?? 64,
    maxInflightAppends: config.maxInflightAppends ?? 8,
    preVote: config.preVote ?? true,
    checkQuorum: config.checkQuorum ?? true,
    maxPendingReads: config.maxPendingReads ?? 4096,
    readLease: config.readLease ?? null,
  };
  const fail = (what: string): never => {
    throw new ChronosError('CONFIG_ERROR', `raft config for ${config.id}: ${what}`);
  };
  if (resolved.id.length === 0) fail('id must not be empty');
  if (resolved.heartbeatTicks < 1) fail('heartbeatTicks must be >= 1');
  if (resolved.electionTicksMin <= resolved.heartbeatTicks) {
    fail('electionTicksMin must exceed heartbeatTicks');
  }
  if (resolved.electionTicksMax < resolved.electionTicksMin) {
    fail('electionTicksMax must be >= electionTicksMin');
  }
  if (resolved.maxEntriesPerAppend < 1) fail('maxEntriesPerAppend must be >= 1');
  if (resolved.maxInflightAppends < 1) fail('maxInflightAppends must be >= 1');
  if (resolved.maxPendingReads < 1) fail('maxPendingReads must be >= 1');
  // Without stickiness a follower votes at once, and a lease would prove nothing.
  if (resolved.readLease !== null && !resolved.checkQuorum) fail('a read lease needs checkQuorum');
  if (resolved.readLease !== null && !(resolved.readLease.durationMs > 0)) fail('a read lease must last > 0 ms');
  return resolved;
}
