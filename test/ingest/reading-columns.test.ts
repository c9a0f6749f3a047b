import { describe, expect, it } from 'vitest';
import {
  concatReadingColumns, decodeIngestBatch, encodeIngestBatch, readingColumnsOf, READINGS_CODEC, readingsOf,
} from '../../src/ingest/index.js';
import type { IngestBatch, Reading } from '../../src/ingest/index.js';
import { Random } from '../../src/lib/index.js';
import { decodeReadingColumns } from '../../src/ingest/reading-columns-codec.js';

/** A time of one regime: small, at the edge of what differences hold exactly, or huge. */
function times(random: Random, regime: number): number {
  const edge = 2 ** 51 - 1;
  switch (regime) {
    case 0: return random.int(1_000) - 10;
    case 1: return [0, edge, -edge, 1][random.int(4)] ?? 0;
    case 2: return [0, edge][random.int(2)] ?? 0;
    default: return (random.int(2) === 0 ? 1 : -1) * (random.int(2) === 0 ? random.int(1_000) : Number.MAX_SAFE_INTEGER - random.int(1_000));
  }
}

/** Readings with few devices and metrics, repeats, negative and fractional values, times of every size. */
function randomReadings(random: Random, count: number): Reading[] {
  const regime = random.int(4);
  const devices = ['esp-001', 'gateway/ü', 'd'.repeat(1 + random.int(40)), 'x'];
  const metrics = ['temp', 'humidity', 'µ-volts', 'a b'];
  return Array.from({ length: count }, () => ({
    deviceId: devices[random.int(devices.length)] ?? 'x',
    ts: times(random, regime),
    seq: random.int(3) - 1,
    metric: metrics[random.int(metrics.length)] ?? 'v',
    value: [0, -0, 1e308, -2.5, Math.PI, random.int(1_000_000) / 1000][random.int(6)] ?? 0,
  }));
}

/** Format 1 as older versions wrote it (little-endian u32 counts, f64 numbers, u32 indexes). */
function formatOne(readings: Reading[]): Uint8Array {
  const columns = readingColumnsOf(readings);
  const names = [columns.devices, columns.metrics].map((list) => list.map((name) => new TextEncoder().encode(name)));
  const parts: Uint8Array[] = [new Uint8Array([1])];
  const u32 = (value: number): Uint8Array => new Uint8Array(new Uint32Array([value]).buffer);
  parts.push(u32(columns.length));
  for (const list of names) {
    parts.push(u32(list.length));
    for (const name of list) parts.push(u32(name.length), name);
  }
  for (const column of [columns.ts, columns.seq, columns.value, columns.device, columns.metric]) {
    parts.push(new Uint8Array(column.buffer, column.byteOffset, column.byteLength));
  }
  return Buffer.concat(parts);
}

/** A gateway's stream: devices in turn at shared, stepping times, counting seqs. */
function gatewayReadings(count: number): Reading[] {
  return Array.from({ length: count }, (_, i) => ({
    deviceId: `esp-${String(i % 100).padStart(3, '0')}`, ts: 1_733_856_000 + 10 * Math.floor(i / 200), seq: Math.floor(i / 200),
    metric: i % 2 === 0 ? 'temp' : 'humidity', value: 20 + (i % 37) / 10,
  }));
}

const batchOf = (readings: Reading[], afterPrevious: boolean): IngestBatch =>
  ({ source: 'node-é', firstSeq: 7, lastSeq: 2 ** 40, nowMs: 1_733_856_000_123, afterPrevious, readings: readingColumnsOf(readings) });

