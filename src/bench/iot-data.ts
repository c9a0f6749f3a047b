/**
 * The iot-1m workload of ../shared/anchors/influxdb (gen-iot1m.mjs), generated here from its
 * published definition so ChronosDB stores exactly the readings InfluxDB was measured on:
 * 100 devices "esp-000".."esp-099", one reading every 10 s for 5000 steps from unix 1733856000,
 * temp and humidity with two decimals, drawn from mulberry32(20241210), time-major order.
 */
export const IOT_DEVICES = 100;
export const IOT_POINTS = 5000;
const START_S = 1_733_856_000;
const STEP_S = 10;
const SEED = 20_241_210;

/** One reading: ts in ms since the epoch. */
export interface IotReading {
  readonly device: string;
  readonly tsMs: number;
  readonly temp: number;
  readonly humidity: number;
}

function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const round2 = (value: number): number => Math.round(value * 100) / 100;

/** The readings of the first `points` time steps (all devices each), in arrival order. */
export function* iotReadings(points = IOT_POINTS): Generator<IotReading> {
  const random = mulberry32(SEED);
  const devices = Array.from({ length: IOT_DEVICES }, (_, d) => `esp-${String(d).padStart(3, '0')}`);
  for (let i = 0; i < points; i++) {
    const tsMs = (START_S + i * STEP_S) * 1000;
    const baseTemp = 20 + 5 * Math.sin(i / 50);
    const baseHumidity = 50 + 10 * Math.cos(i / 80);
    for (const device of devices) {
      const u1 = random();
      const u2 = random();
      yield {
        device,
        tsMs,
        temp: round2(baseTemp + (u1 - 0.5) * 0.5),
        humidity: round2(baseHumidity + (u2 - 0.5) * 1.0),
      };
    }
  }
}
