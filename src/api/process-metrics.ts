import { PerformanceObserver, constants, performance } from 'node:perf_hooks';
import type { PerformanceEntry } from 'node:perf_hooks';
import { Gauge, Histogram } from 'prom-client';
import { catchUpCounter } from './catch-up-counter.js';
import type { Metric, Registry } from 'prom-client';

/**
 * How often the loop-delay sampler asks to run. A stall longer than this delays a sample;
 * heartbeats go out every 50 ms, so a delay past them shows before an election does.
 */
const LOOP_SAMPLE_MS = 20;

const GC_KINDS: ReadonlyMap<number, string> = new Map([
  [constants.NODE_PERFORMANCE_GC_MINOR, 'minor'],
  [constants.NODE_PERFORMANCE_GC_MAJOR, 'major'],
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL, 'incremental'],
  [constants.NODE_PERFORMANCE_GC_WEAKCB, 'weakcb'],
]);

/**
 * The process's instruments, made once per process: Raft, gRPC and SQL share one event loop
 * and one heap, and every node served by the process shows the same series (tests run several
 * nodes in one process; each would otherwise add its own GC observer and sampler).
 */
let shared: readonly Metric[] | null = null;

/** Adds the process's event-loop, GC, CPU and memory metrics to `registry`. */
export function registerProcessMetrics(registry: Registry): void {
  shared ??= startProcessMetrics();
  for (const metric of shared) registry.registerMetric(metric);
}

function startProcessMetrics(): readonly Metric[] {
  return [loopDelay(), loopBusy(), gcPauses(), ...processGauges()];
}

/** Lateness of a timer due every LOOP_SAMPLE_MS: what a heartbeat or a reply waits for the loop. */
function loopDelay(): Metric {
  const histogram = new Histogram({
    name: 'chronos_event_loop_delay_seconds',
    help: `How late a timer due every ${LOOP_SAMPLE_MS} ms ran: the event loop (Raft, gRPC and SQL together) was busy that long.`,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [],
  });
  let dueAt = performance.now() + LOOP_SAMPLE_MS;
  const sample = (): void => {
    const now = performance.now();
    histogram.observe(Math.max(0, now - dueAt) / 1000);
    dueAt = now + LOOP_SAMPLE_MS;
    setTimeout(sample, LOOP_SAMPLE_MS).unref();
  };
  setTimeout(sample, LOOP_SAMPLE_MS).unref();
  return histogram;
}

/** Time the event loop spent running callbacks rather than waiting: rate() is its utilization. */
function loopBusy(): Metric {
  return catchUpCounter([], 'chronos_event_loop_busy_seconds_total',
    'Seconds the event loop spent running callbacks rather than waiting for I/O or timers; its rate is the loop utilization (1 = saturated).',
    () => performance.eventLoopUtilization().active / 1000);
}

/** Every garbage collection's pause on the main thread, by kind. */
function gcPauses(): Metric {
  const histogram = new Histogram({
    name: 'chronos_gc_pause_seconds',
    help: 'Garbage collection pauses of the event loop, by kind: minor (scavenge), major (mark-compact), incremental (marking step), weakcb (weak callbacks).',
    labelNames: ['kind'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [],
  });
  // Every kind's series exists from the start, so rate() sees zeros rather than gaps.
  for (const kind of GC_KINDS.values()) histogram.zero({ kind });
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) histogram.observe({ kind: gcKind(entry) }, entry.duration / 1000);
  });
  observer.observe({ entryTypes: ['gc'] });
  return histogram;
}

function gcKind(entry: PerformanceEntry): string {
  // Node 16+ puts the kind in `detail`; older typings only know the deprecated `kind` field.
  const { detail } = entry as PerformanceEntry & { readonly detail?: { readonly kind?: number } | null };
  return GC_KINDS.get(detail?.kind ?? -1) ?? 'other';
}

/** CPU, memory and start time under the names every Prometheus client library uses. */
function processGauges(): readonly Metric[] {
  const cpu = catchUpCounter([], 'process_cpu_seconds_total',
    'User and system CPU time of this process (all its threads: the event loop, the thread pool, LevelDB).',
    () => {
      const usage = process.cpuUsage();
      return (usage.user + usage.system) / 1e6;
    });
  const resident = new Gauge({
    name: 'process_resident_memory_bytes',
    help: 'Resident memory of this process.',
    registers: [],
    collect() {
      this.set(process.memoryUsage.rss());
    },
  });
  const heapUsed = new Gauge({
    name: 'chronos_heap_used_bytes',
    help: 'Bytes of the V8 heap in use by live and not yet collected objects.',
    registers: [],
    collect() {
      this.set(process.memoryUsage().heapUsed);
    },
  });
  const started = new Gauge({
    name: 'process_start_time_seconds',
    help: 'Unix time this process started at.',
    registers: [],
  });
  started.set(Math.round(performance.timeOrigin) / 1000);
  return [cpu, resident, heapUsed, started];
}