describe('reading columns', () => {
  it('round-trip through a journal record and a log entry, for any readings', () => {
    const random = new Random(11);
    for (let trial = 0; trial < 200; trial++) {
      const readings = randomReadings(random, random.int(50));
      const columns = readingColumnsOf(readings);
      const record = READINGS_CODEC.decode(READINGS_CODEC.encode(columns));
      expect(record === null ? null : readingsOf(record)).toEqual(readings);
      const batch = batchOf(readings, trial % 2 === 0);
      const decoded = decodeIngestBatch(encodeIngestBatch(batch));
      expect({ ...decoded, readings: readingsOf(decoded.readings) }).toEqual({ ...batch, readings });
    }
  });

  it('concatenate requests into one batch with one dictionary', () => {
    const random = new Random(12);
    const parts = [randomReadings(random, 30), randomReadings(random, 0), randomReadings(random, 25)];
    const joined = concatReadingColumns(parts.map(readingColumnsOf));
    expect(readingsOf(joined)).toEqual(parts.flat());
    expect(joined.devices.length).toBe(new Set(parts.flat().map((r) => r.deviceId)).size);
  });

  it('reads journal records and log entries written as JSON before the binary format', () => {
    const legacyRecord = new TextEncoder().encode(JSON.stringify([['esp', 1, 2, 'temp', 20.5], ['esp', 1, 2, 'hum', 40]]));
    const record = READINGS_CODEC.decode(legacyRecord);
    expect(record === null ? null : readingsOf(record)).toEqual([
      { deviceId: 'esp', ts: 1, seq: 2, metric: 'temp', value: 20.5 }, { deviceId: 'esp', ts: 1, seq: 2, metric: 'hum', value: 40 }]);
    const legacyEntry = new TextEncoder().encode(JSON.stringify({ s: 'n1', f: 3, l: 4, n: 99, a: 1, r: [['esp', 1, 2, 'temp', 20.5]] }));
    const batch = decodeIngestBatch(legacyEntry);
    expect({ ...batch, readings: readingsOf(batch.readings) }).toEqual({
      source: 'n1', firstSeq: 3, lastSeq: 4, nowMs: 99, afterPrevious: true,
      readings: [{ deviceId: 'esp', ts: 1, seq: 2, metric: 'temp', value: 20.5 }],
    });
  });

  it('still read format 1, the fixed-width columns older versions wrote', () => {
    const random = new Random(13);
    for (let trial = 0; trial < 100; trial++) {
      const readings = randomReadings(random, random.int(40));
      expect(readingsOf(decodeReadingColumns(formatOne(readings), 0, 'record'))).toEqual(readings);
    }
  });

  it('take about 12 bytes a reading from a gateway (32 in format 1)', () => {
    const readings = gatewayReadings(10_000);
    const bytes = READINGS_CODEC.encode(readingColumnsOf(readings));
    expect(bytes.length).toBeLessThan(10_000 * 12.1);
    expect(formatOne(readings).length).toBeGreaterThan(10_000 * 32);
    const record = READINGS_CODEC.decode(bytes);
    expect(record === null ? null : readingsOf(record)).toEqual(readings);
  });

  it('refuses corrupt bytes instead of inventing readings', () => {
    const entry = encodeIngestBatch(batchOf([{ deviceId: 'a', ts: 1, seq: 1, metric: 'v', value: 1 }], false));
    expect(() => decodeIngestBatch(entry.subarray(0, entry.length - 1))).toThrow(/truncated ingest batch at offset/);
    expect(() => decodeIngestBatch(Buffer.concat([entry, new Uint8Array([0])]))).toThrow(/1 bytes after the columns of 1 readings/);
    // [2, count, devices, 1, 'a', metrics, 1, 'v', ts form, seq form, device, metric, ts (f64: too big for deltas), seq, value]
    const record = READINGS_CODEC.encode(readingColumnsOf([{ deviceId: 'a', ts: Number.MAX_SAFE_INTEGER, seq: 1, metric: 'v', value: 1 }]));
    expect([...record.subarray(0, 12)]).toEqual([2, 1, 1, 1, 97, 1, 1, 118, 2, 1, 0, 0]);
    const decode = (bytes: Uint8Array): unknown => decodeReadingColumns(bytes, 0, 'record');
    const badIndex = record.slice();
    badIndex[10] = 5;
    expect(() => decode(badIndex)).toThrow(/reading 0 names device 5 of 1/);
    const badTime = record.slice();
    new DataView(badTime.buffer).setFloat64(12, 0.5, true);
    expect(() => decode(badTime)).toThrow(/non-integer ts or seq/);
    const badForm = record.slice();
    badForm[9] = 7;
    expect(() => decode(badForm)).toThrow(/unknown time column form 7/);
    expect(() => decode(new Uint8Array([2, 0xff, 0xff, 0xff, 0x7f, 0]))).toThrow(/268435455 readings in 1 bytes/);
    expect(() => decode(new Uint8Array([3, 0]))).toThrow(/unknown reading columns format 3/);
    const fixed = formatOne([{ deviceId: 'a', ts: 1, seq: 1, metric: 'v', value: 1 }]);
    expect(() => decode(fixed.subarray(0, fixed.length - 1))).toThrow(/bytes of columns for 1 readings/);
    expect(READINGS_CODEC.decode(new Uint8Array([1, 9, 0, 0]))).toBeNull();
    expect(() => decodeIngestBatch(new Uint8Array([2, 0]))).toThrow(/shorter than its head/);
  });
});
