import { ChronosCluster } from '../chronos-cluster.js';
import { waitUntil } from '../ports.js';
import type { IotReading } from '../iot-data.js';
import { runLoad } from './http-load.js';
import { VALUES_PER_READING, ingestBody } from './iot-bodies.js';
import { BULK, SMALL } from './shapes.js';
import type { ShapeResult } from './shapes.js';

const READINGS_DDL = 'CREATE TABLE readings (reading_id STRING, device_id STRING, ts INT, seq INT, metric STRING, value FLOAT)';
/** A bulk body (2,500 device payloads) is ~240 KB: above the 128 KiB default, as the note says. */
const BODY_LIMIT_BYTES = 1024 * 1024;
const DRAIN_TIMEOUT_MS = 600_000;

/** Readings journaled but not yet stored, summed over the nodes' /metrics. */
async function pendingReadings(cluster: ChronosCluster): Promise<number> {
  let pending = 0;
  for (let i = 0; i < cluster.size; i++) pending += await cluster.metric(i, 'chronos_ingest_pending_readings');
  return pending;
}

async function storedRows(cluster: ChronosCluster): Promise<number> {
  const leader = await cluster.findLeader();
  const result = await cluster.execute(leader?.index ?? 0, 'SELECT COUNT(*) FROM readings');
  return result.kind === 'rows' ? Number(result.rows[0]?.[0]) : -1;
}

/** Runs one shape against the cluster: accepted (202) rate, then the time until all is stored. */
async function runShape(cluster: ChronosCluster, data: readonly IotReading[], shape: typeof BULK,
  firstReading: number, storedBefore: number): Promise<ShapeResult> {
  const perRequest = shape.valuesPerRequest / VALUES_PER_READING;
  const requests = shape.durationMs === Infinity ? Math.ceil(data.length / perRequest) : 1_000_000;
  const prebuilt = shape.durationMs === Infinity
    ? Array.from({ length: requests }, (_, i) => ingestBody(data, firstReading + i * perRequest, perRequest))
    : null;
  const urls = Array.from({ length: cluster.size }, (_, i) => `${cluster.adminUrl(i)}/ingest`);
  const load = await runLoad({ urls, writers: shape.writers, headers: { 'content-type': 'application/json' } },
    (i) => prebuilt?.[i] ?? ingestBody(data, firstReading + i * perRequest, perRequest), requests, shape.durationMs);
  const drainStarted = performance.now();
  await waitUntil('the ingest journals to drain', DRAIN_TIMEOUT_MS, async () => ((await pendingReadings(cluster)) === 0 ? true : null), 100);
  const storedSeconds = load.seconds + (performance.now() - drainStarted) / 1000;
  const values = load.requests * shape.valuesPerRequest;
  const stored = await storedRows(cluster);
  if (stored !== storedBefore + values) {
    throw new Error(`${shape.name}: ${stored - storedBefore} rows stored for ${values} values answered 202`);
  }
  return { values, acceptedPerSecond: values / load.seconds, storedPerSecond: values / storedSeconds,
    busyRetries: load.busyRetries, nextReading: firstReading + load.requests * perRequest, stored };
}

/** Both shapes on a ChronosDB cluster of `size` nodes with --enable-ingest. */
export async function runChronosIngest(size: number, data: readonly IotReading[],
  log: (line: string) => void): Promise<{ bulk: ShapeResult; small: ShapeResult }> {
  const cluster = await ChronosCluster.start({ size, nodeArgs: ['--enable-ingest'], setupSql: [READINGS_DDL],
    env: { CHRONOS_INGEST_MAX_BODY_BYTES: String(BODY_LIMIT_BYTES) } });
  try {
    log(`ingest: ${size} node(s), bulk: ${BULK.valuesPerRequest / VALUES_PER_READING} payloads per POST, ${BULK.writers} writers`);
    const bulk = await runShape(cluster, data, BULK, 0, 0);
    log(`ingest: ${size} node(s), small: ${SMALL.valuesPerRequest} readings per POST, ${SMALL.writers} writers, ${SMALL.durationMs / 1000} s`);
    const small = await runShape(cluster, data, SMALL, bulk.nextReading, bulk.stored);
    return { bulk, small };
  } finally {
    await cluster.stop();
  }
}
