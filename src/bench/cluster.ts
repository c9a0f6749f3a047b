import { hostClockMs } from '../lib/index.js';
import { closedLoop, windowStats } from './closed-loop.js';
import { DEFAULT_READ_PLAN, runReadLoad } from './cluster-reads.js';
import type { ReadPlan, ReadPoint } from './cluster-reads.js';
import type { ClusterUnderTest } from './cluster-under-test.js';
import { waitUntil } from './ports.js';
import { pausesBetween, renderPauses } from './loop-pauses.js';
import type { PausesBetween } from './loop-pauses.js';
import { renderCpuPerOp, startCpuMeter } from './process-cpu.js';
import type { CpuPerOp } from './process-cpu.js';
import { summarize } from './stats.js';
import type { Summary } from './stats.js';
import { joinWriteHops, renderHopBreakdown } from './write-hops.js';
import type { HopBreakdown } from './write-hops.js';
import { renderStageMeans, stageMeans } from './write-trace.js';
import type { StageCounters, StageMeans } from './write-trace.js';

/** Shape of the cluster workload; with the defaults `cluster --vs-etcd` takes ~6 minutes. */
export interface ClusterPlan {
  readonly concurrencies: readonly number[];
  readonly primeMs: number;
  readonly warmMs: number;
  readonly windowMs: number;
  readonly windows: number;
  readonly batchRows: number;
  readonly batchConcurrency: number;
  readonly failoverTrials: number;
  readonly reads: ReadPlan;
}

/**
 * The brief's workload: 1 s warm-up and 4 windows of 2 s (8 s measured) per concurrency, after
 * 10 s of priming: a Node process's write path runs at a third of its speed until V8 has
 * optimized it (one client, no priming: ~110 writes/s in the first second, ~300 after 12 s).
 */
export const DEFAULT_PLAN: ClusterPlan = {
  concurrencies: [1, 16, 64],
  primeMs: 10_000,
  warmMs: 1_000,
  windowMs: 2_000,
  windows: 4,
  batchRows: 100,
  batchConcurrency: 16,
  failoverTrials: 3,
  reads: DEFAULT_READ_PLAN,
};

/** Throughput and latency at one concurrency, each a summary over the measurement windows. */
export interface LoadPoint {
  readonly concurrency: number;
  readonly writesPerSecond: Summary;
  readonly p50Ms: Summary;
  readonly p99Ms: Summary;
  readonly errors: number;
  /** Mean ms per write in each stage on the leader (its own writes), and WAL saves of a follower. */
  readonly stages?: { readonly leader: StageMeans; readonly follower: StageMeans };
  /** Mean ms of each hop of a write through the leader and the follower that answered first. */
  readonly hops?: HopBreakdown;
  /** CPU ms per write of each member and of the client, over the whole run (warm-up included). */
  readonly cpu: CpuPerOp;
  /** The leader's GC pauses and late event-loop samples over the run, where the system reports them. */
  readonly leaderPauses?: PausesBetween;
}

/** Everything measured on one system. */
export interface ClusterRun {
  readonly system: string;
  readonly load: readonly LoadPoint[];
  /** Linearizable point reads of written keys, through the leader and a follower. */
  readonly reads: readonly ReadPoint[];
  /** Rows/s of multi-row INSERTs; null where the system has no such write (etcd). */
  readonly batchRowsPerSecond: Summary | null;
  readonly batchConcurrency: number;
  readonly batchRows: number;
  /** Kill-to-first-acknowledged-write times, one per trial. */
  readonly failoverMs: Summary;
}

const FAILOVER_TIMEOUT_MS = 30_000;
const FAILOVER_POLL_MS = 10;
/** Batch keys start here so they never collide with single-row keys. */
const BATCH_KEY_BASE = 1_000_000_000;

function finite(values: readonly number[]): number[] {
  return values.filter((v) => Number.isFinite(v));
}

