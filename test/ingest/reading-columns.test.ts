import { describe, expect, it } from 'vitest';
import {
  concatReadingColumns, decodeIngestBatch, encodeIngestBatch, readingColumnsOf, READINGS_CODEC, readingsOf,
} from '../../src/ingest/index.js';
import type { IngestBatch, Reading } from '../../src/ingest/index.js';
import { Random } from '../../src/lib/index.js';

/** Readings with few devices and metrics, repeats, negative and fractional values, big times. */
function randomReadings(random: Random, count: number): Reading[] {
  const devices = ['esp-001', 'gateway/ü', 'd'.repeat(1 + random.int(40)), 'x'];
  const metrics = ['temp', 'humidity', 'µ-volts', 'a b'];
  return Array.from({ length: count }, () => ({
    deviceId: devices[random.int(devices.length)] ?? 'x',
    ts: random.int(2) === 0 ? random.int(1_000) : Number.MAX_SAFE_INTEGER - random.int(1_000),
    seq: random.int(3) - 1,
    metric: metrics[random.int(metrics.length)] ?? 'v',
    value: [0, -0, 1e308, -2.5, Math.PI, random.int(1_000_000) / 1000][random.int(6)] ?? 0,
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

  it('refuses corrupt bytes instead of inventing readings', () => {
    const entry = encodeIngestBatch(batchOf([{ deviceId: 'a', ts: 1, seq: 1, metric: 'v', value: 1 }], false));
    expect(() => decodeIngestBatch(entry.subarray(0, entry.length - 1))).toThrow(/Corrupt ingest batch: .* bytes of columns for 1 readings/);
    const badIndex = entry.slice();
    badIndex[badIndex.length - 8] = 5; // the device index of reading 0
    expect(() => decodeIngestBatch(badIndex)).toThrow(/reading 0 names device 5 of 1/);
    const badTime = entry.slice();
    new DataView(badTime.buffer).setFloat64(badTime.length - 32, 0.5, true); // ts of reading 0
    expect(() => decodeIngestBatch(badTime)).toThrow(/non-integer ts or seq/);
    expect(READINGS_CODEC.decode(new Uint8Array([1, 9, 0, 0]))).toBeNull();
    expect(() => decodeIngestBatch(new Uint8Array([2, 0]))).toThrow(/shorter than its head/);
  });
});
