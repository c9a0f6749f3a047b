import { assert } from '../lib/index.js';
import type { Reading } from './reading.js';

/**
 * Readings as columns: what a request becomes, what a journal record and a log entry carry.
 * Device ids and metric names are stored once each (a gateway's batch names a few hundred
 * devices and a handful of metrics for thousands of readings), and numbers live in typed
 * arrays, so a batch of 5,000 readings is a few objects, not 5,000.
 */
export interface ReadingColumns {
  readonly length: number;
  /** Distinct device ids; `device[i]` indexes it. */
  readonly devices: readonly string[];
  /** Distinct metric names; `metric[i]` indexes it. */
  readonly metrics: readonly string[];
  readonly device: Uint32Array;
  readonly metric: Uint32Array;
  readonly ts: Float64Array;
  readonly seq: Float64Array;
  readonly value: Float64Array;
}

const INITIAL_CAPACITY = 64;

/** Appends readings one at a time into columns; `build()` hands them out trimmed. */
export class ReadingColumnsBuilder {
  readonly #devices: string[] = [];
  readonly #metrics: string[] = [];
  readonly #deviceIndex = new Map<string, number>();
  readonly #metricIndex = new Map<string, number>();
  #length = 0;
  #device: Uint32Array;
  #metric: Uint32Array;
  #ts: Float64Array;
  #seq: Float64Array;
  #value: Float64Array;

  constructor(capacity = INITIAL_CAPACITY) {
    const size = Math.max(1, capacity);
    this.#device = new Uint32Array(size);
    this.#metric = new Uint32Array(size);
    this.#ts = new Float64Array(size);
    this.#seq = new Float64Array(size);
    this.#value = new Float64Array(size);
  }

  get length(): number {
    return this.#length;
  }

  /** The dictionary index of `deviceId`, added when new. */
  deviceOf(deviceId: string): number {
    return indexOf(this.#deviceIndex, this.#devices, deviceId);
  }

  /** The dictionary index of `metric`, added when new. */
  metricOf(metric: string): number {
    return indexOf(this.#metricIndex, this.#metrics, metric);
  }

  /** Appends one reading whose device and metric are dictionary indexes of this builder. */
  push(device: number, ts: number, seq: number, metric: number, value: number): void {
    if (this.#length === this.#ts.length) this.#grow();
    const i = this.#length++;
    this.#device[i] = device;
    this.#metric[i] = metric;
    this.#ts[i] = ts;
    this.#seq[i] = seq;
    this.#value[i] = value;
  }

  /** Appends one reading. */
  add(reading: Reading): void {
    this.push(this.deviceOf(reading.deviceId), reading.ts, reading.seq, this.metricOf(reading.metric), reading.value);
  }

  /** Appends every reading of `columns`, mapping its dictionaries onto this builder's. */
  addAll(columns: ReadingColumns): void {
    const devices = columns.devices.map((d) => this.deviceOf(d));
    const metrics = columns.metrics.map((m) => this.metricOf(m));
    for (let i = 0; i < columns.length; i++) {
      this.push(devices[columns.device[i] ?? 0] ?? 0, columns.ts[i] ?? 0, columns.seq[i] ?? 0,
        metrics[columns.metric[i] ?? 0] ?? 0, columns.value[i] ?? 0);
    }
  }

  /** The columns so far (the builder must not be used afterwards). */
  build(): ReadingColumns {
    const n = this.#length;
    return {
      length: n, devices: this.#devices, metrics: this.#metrics,
      device: this.#device.subarray(0, n), metric: this.#metric.subarray(0, n),
      ts: this.#ts.subarray(0, n), seq: this.#seq.subarray(0, n), value: this.#value.subarray(0, n),
    };
  }

  #grow(): void {
    const size = this.#ts.length * 2;
    this.#device = grown(this.#device, new Uint32Array(size));
    this.#metric = grown(this.#metric, new Uint32Array(size));
    this.#ts = grown(this.#ts, new Float64Array(size));
    this.#seq = grown(this.#seq, new Float64Array(size));
    this.#value = grown(this.#value, new Float64Array(size));
  }
}

function grown<T extends Uint32Array | Float64Array>(old: T, bigger: T): T {
  bigger.set(old);
  return bigger;
}

function indexOf(index: Map<string, number>, names: string[], name: string): number {
  let at = index.get(name);
  if (at === undefined) {
    at = names.length;
    names.push(name);
    index.set(name, at);
  }
  return at;
}

/** Columns holding `readings`, in order. */
export function readingColumnsOf(readings: readonly Reading[]): ReadingColumns {
  const builder = new ReadingColumnsBuilder(readings.length);
  for (const reading of readings) builder.add(reading);
  return builder.build();
}

/** The columns of several requests as one batch, in order. */
export function concatReadingColumns(parts: readonly ReadingColumns[]): ReadingColumns {
  if (parts.length === 1 && parts[0] !== undefined) return parts[0];
  const builder = new ReadingColumnsBuilder(parts.reduce((sum, part) => sum + part.length, 0));
  for (const part of parts) builder.addAll(part);
  return builder.build();
}

/** Reading `i` of `columns` as an object (tests, logs and the slow path; the hot paths read columns). */
export function readingAt(columns: ReadingColumns, i: number): Reading {
  assert(i >= 0 && i < columns.length, `reading ${i} of ${columns.length}`);
  return {
    deviceId: columns.devices[columns.device[i] ?? 0] ?? '', ts: columns.ts[i] ?? 0, seq: columns.seq[i] ?? 0,
    metric: columns.metrics[columns.metric[i] ?? 0] ?? '', value: columns.value[i] ?? 0,
  };
}

/** Every reading of `columns` as objects, in order. */
export function readingsOf(columns: ReadingColumns): Reading[] {
  return Array.from({ length: columns.length }, (_, i) => readingAt(columns, i));
}
