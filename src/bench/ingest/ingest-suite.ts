import { appendAll } from '../../lib/index.js';
import { figure, formatNumber, renderTable } from '../report.js';
import type { Figure } from '../report.js';
import { summarize } from '../stats.js';
import { runChronosIngest } from './chronos-ingest.js';
import { runInfluxIngest } from './influx-ingest.js';
import { iotDataset } from './iot-bodies.js';
import { BULK, SMALL } from './shapes.js';
import type { ShapeResult } from './shapes.js';

/** A ChronosDB/InfluxDB ratio with the target for it. */
export interface IngestRatio {
  readonly measurement: string;
  readonly chronos: number;
  readonly influx: number;
  readonly ratio: number;
  readonly target: number;
}

/** What `npm run bench -- ingest [--vs-influx]` measured. */
export interface IngestSuiteResult {
  readonly figures: Figure[];
  readonly ratios: IngestRatio[];
  readonly influxVersion: string | null;
}

function shapeFigures(group: string, bulk: ShapeResult, small: ShapeResult): Figure[] {
  const one = (value: number): ReturnType<typeof summarize> => summarize([value]);
  return [
    figure(group, `bulk (${BULK.valuesPerRequest} values/POST, ${BULK.writers} writers) answered`, 'values/s', one(bulk.acceptedPerSecond)),
    figure(group, 'bulk: stored (queryable)', 'values/s', one(bulk.storedPerSecond)),
    figure(group, `small (${SMALL.valuesPerRequest} values/POST, ${SMALL.writers} writers) answered`, 'values/s', one(small.acceptedPerSecond)),
    figure(group, 'small: stored (queryable)', 'values/s', one(small.storedPerSecond)),
  ];
}

/** iot-1m into ChronosDB (1 node, 3 nodes) through /ingest, and into InfluxDB when asked. */
export async function runIngestSuite(vsInflux: boolean, log: (line: string) => void): Promise<IngestSuiteResult> {
  const data = iotDataset();
  const one = await runChronosIngest(1, data, log);
  const three = await runChronosIngest(3, data, log);
  const figures = [...shapeFigures('ChronosDB 1 node', one.bulk, one.small),
    ...shapeFigures('ChronosDB 3 nodes', three.bulk, three.small)];
  if (!vsInflux) return { figures, ratios: [], influxVersion: null };
  const influx = await runInfluxIngest(data, log);
  appendAll(figures, shapeFigures('InfluxDB', influx.bulk, influx.small));
  const ratio = (measurement: string, chronos: number, peer: number, target: number): IngestRatio =>
    ({ measurement, chronos, influx: peer, ratio: peer === 0 ? Number.NaN : chronos / peer, target });
  const ratios = [
    ratio('bulk, 1 node, stored', one.bulk.storedPerSecond, influx.bulk.storedPerSecond, 1),
    ratio('small, 1 node, answered', one.small.acceptedPerSecond, influx.small.acceptedPerSecond, 1),
    ratio('bulk, 3 nodes, stored', three.bulk.storedPerSecond, influx.bulk.storedPerSecond, 0.5),
    ratio('small, 3 nodes, answered', three.small.acceptedPerSecond, influx.small.acceptedPerSecond, 0.5),
  ];
  return { figures, ratios, influxVersion: influx.version };
}

/** The ratios (values/s, ChronosDB over InfluxDB) as a table with their targets. */
export function renderIngestRatios(ratios: readonly IngestRatio[]): string {
  return renderTable(['ChronosDB / InfluxDB', 'ChronosDB', 'InfluxDB', 'ratio', 'target', ''],
    ratios.map((r) => [r.measurement, formatNumber(r.chronos), formatNumber(r.influx), r.ratio.toFixed(2),
      `>= ${r.target}`, r.ratio >= r.target ? 'ok' : 'MISSED']));
}
