import { MemoryLevel } from 'memory-level';
import { describe, expect, it } from 'vitest';
import { applyIngestBatch, readingColumnsOf, READINGS_TABLE } from '../../src/ingest/index.js';
import type { IngestBatch, Reading } from '../../src/ingest/index.js';
import { RUN_ENTRIES_MAX, TAIL_ENTRIES_MAX, recordFreshReadings } from '../../src/ingest/stored-readings.js';
import { DIRECTORY_RUNS_MAX } from '../../src/ingest/series-tail.js';
import { Random } from '../../src/lib/index.js';
import { openStorage } from '../../src/storage/index.js';
import type { StorageEngine, TableDefinition } from '../../src/storage/index.js';
import { turnsDuring } from '../helpers/one-process.js';

const TABLE: TableDefinition = {
  name: 'readings', primaryKey: [], ttlMs: null,
  columns: ([['reading_id', 'STRING'], ['device_id', 'STRING'], ['ts', 'INT'], ['seq', 'INT'], ['metric', 'STRING'], ['value', 'FLOAT']] as const)
    .map(([name, type]) => ({ name, type, notNull: false })),
};

async function engineWithTable(): Promise<{ engine: StorageEngine; level: MemoryLevel<Uint8Array, Uint8Array> }> {
  const level = new MemoryLevel<Uint8Array, Uint8Array>({ keyEncoding: 'view', valueEncoding: 'view' });
  const engine = await openStorage({ level });
  const txn = await engine.begin();
  txn.createTable(TABLE);
  await txn.commit(1);
  return { engine, level };
}

/** One series' readings, applied a batch per transaction: `apply` answers how many were new. */
async function oneSeries(): Promise<{ engine: StorageEngine; apply: (readings: Reading[]) => Promise<number> }> {
  const { engine } = await engineWithTable();
  return {
    engine,
    async apply(readings) {
      const txn = await engine.begin();
      const fresh = await recordFreshReadings(txn, READINGS_TABLE, readingColumnsOf(readings), null);
      await txn.commit(engine.appliedIndex + 1);
      return fresh.reduce((sum, f) => sum + f, 0);
    },
  };
}

const reading = (ts: number): Reading => ({ deviceId: 'd', metric: 'm', ts, seq: 0, value: ts });

/**
 * Batches shaped like what devices send and resend: mostly each series moving forward, with
 * late readings landing below a series' tail, between and below its closed runs, exact
 * resends of old readings, repeats inside a batch, and times near the ends of the safe range.
 */
function batches(random: Random, count: number): Reading[][] {
  // Names that encode to the same UTF-8 bytes (a lone surrogate, U+FFFD) are one series.
  const devices = ['esp-1', 'esp-2', 'gw/ü', ''.padEnd(1 + random.int(5), 'z'), 'a\ud800', 'a\ufffd'];
  const metrics = ['temp', 'hum', 'x\udc00', 'x\ufffd'];
  const clocks = new Map<string, number>();
  const sent: Reading[] = [];
  const base = [0, -1_000_000, Number.MAX_SAFE_INTEGER - 200_000][random.int(3)] ?? 0;
  return Array.from({ length: count }, () => {
    const size = random.int(4) === 0 ? 1 + random.int(400) : 1 + random.int(60);
    const batch: Reading[] = [];
    for (let k = 0; k < size; k++) {
      const deviceId = devices[random.int(devices.length)] ?? 'x';
      const metric = metrics[random.int(metrics.length)] ?? 'v';
      const series = `${deviceId}|${metric}`;
      const shape = random.int(20);
      const old = sent[random.int(Math.max(1, sent.length))];
      if (shape === 0 && old !== undefined) {
        batch.push({ ...old, value: random.int(100) }); // a resend, maybe with another value
      } else if (shape === 1) {
        const now = clocks.get(series) ?? base;
        batch.push({ deviceId, metric, ts: now - random.int(3_000), seq: random.int(3), value: k }); // late
      } else if (shape === 2 && batch.length > 0) {
        batch.push(batch[random.int(batch.length)] as Reading); // twice in one batch
      } else {
        const now = (clocks.get(series) ?? base) + random.int(3);
        clocks.set(series, now);
        batch.push({ deviceId, metric, ts: now, seq: random.int(2), value: k });
      }
    }
    sent.push(...batch);
    return batch;
  });
}

