import { influxIotQueries } from './ingest/influx-queries.js';
import { IOT_QUERIES, chronosIotQueries } from './iot-queries.js';
import { figure, formatNumber, renderTable } from './report.js';
import type { Figure } from './report.js';
import { summarize } from './stats.js';

/** One query's medians in the same run, and InfluxDB's time over ours (> 1: ChronosDB faster). */
export interface IotRatio {
  readonly query: string;
  readonly chronosMs: number;
  readonly influxMs: number;
  readonly ratio: number;
}

/** What `npm run bench -- iot [--vs-influx]` measured. */
export interface IotSuiteResult {
  readonly figures: Figure[];
  readonly ratios: IotRatio[];
  readonly influxVersion: string | null;
}

/** q1-q4 over iot-1m in a columnar table and, with `vsInflux`, in InfluxDB 1.x loaded with the same readings. */
export async function runIotSuite(vsInflux: boolean, log: (line: string) => void): Promise<IotSuiteResult> {
  const ours = await chronosIotQueries(log);
  const figures = IOT_QUERIES.map((q) => figure('iot ChronosDB', q.name, 'ms', summarize([...(ours.get(q.name) ?? [])])));
  if (!vsInflux) return { figures, ratios: [], influxVersion: null };
  const influx = await influxIotQueries(log);
  figures.push(...IOT_QUERIES.map((q) => figure('iot InfluxDB', q.name, 'ms', summarize([...(influx.times.get(q.name) ?? [])]))));
  const ratios = IOT_QUERIES.map((q) => {
    const chronosMs = summarize([...(ours.get(q.name) ?? [])]).median;
    const influxMs = summarize([...(influx.times.get(q.name) ?? [])]).median;
    return { query: q.name, chronosMs, influxMs, ratio: influxMs / chronosMs };
  });
  return { figures, ratios, influxVersion: influx.version };
}

/** The ratios as a table; the target is ChronosDB's median at or under InfluxDB's (ratio >= 1). */
export function renderIotRatios(ratios: readonly IotRatio[]): string {
  return renderTable(['query (medians, ms)', 'ChronosDB', 'InfluxDB', 'InfluxDB/ChronosDB', 'target >= 1'],
    ratios.map((r) => [r.query, formatNumber(r.chronosMs), formatNumber(r.influxMs), r.ratio.toFixed(2), r.ratio >= 1 ? 'met' : 'MISSED']));
}
