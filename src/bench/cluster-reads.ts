import { closedLoop, windowStats } from './closed-loop.js';
import type { ClusterUnderTest } from './cluster-under-test.js';
import { renderCpuPerOp, startCpuMeter } from './process-cpu.js';
import type { CpuPerOp } from './process-cpu.js';
import { summarize } from './stats.js';
import type { Summary } from './stats.js';

/** Through which member the reads go. */
export type ReadVia = 'leader' | 'follower';

/** Linearizable point reads at one concurrency through one member. */
export interface ReadPoint {
  readonly via: ReadVia;
  readonly concurrency: number;
  readonly readsPerSecond: Summary;
  readonly p50Ms: Summary;
  readonly p99Ms: Summary;
  readonly errors: number;
  /** CPU ms per read of each member and of the client, over the whole run (warm-up included). */
  readonly cpu: CpuPerOp;
}

/** Shape of the read phase: each concurrency through the leader, then through a follower. */
export interface ReadPlan {
  readonly concurrencies: readonly number[];
  /** Unrecorded reads through each member (16 clients) before its first measured concurrency. */
  readonly primeMs: number;
  readonly warmMs: number;
  readonly windowMs: number;
  readonly windows: number;
}

/**
 * 10 s of priming per member, then 1 s warm-up and 3 windows of 2 s per concurrency. Priming,
 * as for writes: a Node process serves a path V8 has not optimized yet at a third to a quarter
 * of its speed (one client's follower reads, unprimed, 2 s windows: 259, 310, 369, 495, 561,
 * 835, 965, 1,026 reads/s; through the leader 519 to 1,652 in six windows).
 */
export const DEFAULT_READ_PLAN: ReadPlan = {
  concurrencies: [1, 16, 64], primeMs: 10_000, warmMs: 1_000, windowMs: 2_000, windows: 3,
};

const PRIMING_CLIENTS = 16;

/**
 * Point reads of keys the write phase stored (`written` of them), spread over the key range,
 * through the leader and through a follower: each is linearizable, so each pays the system's
 * read barrier (a ReadIndex round in etcd; in ChronosDB a leader holding its read lease answers
 * at once, a follower still asks the leader).
 */
export async function runReadLoad(
  cluster: ClusterUnderTest,
  members: { readonly leader: number; readonly follower: number },
  written: number,
  plan: ReadPlan,
  log: (line: string) => void,
): Promise<ReadPoint[]> {
  const points: ReadPoint[] = [];
  for (const via of ['leader', 'follower'] as const) {
    const member = members[via];
    // A stride coprime with typical key counts visits the whole range, not one hot corner.
    const op = (n: number): Promise<void> => cluster.read(member, (n * 7_919) % written);
    if (plan.primeMs > 0) {
      log(`${cluster.name}: priming reads through the ${via} for ${plan.primeMs} ms`);
      await closedLoop({ concurrency: PRIMING_CLIENTS, durationMs: plan.primeMs, op });
    }
    for (const concurrency of plan.concurrencies) {
      log(`${cluster.name}: point reads through the ${via}, ${concurrency} clients`);
      const meter = startCpuMeter(cluster.memberPids(), member);
      const run = await closedLoop({
        concurrency,
        durationMs: plan.warmMs + plan.windowMs * plan.windows,
        op,
      });
      const cpu = meter.perOp(run.endMs.length);
      log(`${cluster.name}: reads through the ${via}, ${concurrency} clients, CPU ms per read: ${renderCpuPerOp(cpu)}`);
      const windows = windowStats(run, plan.warmMs, plan.windowMs, plan.windows);
      points.push({
        via,
        concurrency,
        readsPerSecond: summarize(windows.map((w) => w.opsPerSecond)),
        p50Ms: summarize(windows.map((w) => w.p50Ms).filter(Number.isFinite)),
        p99Ms: summarize(windows.map((w) => w.p99Ms).filter(Number.isFinite)),
        errors: run.errors,
        cpu,
      });
      if (run.errors > 0) log(`${cluster.name}: ${run.errors} reads failed, last: ${run.lastError ?? ''}`);
    }
  }
  return points;
}