/** What makes two readings the same: their names as stored (UTF-8 bytes), ts and seq. */
const utf8 = (text: string): string => Buffer.from(text, 'utf8').toString('latin1');
const identity = (r: Reading): string => `${utf8(r.deviceId)}\u0000${utf8(r.metric)}\u0000${r.ts}\u0000${r.seq}`;

describe('the index of stored readings', () => {
  it('answers exactly which readings are new, for any mix of in-order, late, resent and repeated readings', async () => {
    for (let seed = 1; seed <= 12; seed++) {
      const random = new Random(seed);
      const { engine } = await engineWithTable();
      const stored = new Set<string>();
      let index = 1;
      const all = batches(random, 150);
      for (let b = 0; b < all.length;) {
        // Sometimes two batches share a transaction: the second must see the first's writes.
        const together = random.int(4) === 0 ? 2 : 1;
        const txn = await engine.begin();
        for (const readings of all.slice(b, b + together)) {
          const fresh = await recordFreshReadings(txn, READINGS_TABLE, readingColumnsOf(readings), null);
          const expected = readings.map((r) => {
            const id = identity(r);
            if (stored.has(id)) return 0;
            stored.add(id);
            return 1;
          });
          expect(Array.from(fresh), `seed ${seed} batch ${b}`).toEqual(expected);
        }
        await txn.commit(++index);
        b += together;
      }
      await engine.close();
    }
  });

  it('keeps a series that arrives backwards and in bulk, across tail closes and run splits', async () => {
    const { engine, apply } = await oneSeries();
    // Times 4 apart, in one batch: the tail closes into a full run and a short one.
    const forward = Array.from({ length: RUN_ENTRIES_MAX + 2 * TAIL_ENTRIES_MAX }, (_, i) => reading(100_000 + 4 * i));
    expect(await apply(forward)).toBe(forward.length);
    // The times between, newest first: they land in the full run, which grows past twice
    // RUN_ENTRIES_MAX and splits; then readings below every run.
    const backwards: Reading[] = [];
    for (let ts = 100_000 + 4 * (RUN_ENTRIES_MAX - 1); ts > 100_000; ts--) if (ts % 4 !== 0) backwards.push(reading(ts));
    for (let at = 0; at < backwards.length; at += 500) expect(await apply(backwards.slice(at, at + 500))).toBe(Math.min(500, backwards.length - at));
    expect(await apply([...forward, ...backwards])).toBe(0);
    expect(await apply([reading(-5), reading(-5), reading(-4)])).toBe(2);
    expect(await apply([reading(-4), reading(100_001), reading(100_000)])).toBe(0);
    expect(await apply([reading(99_999), reading(-3)])).toBe(2);
    await engine.close();
  });

  it('finds every reading after runs split, whether the tail lists them or a seek must find them', async () => {
    const { engine, apply } = await oneSeries();
    // Batches of 200 readings 20 apart: each closes a run of about 200 into the index, 42
    // more runs than the tail lists (DIRECTORY_RUNS_MAX), so the oldest are found by seeks.
    const step = 20;
    const perBatch = 200;
    const batchCount = DIRECTORY_RUNS_MAX + 42;
    for (let b = 0; b < batchCount; b++) {
      expect(await apply(Array.from({ length: perBatch }, (_, i) => reading((b * perBatch + i) * step)))).toBe(perBatch);
    }
    // Fill the gaps of an old, unlisted run and of a listed one far from either end: both
    // grow past twice RUN_ENTRIES_MAX and split.
    const fills: Reading[][] = [];
    const listedBatch = batchCount - 10;
    for (const b of [5, listedBatch]) {
      const fill: Reading[] = [];
      for (let ts = b * perBatch * step + 1; ts < (b + 1) * perBatch * step; ts++) if (ts % step !== 0) fill.push(reading(ts));
      expect(fill.length).toBeGreaterThan(2 * RUN_ENTRIES_MAX);
      for (let at = 0; at < fill.length; at += 1000) expect(await apply(fill.slice(at, at + 1000))).toBe(Math.min(1000, fill.length - at));
      fills.push(fill);
    }
    // Everything again, from the oldest: all stored already.
    const everything = Array.from({ length: batchCount * perBatch }, (_, i) => reading(i * step)).concat(...fills);
    for (let at = 0; at < everything.length; at += 2000) expect(await apply(everything.slice(at, at + 2000))).toBe(0);
    // Gap readings beside each split run and in an untouched old one: new once, then stored.
    const gaps = [reading(5 * perBatch * step - 1), reading(listedBatch * perBatch * step - 1), reading(10 * perBatch * step + step / 2)];
    expect(await apply(gaps)).toBe(3);
    expect(await apply(gaps)).toBe(0);
    await engine.close();
  });

  it('takes names that encode to the same bytes (a lone surrogate, U+FFFD) as one series', async () => {
    const { engine } = await engineWithTable();
    const apply = async (readings: Reading[]): Promise<number[]> => {
      const txn = await engine.begin();
      const fresh = await recordFreshReadings(txn, READINGS_TABLE, readingColumnsOf(readings), null);
      await txn.commit(engine.appliedIndex + 1);
      return Array.from(fresh);
    };
    const at = (deviceId: string, metric: string, ts: number): Reading => ({ deviceId, metric, ts, seq: 0, value: ts });
    expect(await apply([at('a\ud800', 'm', 1), at('a\ufffd', 'm', 2), at('a\ufffd', 'm', 1), at('d', 'x\udc00', 5), at('d', 'x\ufffd', 5)]))
      .toEqual([1, 1, 0, 1, 0]);
    expect(await apply([at('a\ufffd', 'm', 1), at('a\ud800', 'm', 2), at('d', 'x\udc00', 5)])).toEqual([0, 0, 0]);
    await engine.close();
  });

  it('still refuses readings an older version marked one by one', async () => {
    const { engine, level } = await engineWithTable();
    const txn = await engine.begin();
    const id = txn.catalog.table('readings')?.id ?? -1;
    await txn.rollback();
    const legacyMark = (readingId: string): Uint8Array => {
      const text = new TextEncoder().encode(readingId);
      const key = new Uint8Array(6 + text.length);
      key[0] = 0x10;
      new DataView(key.buffer).setUint32(1, id, false);
      key[5] = 0x06;
      key.set(text, 6);
      return key;
    };
    await level.put(legacyMark('esp:1:2:temp'), new Uint8Array(0));
    const batch: IngestBatch = {
      source: 'n1', firstSeq: 1, lastSeq: 1, nowMs: 5, afterPrevious: false,
      readings: readingColumnsOf([{ deviceId: 'esp', ts: 1, seq: 2, metric: 'temp', value: 1 }, { deviceId: 'esp', ts: 1, seq: 2, metric: 'hum', value: 2 }]),
    };
    const apply = await engine.begin();
    expect(await applyIngestBatch(apply, batch)).toEqual({ inserted: 1, duplicates: 1, problem: null });
    await apply.commit(engine.appliedIndex + 1);
    // A node that learned its table holds no marks forgets that when a snapshot replaces its
    // state, and a transaction begun before the import teaches it nothing about the new state.
    const { engine: fresh } = await engineWithTable();
    const probe = await fresh.begin();
    expect(await probe.hasMarks('readings')).toBe(false);
    await probe.rollback();
    const before = await fresh.begin();
    await fresh.importSnapshot(engine.exportSnapshot());
    expect(await before.hasMarks('readings')).toBe(false);
    await before.rollback();
    for (let i = 0; i < 2; i++) {
      const after = await fresh.begin();
      expect(await after.hasMarks('readings')).toBe(true);
      await after.rollback();
    }
    await fresh.close();
    await engine.close();
  });

  it('gives the event loop turns while applying a large batch (Raft and HTTP share the loop)', async () => {
    const { engine } = await engineWithTable();
    const readings: Reading[] = [];
    for (let device = 0; device < 2_000; device++) {
      for (let ts = 1; ts <= 10; ts++) readings.push({ deviceId: `esp-${device}`, metric: 'temp', ts, seq: 0, value: ts });
    }
    const batch: IngestBatch = { source: 'n1', firstSeq: 1, lastSeq: 1, nowMs: 5, afterPrevious: false, readings: readingColumnsOf(readings) };
    const txn = await engine.begin();
    const { result, turns } = await turnsDuring(() => applyIngestBatch(txn, batch));
    expect(result).toEqual({ inserted: 20_000, duplicates: 0, problem: null });
    await txn.commit(engine.appliedIndex + 1);
    // At least a turn per 64 series written and per 1,024-row block encoded.
    expect(turns).toBeGreaterThanOrEqual(Math.floor(2_000 / 64) + Math.floor(20_000 / 1_024));
    await engine.close();
  });
});
