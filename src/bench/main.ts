import { tmpdir } from 'node:os';
import { assertNever, errorMessage } from '../lib/index.js';
import { parseBenchArgs } from './args.js';
import type { BenchArgs, BenchSuite } from './args.js';
import { runIngestSuite, renderIngestRatios } from './ingest/ingest-suite.js';
import { runIotSizeSuite } from './iot-size.js';
import { runFloatCodecSuite } from './float-codecs.js';
import { renderIotClusterRatios, renderIotDiskUse, renderIotRatios, runIotSuite } from './iot-suite.js';
import { runClusterSuite, renderFloor, renderRatios } from './cluster-suite.js';
import { describeMachine } from './machine.js';
import type { MachineInfo } from './machine.js';
import { cleanupAll, cleanupAllSync } from './processes.js';
import { renderFigures, writeResults } from './report.js';
import type { Figure } from './report.js';
import { runSingleSuite } from './single.js';
import { renderSingleRatios, singleRatios } from './single-ratios.js';
import { runSyncSuite } from './sync-drain.js';
import { QUERY_RUNS, QUERY_WARMUPS, WARM_MS } from './query-phases.js';

const CAVEAT = 'Shared, noisy machine: treat figures as +-30%.';

function log(line: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

/** Which suite runs, since when, on what machine (the head of every results file). */
interface SuiteRun {
  readonly suite: BenchSuite;
  readonly startedAt: string;
  readonly machine: MachineInfo;
}

/** Prints a suite that reports figures only (under `title`, then `trailer`) and writes them to bench-results/. */
function reportFigures(run: SuiteRun, title: string, figures: readonly Figure[], trailer = ''): void {
  process.stdout.write(`\n${title}\n${renderFigures(figures)}\n${trailer}`);
  const path = writeResults(process.cwd(), run.suite, { ...run, figures });
  process.stdout.write(`results: ${path}\n`);
}

async function runSuite(suite: BenchSuite, args: BenchArgs): Promise<void> {
  const startedAt = new Date().toISOString();
  const machine = describeMachine(tmpdir());
  const run: SuiteRun = { suite, startedAt, machine };
  switch (suite) {
    case 'single': {
      const figures = await runSingleSuite(log);
      const ratios = singleRatios(figures);
      process.stdout.write(`\nsingle (embedded engine, no network)\n${renderFigures(figures)}\n`);
      if (ratios.length > 0) process.stdout.write(`\n${renderSingleRatios(ratios)}\n`);
      process.stdout.write(`${CAVEAT}\n`);
      const path = writeResults(process.cwd(), 'single', { suite, startedAt, machine, figures, ratios });
      process.stdout.write(`results: ${path}\n`);
      return;
    }
    case 'cluster': {
      const vsEtcd = args.vsEtcd;
      const result = await runClusterSuite(vsEtcd, log);
      process.stdout.write(`\ncluster (3 nodes on loopback)\n${renderFigures(result.figures)}\n`);
      if (result.ratios.length > 0) process.stdout.write(`\n${renderRatios(result.ratios)}\n`);
      const floor = renderFloor(result);
      if (floor !== '') process.stdout.write(`\nthe write floor of this machine (floor-node.ts: no database)\n${floor}\n`);
      process.stdout.write(`${CAVEAT}\n`);
      const name = vsEtcd ? 'cluster-vs-etcd' : 'cluster';
      const path = writeResults(process.cwd(), name, { suite, startedAt, machine, ...result });
      process.stdout.write(`results: ${path}\n`);
      return;
    }
    case 'iot-size':
      reportFigures(run, 'iot-size (iot-1m readings, storage engine, after compaction)',
        await runIotSizeSuite(args.iotFraction, log));
      return;
    case 'floats':
      reportFigures(run, 'floats (XOR vs Chimp on FLOAT series the decimal codec refuses)', runFloatCodecSuite(log));
      return;
    case 'iot': {
      const result = await runIotSuite(args.vsInflux, log);
      process.stdout.write(`\niot (q1-q4 over iot-1m in a columnar table, after compaction)\n${renderFigures(result.figures)}\n`);
      process.stdout.write(`\n${renderIotClusterRatios(result.clusterRatios)}\n`);
      process.stdout.write(`\n${renderIotDiskUse(result.disk)}\n`);
      if (result.ratios.length > 0) process.stdout.write(`\n${renderIotRatios(result.ratios)}\n`);
      process.stdout.write(`runs: first = ${QUERY_RUNS} after ${QUERY_WARMUPS} untimed, right after the load; ` +
        `warm = ${QUERY_RUNS} after each query was repeated for ${WARM_MS / 1000} s (V8 has optimized the path by then)\n`);
      process.stdout.write(`${CAVEAT}\n`);
      const path = writeResults(process.cwd(), args.vsInflux ? 'iot-vs-influx' : 'iot', { suite, startedAt, machine, ...result });
      process.stdout.write(`results: ${path}\n`);
      return;
    }
    case 'ingest': {
      const result = await runIngestSuite(args.vsInflux, log);
      process.stdout.write(`\ningest (iot-1m through POST /ingest; values = readings x metrics)\n${renderFigures(result.figures)}\n`);
      if (result.ratios.length > 0) process.stdout.write(`\n${renderIngestRatios(result.ratios)}\n`);
      process.stdout.write(`${CAVEAT}\n`);
      const path = writeResults(process.cwd(), args.vsInflux ? 'ingest-vs-influx' : 'ingest', { suite, startedAt, machine, ...result });
      process.stdout.write(`results: ${path}\n`);
      return;
    }
    case 'sync':
      reportFigures(run, "sync (an edge's outbox drained into a cloud after an outage)", await runSyncSuite(log), `${CAVEAT}\n`);
      return;
    default:
      assertNever(suite);
  }
}

/** `npm run bench -- [single|cluster|iot-size|ingest] [--vs-etcd] [--vs-influx] [--fraction=f]`: measures, prints a table, writes JSON. */
export async function main(argv: readonly string[]): Promise<number> {
  const args = parseBenchArgs(argv);
  const interrupted = (signal: NodeJS.Signals): void => {
    log(`${signal}: stopping the processes this benchmark started`);
    cleanupAllSync();
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  process.once('exit', cleanupAllSync);
  try {
    for (const suite of args.suites) await runSuite(suite, args);
    return 0;
  } finally {
    await cleanupAll();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  async (error: unknown) => {
    process.stderr.write(`bench failed: ${errorMessage(error)}\n`);
    await cleanupAll();
    process.exit(1);
  },
);
