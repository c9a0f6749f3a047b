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

/** A value of one regime: any double, decimals a sensor sends, or decimals at the edge of exactness. */
function values(random: Random, regime: number): number {
  switch (regime) {
    case 0: return [0, -0, 1e308, -2.5, Math.PI, random.int(1_000_000) / 1000][random.int(6)] ?? 0;
    case 1: return (random.int(20_000) - 10_000) / ([1, 10, 100][random.int(3)] ?? 1);
    default: return [(2 ** 49 - 1) / 1_000_000, -(2 ** 49 - 1) / 1_000_000, 0.000001, 5e-7, 123456.789][random.int(5)] ?? 0;
  }
}

/** Readings with few devices and metrics, repeats, negative and fractional values, times of every size. */
function randomReadings(random: Random, count: number): Reading[] {
  const regime = random.int(4);
  const valueRegime = random.int(3);
  const devices = ['esp-001', 'gateway/ü', 'd'.repeat(1 + random.int(40)), 'x'];
  const metrics = ['temp', 'humidity', 'µ-volts', 'a b'];
  return Array.from({ length: count }, () => ({
    deviceId: devices[random.int(devices.length)] ?? 'x',
    ts: times(random, regime),
    seq: random.int(3) - 1,
    metric: metrics[random.int(metrics.length)] ?? 'v',
    value: values(random, valueRegime),
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

/** Format 2 as the first compact build wrote it: format 3 without the value form, values as f64. */
function formatTwo(readings: Reading[]): Uint8Array {
  const columns = readingColumnsOf(readings);
  const parts: number[] = [2];
  const varint = (value: number): void => {
    let rest = value;
    while (rest >= 0x80) { parts.push((rest % 0x80) | 0x80); rest = Math.floor(rest / 0x80); }
    parts.push(rest);
  };
  const zigzagDeltas = (column: Float64Array): void => {
    let previous = 0;
    for (const value of column) { const delta = value - previous; previous = value; varint(delta < 0 ? -2 * delta - 1 : 2 * delta); }
  };
  varint(columns.length);
  for (const list of [columns.devices, columns.metrics]) {
    varint(list.length);
    for (const name of list) { const bytes = new TextEncoder().encode(name); varint(bytes.length); parts.push(...bytes); }
  }
  parts.push(1, 1); // ts and seq as deltas
  for (const column of [columns.device, columns.metric]) for (const index of column) varint(index);
  zigzagDeltas(columns.ts);
  zigzagDeltas(columns.seq);
  return Buffer.concat([new Uint8Array(parts), new Uint8Array(columns.value.buffer)]);
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

  it('still read format 2, the compact columns with f64 values', () => {
    const readings = gatewayReadings(500).map((reading, i) => ({ ...reading, value: i % 7 === 0 ? Math.PI : reading.value }));
    expect(readingsOf(decodeReadingColumns(formatTwo(readings), 0, 'record'))).toEqual(readings);
  });

  it('take about 6 bytes a reading from a gateway (32 in format 1)', () => {
    const readings = gatewayReadings(10_000);
    const bytes = READINGS_CODEC.encode(readingColumnsOf(readings));
    expect(bytes.length).toBeLessThan(10_000 * 6.1);
    expect(formatOne(readings).length).toBeGreaterThan(10_000 * 32);
    const record = READINGS_CODEC.decode(bytes);
    expect(record === null ? null : readingsOf(record)).toEqual(readings);
  });

  it('refuses corrupt bytes instead of inventing readings', () => {
    const entry = encodeIngestBatch(batchOf([{ deviceId: 'a', ts: 1, seq: 1, metric: 'v', value: 1 }], false));
    expect(() => decodeIngestBatch(entry.subarray(0, entry.length - 1))).toThrow(/truncated ingest batch at offset/);
    expect(() => decodeIngestBatch(Buffer.concat([entry, new Uint8Array([0])]))).toThrow(/1 bytes after the columns of 1 readings/);
    // [3, count, devices, 1, 'a', metrics, 1, 'v', ts form, seq form, value form, device, metric, ts (f64: too big for deltas), seq, decimals, value]
    const record = READINGS_CODEC.encode(readingColumnsOf([{ deviceId: 'a', ts: Number.MAX_SAFE_INTEGER, seq: 1, metric: 'v', value: 1 }]));
    expect([...record.subarray(0, 13)]).toEqual([3, 1, 1, 1, 97, 1, 1, 118, 2, 1, 3, 0, 0]);
    expect([...record.subarray(21)]).toEqual([2, 0, 2]);
    const decode = (bytes: Uint8Array): unknown => decodeReadingColumns(bytes, 0, 'record');
    const badIndex = record.slice();
    badIndex[11] = 5;
    expect(() => decode(badIndex)).toThrow(/reading 0 names device 5 of 1/);
    const badTime = record.slice();
    new DataView(badTime.buffer).setFloat64(13, 0.5, true);
    expect(() => decode(badTime)).toThrow(/non-integer ts or seq/);
    const badForm = record.slice();
    badForm[9] = 7;
    expect(() => decode(badForm)).toThrow(/unknown time column form 7/);
    const badScale = record.slice();
    badScale[22] = 7;
    expect(() => decode(badScale)).toThrow(/a decimal scale above 6/);
    const badValueForm = record.slice();
    badValueForm[10] = 9;
    expect(() => decode(badValueForm)).toThrow(/unknown value column form 9/);
    expect(() => decode(new Uint8Array([3, 0xff, 0xff, 0xff, 0x7f, 0, 0, 1, 1, 2, 0]))).toThrow(/268435455 readings in 1 bytes/);
    expect(() => decode(new Uint8Array([4, 0]))).toThrow(/unknown reading columns format 4/);
    const fixed = formatOne([{ deviceId: 'a', ts: 1, seq: 1, metric: 'v', value: 1 }]);
    expect(() => decode(fixed.subarray(0, fixed.length - 1))).toThrow(/bytes of columns for 1 readings/);
    expect(READINGS_CODEC.decode(new Uint8Array([1, 9, 0, 0]))).toBeNull();
    expect(() => decodeIngestBatch(new Uint8Array([2, 0]))).toThrow(/shorter than its head/);
  });
});
