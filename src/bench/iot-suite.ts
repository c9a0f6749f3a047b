import { appendAll } from '../lib/index.js';
import { influxIotQueries } from './ingest/influx-queries.js';
import { IOT_QUERIES, chronosIotQueries, clusterIotQueries } from './iot-queries.js';
import type { QueryPhases, QueryTimes } from './query-phases.js';
import { figure, formatNumber, renderTable } from './report.js';
import type { Figure } from './report.js';
import { summarize } from './stats.js';

/** Which runs a ratio compares: right after the load, or once every query ran warm (query-phases.ts). */
export type IotPhase = 'first' | 'warm';

/** One query's medians in the same run, and InfluxDB's time over ours (> 1: ChronosDB faster). */
export interface IotRatio {
  readonly query: string;
  readonly phase: IotPhase;
  readonly chronosMs: number;
  readonly influxMs: number;
  readonly ratio: number;
}

/** One query's median on a 3-node cluster over its median on one node process (target <= 2). */
export interface IotClusterRatio {
  readonly query: string;
  readonly phase: IotPhase;
  readonly oneNodeMs: number;
  readonly threeNodesMs: number;
  readonly ratio: number;
}

/** Bytes per value on disk after compaction: ours, InfluxDB's in the same run (null: not measured or not settled). */
export interface IotDiskUse {
  readonly chronosBytesPerValue: number;
  readonly influxBytesPerValue: number | null;
}

/** What `npm run bench -- iot [--vs-influx]` measured. */
export interface IotSuiteResult {
  readonly figures: Figure[];
  readonly ratios: IotRatio[];
  readonly clusterRatios: IotClusterRatio[];
  readonly disk: IotDiskUse;
  readonly influxVersion: string | null;
}

const median = (times: QueryTimes, name: string): number => summarize([...(times.get(name) ?? [])]).median;
const PHASES: readonly IotPhase[] = ['first', 'warm'];

/** Figures of each query in both phases; the warm ones are labelled so. */
function phaseFigures(group: string, phases: QueryPhases): Figure[] {
  return PHASES.flatMap((phase) => IOT_QUERIES.map((q) =>
    figure(group, phase === 'warm' ? `${q.name}, warm` : q.name, 'ms', summarize([...(phases[phase].get(q.name) ?? [])]))));
}

/** `theirs` over `ours` per query and phase, as medians. */
function phaseRatios(ours: QueryPhases, theirs: QueryPhases): { query: string; phase: IotPhase; ours: number; theirs: number }[] {
  return PHASES.flatMap((phase) => IOT_QUERIES.map((q) =>
    ({ query: q.name, phase, ours: median(ours[phase], q.name), theirs: median(theirs[phase], q.name) })));
}

/**
 * q1-q4 over iot-1m in a columnar table: in an embedded engine (what storage and SQL cost
 * alone), through one node process and through a 3-node cluster over gRPC; with `vsInflux`, in
 * InfluxDB 1.x loaded with the same readings and queried over its HTTP API. The ratios compare
 * like with like: one node process (over the wire) with InfluxDB and with the cluster, each
 * both right after the load and warm.
 */
export async function runIotSuite(vsInflux: boolean, log: (line: string) => void): Promise<IotSuiteResult> {
  const { times: embedded, bytesPerValue } = await chronosIotQueries(log);
  const figures = phaseFigures('iot ChronosDB embedded', embedded);
  figures.push(figure('iot ChronosDB embedded', 'bytes per value on disk after compaction', 'B', summarize([bytesPerValue])));
  const ours = await clusterIotQueries(1, log);
  appendAll(figures, phaseFigures('iot ChronosDB 1 node', ours));
  const cluster = await clusterIotQueries(3, log);
  appendAll(figures, phaseFigures('iot ChronosDB 3 nodes', cluster));
  const clusterRatios = phaseRatios(ours, cluster).map((r) =>
    ({ query: r.query, phase: r.phase, oneNodeMs: r.ours, threeNodesMs: r.theirs, ratio: r.theirs / r.ours }));
  if (!vsInflux) return { figures, ratios: [], clusterRatios, disk: { chronosBytesPerValue: bytesPerValue, influxBytesPerValue: null }, influxVersion: null };
  const influx = await influxIotQueries(log);
  appendAll(figures, phaseFigures('iot InfluxDB', influx.times));
  const ratios = phaseRatios(ours, influx.times).map((r) =>
    ({ query: r.query, phase: r.phase, chronosMs: r.ours, influxMs: r.theirs, ratio: r.theirs / r.ours }));
  if (influx.bytesPerValue !== null) {
    figures.push(figure('iot InfluxDB', 'bytes per value on disk after compaction', 'B', summarize([influx.bytesPerValue])));
  }
  const disk = { chronosBytesPerValue: bytesPerValue, influxBytesPerValue: influx.bytesPerValue };
  return { figures, ratios, clusterRatios, disk, influxVersion: influx.version };
}

/** 3-node over 1-node medians, both node processes over gRPC; the target is at most 2x (the 3-node reads add ReadIndex). */
export function renderIotClusterRatios(ratios: readonly IotClusterRatio[]): string {
  return renderTable(['query (medians, ms)', 'runs', '1 node (gRPC)', '3 nodes (gRPC)', '3 nodes / 1 node', 'target <= 2'],
    ratios.map((r) => [r.query, r.phase, formatNumber(r.oneNodeMs), formatNumber(r.threeNodesMs), r.ratio.toFixed(2), r.ratio <= 2 ? 'met' : 'MISSED']));
}

/** Bytes per value against the target (<= 2) and InfluxDB's in the same run. */
export function renderIotDiskUse(disk: IotDiskUse): string {
  const influx = disk.influxBytesPerValue;
  return renderTable(['bytes per value after compaction', 'ChronosDB', 'InfluxDB', 'InfluxDB/ChronosDB', 'target <= 2'],
    [['iot-1m, 1M values', disk.chronosBytesPerValue.toFixed(2), influx === null ? 'n/a' : influx.toFixed(2),
      influx === null ? 'n/a' : (influx / disk.chronosBytesPerValue).toFixed(2), disk.chronosBytesPerValue <= 2 ? 'met' : 'MISSED']]);
}

/** The ratios as a table; the target is ChronosDB's median at or under InfluxDB's (ratio >= 1). */
export function renderIotRatios(ratios: readonly IotRatio[]): string {
  return renderTable(['query (medians, ms)', 'runs', 'ChronosDB 1 node (gRPC)', 'InfluxDB (HTTP)', 'InfluxDB/ChronosDB', 'target >= 1'],
    ratios.map((r) => [r.query, r.phase, formatNumber(r.chronosMs), formatNumber(r.influxMs), r.ratio.toFixed(2), r.ratio >= 1 ? 'met' : 'MISSED']));
}
