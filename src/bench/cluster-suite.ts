import { ChronosCluster } from './chronos-cluster.js';
import { runClusterWorkload, DEFAULT_PLAN } from './cluster.js';
import type { ClusterRun } from './cluster.js';
import type { ClusterUnderTest } from './cluster-under-test.js';
import { EtcdCluster, etcdVersion } from './etcd/etcd-cluster.js';
import { figure, formatNumber, renderTable } from './report.js';
import type { Figure } from './report.js';

/** What the cluster suite hands back: figures for the table, raw runs for the JSON. */
export interface ClusterSuiteResult {
  readonly figures: Figure[];
  readonly runs: ClusterRun[];
  readonly etcdVersion: string | null;
  /** The ChronosDB/etcd ratio table, empty without --vs-etcd. */
  readonly ratios: { readonly measurement: string; readonly chronos: number; readonly etcd: number; readonly ratio: number }[];
}

async function measure(
  start: () => Promise<ClusterUnderTest>,
  log: (line: string) => void,
): Promise<ClusterRun> {
  const cluster = await start();
  try {
    return await runClusterWorkload(cluster, DEFAULT_PLAN, log);
  } finally {
    await cluster.stop();
  }
}

function runFigures(run: ClusterRun): Figure[] {
  const group = `cluster ${run.system}`;
  const out: Figure[] = [];
  for (const point of run.load) {
    out.push(figure(group, `writes, ${point.concurrency} clients`, 'writes/s', point.writesPerSecond));
    out.push(figure(group, `p50, ${point.concurrency} clients`, 'ms', point.p50Ms));
    out.push(figure(group, `p99, ${point.concurrency} clients`, 'ms', point.p99Ms));
  }
  for (const point of run.reads) {
    const where = `point reads via ${point.via}, ${point.concurrency} clients`;
    out.push(figure(group, where, 'reads/s', point.readsPerSecond));
    out.push(figure(group, `${where}, p50`, 'ms', point.p50Ms));
  }
  if (run.batchRowsPerSecond !== null) {
    out.push(figure(group, `${run.batchRows}-row INSERT, ${run.batchConcurrency} clients`, 'rows/s', run.batchRowsPerSecond));
  }
  out.push(figure(group, 'failover (SIGKILL leader -> first ack)', 'ms', run.failoverMs));
  return out;
}

function ratioRows(chronos: ClusterRun, etcd: ClusterRun): ClusterSuiteResult['ratios'] {
  const rows: ClusterSuiteResult['ratios'][number][] = [];
  const add = (measurement: string, a: number, b: number): void => {
    rows.push({ measurement, chronos: a, etcd: b, ratio: b === 0 ? Number.NaN : a / b });
  };
  for (const point of chronos.load) {
    const peer = etcd.load.find((p) => p.concurrency === point.concurrency);
    if (peer === undefined) continue;
    add(`writes/s, ${point.concurrency} clients`, point.writesPerSecond.median, peer.writesPerSecond.median);
    add(`p50 ms, ${point.concurrency} clients`, point.p50Ms.median, peer.p50Ms.median);
    add(`p99 ms, ${point.concurrency} clients`, point.p99Ms.median, peer.p99Ms.median);
  }
  for (const point of chronos.reads) {
    const peer = etcd.reads.find((p) => p.via === point.via && p.concurrency === point.concurrency);
    if (peer === undefined) continue;
    add(`reads/s via ${point.via}, ${point.concurrency} clients`, point.readsPerSecond.median, peer.readsPerSecond.median);
    add(`read p50 ms via ${point.via}, ${point.concurrency} clients`, point.p50Ms.median, peer.p50Ms.median);
  }
  add('failover ms', chronos.failoverMs.median, etcd.failoverMs.median);
  return rows;
}

/** Renders the ChronosDB/etcd ratios (medians) as a table. */
export function renderRatios(ratios: ClusterSuiteResult['ratios']): string {
  return renderTable(
    ['measurement (medians)', 'ChronosDB', 'etcd', 'ChronosDB/etcd'],
    ratios.map((r) => [r.measurement, formatNumber(r.chronos), formatNumber(r.etcd), r.ratio.toFixed(2)]),
  );
}

/** Runs the 3-node ChronosDB workload and, with `vsEtcd`, the same against etcd. */
export async function runClusterSuite(vsEtcd: boolean, log: (line: string) => void): Promise<ClusterSuiteResult> {
  const chronos = await measure(() => ChronosCluster.start(), log);
  if (!vsEtcd) return { figures: runFigures(chronos), runs: [chronos], etcdVersion: null, ratios: [] };
  const version = etcdVersion();
  if (version === null) {
    throw new Error('etcd is not installed: apt-get update && apt-get install -y etcd-server etcd-client');
  }
  log(`etcd: ${version}`);
  const etcd = await measure(() => EtcdCluster.start(), log);
  return {
    figures: [...runFigures(chronos), ...runFigures(etcd)],
    runs: [chronos, etcd],
    etcdVersion: version,
    ratios: ratioRows(chronos, etcd),
  };
}