/** SIGKILLs the leader and times until a new leader (higher term) acknowledges a write. */
async function failoverTrial(cluster: ClusterUnderTest, nextKey: () => number): Promise<number> {
  const before = await waitUntil(`a ${cluster.name} leader`, FAILOVER_TIMEOUT_MS, () => cluster.findLeader());
  await cluster.write(before.index, nextKey());
  const survivors = [0, 1, 2].filter((i) => i !== before.index);
  await cluster.kill(before.index);
  const killedAt = performance.now();
  const elapsed = await waitUntil(
    `a new ${cluster.name} leader acknowledging a write`,
    FAILOVER_TIMEOUT_MS,
    async () => {
      const leader = await cluster.findLeader(survivors);
      if (leader === null || leader.term <= before.term) return null;
      try {
        await cluster.write(leader.index, nextKey());
        return performance.now() - killedAt;
      } catch {
        return null;
      }
    },
    FAILOVER_POLL_MS,
  );
  await cluster.restart(before.index);
  // The next trial starts once the restarted node has rejoined (a write through it is acked):
  // a leader killed before that leaves one voter that cannot vote yet, and measures two faults.
  await waitUntil(`${cluster.name} node ${before.index + 1} rejoined after restart`, FAILOVER_TIMEOUT_MS, async () => {
    try {
      await cluster.write(before.index, nextKey());
      return true;
    } catch {
      return null;
    }
  }, FAILOVER_POLL_MS);
  return elapsed;
}

/** The trace counters of the leader and a follower, or null where the system has none. */
async function traceOf(cluster: ClusterUnderTest, members: readonly [number, number]): Promise<[StageCounters, StageCounters] | null> {
  if (cluster.writeStages === undefined) return null;
  return [await cluster.writeStages(members[0]), await cluster.writeStages(members[1])];
}

/** Per-stage means since `before`, logged as one line each for leader and follower. */
async function stagesSince(
  cluster: ClusterUnderTest, before: [StageCounters, StageCounters], members: readonly [number, number],
  log: (line: string) => void, concurrency: number,
): Promise<{ leader: StageMeans; follower: StageMeans }> {
  const after = await traceOf(cluster, members);
  if (after === null) return { leader: {}, follower: {} };
  const leader = stageMeans(before[0], after[0]);
  const follower = stageMeans(before[1], after[1]);
  log(renderStageMeans(`${cluster.name}: ${concurrency} clients, leader`, leader));
  log(renderStageMeans(`${cluster.name}: ${concurrency} clients, follower`, follower));
  return { leader, follower };
}

/** The hop breakdown of the writes the leader received since `sinceMs`, logged as one line. */
async function hopsSince(
  cluster: ClusterUnderTest, leader: number, sinceMs: number, log: (line: string) => void, concurrency: number,
): Promise<HopBreakdown | null> {
  const writeHops = cluster.writeHops?.bind(cluster);
  if (writeHops === undefined) return null;
  const members = Array.from({ length: cluster.size }, (_, i) => i);
  const views = await Promise.all(members.map((i) => writeHops(i)));
  const followers = views.filter((_, i) => i !== leader);
  const breakdown = joinWriteHops(views[leader] ?? { id: '', entries: [] }, followers, sinceMs);
  log(renderHopBreakdown(`${cluster.name}: ${concurrency} clients, hops`, breakdown));
  return breakdown;
}

