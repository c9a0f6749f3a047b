import type { IotReading } from '../iot-data.js';
import { runLoad } from './http-load.js';
import { InfluxServer } from './influx-server.js';
import { VALUES_PER_READING, lineProtocolBody } from './iot-bodies.js';
import { BULK, SMALL } from './shapes.js';
import type { Shape, ShapeResult } from './shapes.js';

/** Lines (readings) InfluxDB holds in `db`, by counting one field. */
async function storedLines(server: InfluxServer, db: string): Promise<number> {
  const answer = await server.query('SELECT count("temp") FROM readings', db) as {
    results?: { series?: { values?: unknown[][] }[] }[];
  };
  return Number(answer.results?.[0]?.series?.[0]?.values?.[0]?.[1] ?? 0);
}

/** One shape into database `db`: InfluxDB answers 204 once the points are in its fsynced WAL. */
export async function runShape(server: InfluxServer, db: string, data: readonly IotReading[], shape: Shape,
  firstReading: number): Promise<ShapeResult> {
  const perRequest = shape.valuesPerRequest / VALUES_PER_READING;
  const requests = shape.durationMs === Infinity ? Math.ceil(data.length / perRequest) : 1_000_000;
  const prebuilt = shape.durationMs === Infinity
    ? Array.from({ length: requests }, (_, i) => lineProtocolBody(data, firstReading + i * perRequest, perRequest))
    : null;
  const load = await runLoad(
    { urls: [`${server.url}/write?db=${db}&precision=s`], writers: shape.writers, headers: { 'content-type': 'text/plain' } },
    (i) => prebuilt?.[i] ?? lineProtocolBody(data, firstReading + i * perRequest, perRequest), requests, shape.durationMs);
  const values = load.requests * shape.valuesPerRequest;
  const lines = await storedLines(server, db);
  if (lines * VALUES_PER_READING !== values) throw new Error(`InfluxDB ${shape.name}: ${lines} lines stored for ${values / 2} sent`);
  const perSecond = values / load.seconds;
  return { values, acceptedPerSecond: perSecond, storedPerSecond: perSecond, busyRetries: load.busyRetries,
    nextReading: firstReading + load.requests * perRequest, stored: values };
}

/** Both shapes on one InfluxDB 1.x, each into its own database (as the anchor does). */
export async function runInfluxIngest(data: readonly IotReading[],
  log: (line: string) => void): Promise<{ bulk: ShapeResult; small: ShapeResult; version: string }> {
  const server = await InfluxServer.start(['iot', 'iot_small']);
  try {
    log(`ingest: ${server.version}, bulk then small, same shapes`);
    const bulk = await runShape(server, 'iot', data, BULK, 0);
    const small = await runShape(server, 'iot_small', data, SMALL, 0);
    return { bulk, small, version: server.version };
  } finally {
    await server.stop();
  }
}
