import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  advanceCursor, applyIngestBatch, cursorName, decodeCursor, IngestDrainer, IngestJournal, readingColumnsOf, READINGS_CODEC,
  READINGS_DDL, READINGS_DRAIN_PLAN,
} from '../../src/ingest/index.js';
import type { IngestApplied, IngestBatch, Reading } from '../../src/ingest/index.js';
import { ChronosError, isChronosError, Random, silentLogger } from '../../src/lib/index.js';
import { newSession, rowsOf } from '../sql/support.js';

const reading = (ts: number): Reading => ({ deviceId: 'd', ts, seq: 0, metric: 'v', value: ts });

describe('the pipelined ingest drainer', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  /**
   * A log stand-in in front of a real apply: each batch is applied in a transaction of its own
   * after a random delay (so batches in flight overtake each other, as forwarded ones can), and
   * some answers are lost before or after the apply (a leader that died).
   */
  it('stores every journaled reading exactly once although batches are lost, reordered and answered late', async () => {
    for (const seed of [1, 2, 3, 4]) {
      const random = new Random(seed);
      const { session, engine } = await newSession();
      await session.execute(READINGS_DDL);
      const dir = await mkdtemp(join(tmpdir(), 'chronos-drainer-'));
      dirs.push(dir);
      const journal = await IngestJournal.open(dir, READINGS_CODEC, silentLogger);
      let applyQueue = Promise.resolve();
      const apply = (batch: IngestBatch): Promise<IngestApplied> => new Promise((resolve, reject) => {
        setTimeout(() => {
          if (random.chance(0.15)) return reject(new ChronosError('UNAVAILABLE', 'lost before the log'));
          applyQueue = applyQueue.then(async () => {
            const txn = await engine.begin();
            try {
              const applied = await applyIngestBatch(txn, batch);
              await txn.commit(engine.appliedIndex + 1);
              if (random.chance(0.15)) reject(new ChronosError('OUTCOME_UNKNOWN', 'answer lost'));
              else resolve(applied);
            } catch (error) {
              await txn.rollback();
              if (!isChronosError(error, 'NOT_APPLIED')) throw error;
              reject(error);
            }
          });
        }, random.int(5));
      });
      const cursor = async (): Promise<number> => {
        const reader = await engine.reader();
        try {
          return decodeCursor(await reader.getNamedValue(cursorName('n1')));
        } finally {
          await reader.close();
        }
      };
      const drainer = new IngestDrainer(journal, READINGS_DRAIN_PLAN, { apply, cursor, batchesInFlight: () => 4 },
        { drained: () => undefined }, { source: 'n1', clock: { nowMs: () => 1 }, log: silentLogger, coalesceBelow: 0 });
      drainer.start();
      const written: number[] = [];
      for (let ts = 0; ts < 600; ts += 40) {
        const readings = Array.from({ length: 40 }, (_, i) => reading(ts + i));
        // Records of 40 readings; batches of up to 5000 readings would take them all at once.
        for (let r = 0; r < 40; r += 4) await journal.append(readingColumnsOf(readings.slice(r, r + 4)), 0);
        written.push(...readings.map((x) => x.ts));
      }
      for (let wait = 0; wait < 400 && journal.stats().pendingRecords > 0; wait += 1) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await drainer.stop();
      await journal.close();
      const stored = rowsOf(await session.execute('SELECT ts FROM readings ORDER BY ts')).map((row) => row[0]);
      expect(stored, `seed ${seed}`).toEqual(written);
      expect(await cursor()).toBe(150);
    }
  }, 60_000);

  it('small records wait for the batch in flight and leave together, not as an entry each', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'chronos-drainer-'));
    dirs.push(dir);
    const journal = await IngestJournal.open(dir, READINGS_CODEC, silentLogger);
    const sent: number[] = [];
    let release: (() => void) | null = null;
    const apply = async (batch: IngestBatch): Promise<IngestApplied> => {
      sent.push(batch.readings.length);
      // The first batch stays in the log until the test lets it go.
      if (sent.length === 1) await new Promise<void>((resolve) => { release = resolve; });
      return { inserted: batch.readings.length, duplicates: 0, problem: null };
    };
    let cursor = 0;
    const drainer = new IngestDrainer(journal, READINGS_DRAIN_PLAN,
      { apply: async (batch) => { const applied = await apply(batch); cursor = batch.lastSeq; return applied; },
        cursor: () => Promise.resolve(cursor), batchesInFlight: () => 4 },
      { drained: () => undefined }, { source: 'n1', clock: { nowMs: () => 1 }, log: silentLogger });
    drainer.start();
    await journal.append(readingColumnsOf([reading(0)]), 0);
    for (let wait = 0; wait < 200 && release === null; wait += 1) await new Promise((resolve) => setTimeout(resolve, 5));
    for (let ts = 1; ts <= 20; ts += 1) await journal.append(readingColumnsOf([reading(ts)]), 0);
    const releaseFirst = release as (() => void) | null;
    releaseFirst?.();
    for (let wait = 0; wait < 400 && journal.stats().pendingRecords > 0; wait += 1) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await drainer.stop();
    await journal.close();
    expect(sent).toEqual([1, 20]);
  });

  it('paces small batches: a lone record leaves at once, the ones right behind it leave together after the gap', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'chronos-drainer-'));
    dirs.push(dir);
    const journal = await IngestJournal.open(dir, READINGS_CODEC, silentLogger);
    const sent: Array<{ readonly readings: number; readonly atMs: number }> = [];
    const started = performance.now();
    let cursor = 0;
    const drainer = new IngestDrainer(journal, READINGS_DRAIN_PLAN,
      { apply: (batch) => {
        sent.push({ readings: batch.readings.length, atMs: performance.now() - started });
        cursor = batch.lastSeq;
        return Promise.resolve({ inserted: batch.readings.length, duplicates: 0, problem: null });
      }, cursor: () => Promise.resolve(cursor), batchesInFlight: () => 4 },
      { drained: () => undefined }, { source: 'n1', clock: { nowMs: () => 1 }, log: silentLogger, coalesceMs: 400 });
    drainer.start();
    await journal.append(readingColumnsOf([reading(0)]), 0);
    for (let wait = 0; wait < 100 && sent.length === 0; wait += 1) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(sent[0]?.atMs ?? Infinity).toBeLessThan(300);
    // Each append is fsynced before the next: without pacing every one would be an entry.
    for (let ts = 1; ts <= 5; ts += 1) await journal.append(readingColumnsOf([reading(ts)]), 0);
    for (let wait = 0; wait < 400 && journal.stats().pendingRecords > 0; wait += 1) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await drainer.stop();
    await journal.close();
    expect(sent.map((batch) => batch.readings)).toEqual([1, 5]);
    expect((sent[1]?.atMs ?? 0) - (sent[0]?.atMs ?? 0)).toBeGreaterThanOrEqual(399);
  });

  it('refuses a batch sent behind one that has not applied, and takes it once that one has', async () => {
    const { engine } = await newSession();
    const batch = (firstSeq: number, lastSeq: number, afterPrevious: boolean): IngestBatch =>
      ({ source: 's', firstSeq, lastSeq, nowMs: 1, afterPrevious, readings: readingColumnsOf([]) });
    const txn = await engine.begin();
    await expect(advanceCursor(txn, 'c', batch(4, 6, true))).rejects.toThrow(/records 4..6 of journal s wait for 1..3, which did not apply/);
    expect(await advanceCursor(txn, 'c', batch(1, 3, false))).toBe('advanced');
    expect(await advanceCursor(txn, 'c', batch(4, 6, true))).toBe('advanced');
    expect(await advanceCursor(txn, 'c', batch(2, 5, false))).toBe('replayed');
    expect(await advanceCursor(txn, 'c', batch(9, 9, false))).toBe('advanced');
    await txn.rollback();
  });
});