/** Single-row writes through the leader at one concurrency, with their CPU, stages and hops. */
async function measureWrites(
  cluster: ClusterUnderTest, plan: ClusterPlan, leader: number, concurrency: number, firstSequence: number,
  log: (line: string) => void,
): Promise<{ readonly point: LoadPoint; readonly nextSequence: number }> {
  log(`${cluster.name}: single-row writes, ${concurrency} clients`);
  const follower = leader === 0 ? 1 : 0;
  const before = await traceOf(cluster, [leader, follower]);
  const measuredFromMs = hostClockMs() + plan.warmMs;
  const pausesBefore = await cluster.loopPauses?.(leader);
  const meter = startCpuMeter(cluster.memberPids(), leader);
  const run = await closedLoop({
    concurrency,
    durationMs: plan.warmMs + plan.windowMs * plan.windows,
    op: (key) => cluster.write(leader, key),
    firstSequence,
  });
  const cpu = meter.perOp(run.endMs.length);
  log(`${cluster.name}: ${concurrency} clients, CPU ms per write: ${renderCpuPerOp(cpu)}`);
  const pausesAfter = await cluster.loopPauses?.(leader);
  const leaderPauses = pausesBefore === undefined || pausesAfter === undefined ? null : pausesBetween(pausesBefore, pausesAfter);
  if (leaderPauses !== null) log(renderPauses(`${cluster.name}: ${concurrency} clients, leader`, leaderPauses));
  const windows = windowStats(run, plan.warmMs, plan.windowMs, plan.windows);
  const stages = before === null ? null : await stagesSince(cluster, before, [leader, follower], log, concurrency);
  const hops = await hopsSince(cluster, leader, measuredFromMs, log, concurrency);
  const point: LoadPoint = {
    concurrency,
    writesPerSecond: summarize(windows.map((w) => w.opsPerSecond)),
    p50Ms: summarize(finite(windows.map((w) => w.p50Ms))),
    p99Ms: summarize(finite(windows.map((w) => w.p99Ms))),
    errors: run.errors,
    cpu,
    ...(leaderPauses === null ? {} : { leaderPauses }),
    ...(stages === null ? {} : { stages }),
    ...(hops === null ? {} : { hops }),
  };
  return { point, nextSequence: run.nextSequence };
}

/** Runs the closed-loop, batch and failover workload against a started cluster. */
export async function runClusterWorkload(
  cluster: ClusterUnderTest,
  plan: ClusterPlan,
  log: (line: string) => void,
): Promise<ClusterRun> {
  let sequence = 0;
  const leader = await waitUntil(`a ${cluster.name} leader`, FAILOVER_TIMEOUT_MS, () => cluster.findLeader());
  const write = (key: number): Promise<void> => cluster.write(leader.index, key);

  log(`${cluster.name}: priming the client for ${plan.primeMs} ms`);
  sequence = (await closedLoop({ concurrency: 16, durationMs: plan.primeMs, op: write, firstSequence: sequence })).nextSequence;

  const load: LoadPoint[] = [];
  for (const concurrency of plan.concurrencies) {
    const measured = await measureWrites(cluster, plan, leader.index, concurrency, sequence, log);
    load.push(measured.point);
    sequence = measured.nextSequence;
  }

  const follower = leader.index === 0 ? 1 : 0;
  const reads = await runReadLoad(cluster, { leader: leader.index, follower }, sequence, plan.reads, log);

  let batchRowsPerSecond: Summary | null = null;
  const writeBatch = cluster.writeBatch;
  if (writeBatch !== null) {
    log(`${cluster.name}: ${plan.batchRows}-row INSERTs, ${plan.batchConcurrency} clients`);
    const run = await closedLoop({
      concurrency: plan.batchConcurrency,
      durationMs: plan.warmMs + plan.windowMs * 3,
      op: (n) => writeBatch(leader.index, BATCH_KEY_BASE + n * plan.batchRows, plan.batchRows),
    });
    const windows = windowStats(run, plan.warmMs, plan.windowMs, 3);
    batchRowsPerSecond = summarize(windows.map((w) => w.opsPerSecond * plan.batchRows));
  }

  const failovers: number[] = [];
  for (let trial = 0; trial < plan.failoverTrials; trial++) {
    log(`${cluster.name}: failover trial ${trial + 1}/${plan.failoverTrials}`);
    failovers.push(await failoverTrial(cluster, () => sequence++));
  }
  return {
    system: cluster.name,
    load,
    reads,
    batchRowsPerSecond,
    batchConcurrency: plan.batchConcurrency,
    batchRows: plan.batchRows,
    failoverMs: summarize(failovers),
  };
}
