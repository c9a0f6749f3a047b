import { IOT_POINTS, iotReadings } from '../iot-data.js';
import type { IotReading } from '../iot-data.js';

/** Values per iot-1m reading: temp and humidity. */
export const VALUES_PER_READING = 2;
const SPAN_S = IOT_POINTS * 10;

/** iot-1m, generated once: 100 devices x 5000 time steps, time-major. */
export function iotDataset(): readonly IotReading[] {
  return [...iotReadings()];
}

/**
 * The `k`-th reading of an endless iot-1m stream: past the end it starts over one span later,
 * so every reading of a long run is new (the anchor's small-batch load does the same).
 */
function nthReading(data: readonly IotReading[], k: number): { reading: IotReading; tsS: number; seq: number } {
  const reading = data[k % data.length] as IotReading;
  const wrap = Math.floor(k / data.length);
  return { reading, tsS: reading.tsMs / 1000 + wrap * SPAN_S, seq: Math.floor(k / 100) };
}

/** `POST /ingest` body of readings first..first+count-1 (each one device payload, two metrics). */
export function ingestBody(data: readonly IotReading[], first: number, count: number): Buffer {
  const payloads: string[] = [];
  for (let k = first; k < first + count; k++) {
    const { reading, tsS, seq } = nthReading(data, k);
    payloads.push(`{"device_id":"${reading.device}","ts":${tsS},"seq":${seq},` +
      `"metrics":{"temp":${reading.temp},"humidity":${reading.humidity}}}`);
  }
  return Buffer.from(`[${payloads.join(',')}]`);
}

/** InfluxDB line protocol of the same readings (`precision=s`), as the anchor writes them. */
export function lineProtocolBody(data: readonly IotReading[], first: number, count: number): Buffer {
  let body = '';
  for (let k = first; k < first + count; k++) {
    const { reading, tsS } = nthReading(data, k);
    body += `readings,device_id=${reading.device} temp=${reading.temp.toFixed(2)},humidity=${reading.humidity.toFixed(2)} ${tsS}\n`;
  }
  return Buffer.from(body);
}
