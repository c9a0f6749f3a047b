import { ChronosCluster } from './chronos-cluster.js';
import { runClusterWorkload, DEFAULT_PLAN } from './cluster.js';
import type { ClusterRun } from './cluster.js';
import type { ClusterUnderTest } from './cluster-under-test.js';
import { EtcdCluster, etcdVersion } from './etcd/etcd-cluster.js';
import { runWriteFloor } from './floor/write-floor.js';
import type { FloorPoint, FloorRun } from './floor/write-floor.js';
import { servingCpuPerOp, totalCpuPerOp } from './process-cpu.js';
import { figure, formatNumber, renderTable } from './report.js';
import type { Figure } from './report.js';
import type { CpuPerOp } from './process-cpu.js';

/** What the cluster suite hands back: figures for the table, raw runs for the JSON. */
export interface ClusterSuiteResult {
  readonly figures: Figure[];
  readonly runs: ClusterRun[];
  readonly etcdVersion: string | null;
  /** The ChronosDB/etcd ratio table, empty without --vs-etcd. */
  readonly ratios: { readonly measurement: string; readonly chronos: number; readonly etcd: number; readonly ratio: number }[];
  /** The bare replicated write of this machine (floor-node.ts), measured with --vs-etcd; else null. */
  readonly floor: FloorRun | null;
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
    add(`leader CPU ms per write, ${point.concurrency} clients`, servingCpuPerOp(point.cpu) ?? Number.NaN, servingCpuPerOp(peer.cpu) ?? Number.NaN);
    add(`CPU ms per write, all processes, ${point.concurrency} clients`, totalCpuPerOp(point.cpu), totalCpuPerOp(peer.cpu));
  }
  for (const point of chronos.reads) {
    const peer = etcd.reads.find((p) => p.via === point.via && p.concurrency === point.concurrency);
    if (peer === undefined) continue;
    add(`reads/s via ${point.via}, ${point.concurrency} clients`, point.readsPerSecond.median, peer.readsPerSecond.median);
    add(`read p50 ms via ${point.via}, ${point.concurrency} clients`, point.p50Ms.median, peer.p50Ms.median);
    add(`${point.via} CPU ms per read, ${point.concurrency} clients`, servingCpuPerOp(point.cpu) ?? Number.NaN, servingCpuPerOp(peer.cpu) ?? Number.NaN);
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
  if (!vsEtcd) return { figures: runFigures(chronos), runs: [chronos], etcdVersion: null, ratios: [], floor: null };
  const version = etcdVersion();
  if (version === null) {
    throw new Error('etcd is not installed: apt-get update && apt-get install -y etcd-server etcd-client');
  }
  log(`etcd: ${version}`);
  const etcd = await measure(() => EtcdCluster.start(), log);
  const floor = await runWriteFloor(log);
  return {
    figures: [...runFigures(chronos), ...runFigures(etcd), ...floorFigures(floor)],
    runs: [chronos, etcd],
    etcdVersion: version,
    ratios: ratioRows(chronos, etcd),
    floor,
  };
}

function floorFigures(floor: FloorRun): Figure[] {
  const group = 'cluster write floor';
  return [
    ...floor.writes.flatMap((p) => [
      figure(group, `writes, ${p.concurrency} clients`, 'writes/s', p.opsPerSecond),
      figure(group, `p50, ${p.concurrency} clients`, 'ms', p.p50Ms),
      figure(group, `p99, ${p.concurrency} clients`, 'ms', p.p99Ms),
    ]),
    ...floor.reads.map((p) => figure(group, `reads via leader, ${p.concurrency} clients`, 'reads/s', p.opsPerSecond)),
  ];
}

/**
 * Writes/s of ChronosDB and etcd beside the floor of this machine (Node + grpc-js + fdatasync
 * with nothing else): how much of it each reaches, and where the targets sit.
 */
export function renderFloor(result: ClusterSuiteResult): string {
  const [chronos, etcd] = result.runs;
  if (result.floor === null || chronos === undefined || etcd === undefined) return '';
  const median = (points: readonly FloorPoint[], concurrency: number): number =>
    points.find((p) => p.concurrency === concurrency)?.opsPerSecond.median ?? Number.NaN;
  const rows = result.floor.writes.map((point) => {
    const c = point.concurrency;
    const ours = chronos.load.find((p) => p.concurrency === c)?.writesPerSecond.median ?? Number.NaN;
    const theirs = etcd.load.find((p) => p.concurrency === c)?.writesPerSecond.median ?? Number.NaN;
    const floor = median(result.floor?.writes ?? [], c);
    return [`writes/s, ${c} clients`, formatNumber(floor), formatNumber(ours), formatNumber(theirs),
      (ours / floor).toFixed(2), (theirs / floor).toFixed(2)];
  });
  // What a write costs the machine: all four processes (three members and the client) share its cores.
  for (const point of result.floor.writes) {
    const c = point.concurrency;
    const cpu = (load: readonly { readonly concurrency: number; readonly cpu: CpuPerOp }[]): number => {
      const found = load.find((p) => p.concurrency === c);
      return found === undefined ? Number.NaN : totalCpuPerOp(found.cpu);
    };
    const floor = totalCpuPerOp(point.cpu);
    const ours = cpu(chronos.load);
    const theirs = cpu(etcd.load);
    rows.push([`CPU ms per write, all processes, ${c} clients`, floor.toFixed(3), ours.toFixed(3), theirs.toFixed(3),
      (ours / floor).toFixed(2), (theirs / floor).toFixed(2)]);
  }
  return renderTable(['measurement (medians)', 'floor', 'ChronosDB', 'etcd', 'ChronosDB/floor', 'etcd/floor'], rows);
}
