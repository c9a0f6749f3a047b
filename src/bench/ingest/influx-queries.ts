import { VALUES_PER_READING, iotDataset } from './iot-bodies.js';
import { runShape } from './influx-ingest.js';
import { InfluxServer } from './influx-server.js';
import { BULK } from './shapes.js';
import { IOT_QUERIES } from '../iot-queries.js';
import { timeQueryPhases } from '../query-phases.js';
import type { QueryPhases } from '../query-phases.js';

/** Rows of an InfluxQL answer, summed over its series. */
function answerRows(answer: unknown): number {
  const series = (answer as { results?: { series?: { values?: unknown[] }[] }[] }).results?.[0]?.series ?? [];
  return series.reduce((sum, s) => sum + (s.values?.length ?? 0), 0);
}

const COMPACTION_TIMEOUT_MS = 180_000;

/** What InfluxDB measured: q1-q4 times, and bytes per value once compacted (null: it did not settle). */
export interface InfluxIotResult {
  readonly times: QueryPhases;
  readonly version: string;
  readonly bytesPerValue: number | null;
}

/**
 * iot-1m loaded into InfluxDB 1.x (bulk, as the anchor), its disk use measured once compacted to
 * one TSM file (as the anchor does), then q1-q4 timed as ChronosDB's are.
 */
export async function influxIotQueries(log: (line: string) => void): Promise<InfluxIotResult> {
  const server = await InfluxServer.start(['iot']);
  try {
    log(`iot: ${server.version}, loading iot-1m`);
    const data = iotDataset();
    await runShape(server, 'iot', data, BULK, 0);
    const disk = await server.settledDiskUse('iot', COMPACTION_TIMEOUT_MS);
    const bytesPerValue = disk.settled ? disk.allocatedBytes / (data.length * VALUES_PER_READING) : null;
    log(`iot: InfluxDB on disk ${disk.allocatedBytes} bytes allocated, ${disk.tsmFiles} TSM file(s)` +
      (disk.settled ? '' : `, not compacted after ${COMPACTION_TIMEOUT_MS / 1000} s`));
    // q2 answers one series per device (one row each); q4 one row.
    const queries = IOT_QUERIES.map((q) => ({ name: q.name, text: q.influxql, rows: q.rows }));
    const times = await timeQueryPhases(async (q) => answerRows(await server.query(q, 'iot')), queries, 'InfluxDB', log);
    return { times, version: server.version, bytesPerValue };
  } finally {
    await server.stop();
  }
}
