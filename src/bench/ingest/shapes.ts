/** One load shape of `npm run bench -- ingest`, in values (one metric of one reading). */
export interface Shape {
  readonly name: string;
  readonly valuesPerRequest: number;
  readonly writers: number;
  /** Infinity: all of iot-1m once; else as many requests as fit in this time. */
  readonly durationMs: number;
}

/** iot-1m once, 5,000 values (2,500 device payloads) per POST, 4 writers. */
export const BULK: Shape = { name: 'bulk', valuesPerRequest: 5_000, writers: 4, durationMs: Infinity };
/** 10 values (5 device payloads) per POST, 8 writers, for 10 s. */
export const SMALL: Shape = { name: 'small', valuesPerRequest: 10, writers: 8, durationMs: 10_000 };

/** What one shape measured. */
export interface ShapeResult {
  readonly values: number;
  /** Values per second answered 202/204. */
  readonly acceptedPerSecond: number;
  /** Values per second until all were stored (queryable). InfluxDB stores before it answers. */
  readonly storedPerSecond: number;
  /** Requests answered 429/503 and sent again. */
  readonly busyRetries: number;
  /** The first reading the next shape should send (so no run repeats one). */
  readonly nextReading: number;
  /** Rows (values) the database holds after this shape. */
  readonly stored: number;
}
