import { ChronosError } from '../lib/index.js';
import { ReadingColumnsBuilder } from './reading-columns.js';
import type { ReadingColumns } from './reading-columns.js';

/** One metric of one device at one moment: a row of `readings`. */
export interface Reading {
  readonly deviceId: string;
  readonly ts: number;
  readonly seq: number;
  readonly metric: string;
  readonly value: number;
}

/** The guide's `reading_id`: what makes a resent reading the same reading. */
export function readingId(reading: Reading): string {
  return `${reading.deviceId}:${reading.ts}:${reading.seq}:${reading.metric}`;
}

/** The table `POST /ingest` writes, as the guide creates it. */
export const READINGS_TABLE = 'readings';
export const READINGS_DDL = 'CREATE TABLE readings (reading_id STRING, device_id STRING, ts INT, ' +
  'seq INT, metric STRING, value FLOAT);';

function invalid(message: string): ChronosError {
  return new ChronosError('INVALID_ARGUMENT', message);
}

/**
 * The readings of a `POST /ingest` body: one payload `{device_id, ts, seq, metrics}` or an
 * array of them, as columns. Throws INVALID_ARGUMENT naming the field (`[2].ts`, `metrics.temp`).
 */
export function parseIngestBody(body: unknown): ReadingColumns {
  const builder = new ReadingColumnsBuilder(Array.isArray(body) ? body.length * 2 : 4);
  if (Array.isArray(body)) {
    if (body.length === 0) throw invalid('the body is an empty array; send at least one payload');
    for (let i = 0; i < body.length; i++) addPayload(builder, body[i], `[${i}].`);
  } else {
    addPayload(builder, body, '');
  }
  return builder.build();
}

function addPayload(builder: ReadingColumnsBuilder, payload: unknown, at: string): void {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw invalid(`${at === '' ? 'the body' : at.slice(0, -1)} must be a JSON object ` +
      '{"device_id","ts","seq","metrics"}');
  }
  const record = payload as Record<string, unknown>;
  const deviceId = record['device_id'];
  if (typeof deviceId !== 'string' || deviceId === '') {
    throw invalid(`${at}device_id must be a non-empty string`);
  }
  const ts = integerField(record, 'ts', at);
  const seq = integerField(record, 'seq', at);
  const metrics = record['metrics'];
  if (typeof metrics !== 'object' || metrics === null || Array.isArray(metrics)) {
    throw invalid(`${at}metrics must be an object of name: number`);
  }
  const device = builder.deviceOf(deviceId);
  let count = 0;
  for (const metric in metrics) {
    if (!Object.hasOwn(metrics, metric)) continue;
    const value = (metrics as Record<string, unknown>)[metric];
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw invalid(`${at}metrics.${metric} must be a number`);
    }
    if (metric === '') throw invalid(`${at}metrics has an empty metric name`);
    builder.push(device, ts, seq, builder.metricOf(metric), value);
    count += 1;
  }
  if (count === 0) throw invalid(`${at}metrics is empty`);
}

function integerField(record: Record<string, unknown>, field: string, at: string): number {
  const value = record[field];
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    const what = typeof value === 'string' ? 'a JSON integer, not a string'
      : Number.isInteger(value) ? 'a JSON integer within ±9007199254740991 (2^53 - 1)' : 'a JSON integer';
    throw invalid(`${at}${field} must be ${what}`);
  }
  return value;
}
