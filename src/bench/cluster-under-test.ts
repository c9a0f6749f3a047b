import type { NodeHops } from './write-hops.js';
import type { StageCounters } from './write-trace.js';
import type { LoopPauses } from './loop-pauses.js';

/** A member that currently leads, with the term it leads in. */
export interface LeaderInfo {
  readonly index: number;
  readonly term: number;
}

/** What the cluster workload needs from a 3-member system (ChronosDB or etcd). */
export interface ClusterUnderTest {
  readonly name: string;
  readonly size: number;
  /** The member that reports itself leader (among `among`, default all), or null if none now. */
  findLeader(among?: readonly number[]): Promise<LeaderInfo | null>;
  /** Writes one ~60-byte value under key `sequence` through member `index`. */
  write(index: number, sequence: number): Promise<void>;
  /** Reads the value of the `sequence`-th write through member `index`, linearizably; throws if absent. */
  read(index: number, sequence: number): Promise<void>;
  /** Writes `count` rows in one statement through member `index`; null if the system has no such write. */
  writeBatch: ((index: number, first: number, count: number) => Promise<void>) | null;
  /** SIGKILLs member `index` by its PID and waits for it to exit. */
  kill(index: number): Promise<void>;
  /** Starts member `index` again on its data dir and waits until it answers. */
  restart(index: number): Promise<void>;
  /**
   * Member `index`'s write-path trace counters (ChronosDB's /metrics), for the per-stage means
   * of a run; absent where the system has none.
   */
  writeStages?(index: number): Promise<StageCounters>;
  /** Member `index`'s GC pauses and event-loop delays so far (ChronosDB's /metrics); absent elsewhere. */
  loopPauses?(index: number): Promise<LoopPauses>;
  /** Member `index`'s recent entries, hop by hop (ChronosDB's /debug/write-hops); absent elsewhere. */
  writeHops?(index: number): Promise<NodeHops>;
  /** Each member's process id while it runs, null while it is down (for CPU per operation). */
  memberPids(): readonly (number | null)[];
  /** Stops every member and removes the data dirs. */
  stop(): Promise<void>;
}
