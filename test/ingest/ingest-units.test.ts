import { mkdtemp, readdir, rm, stat, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  applyIngestBatch, IngestGateway, IngestJournal, parseIngestBody, readingColumnsOf, READINGS_CODEC, READINGS_DDL, readingsOf,
} from '../../src/ingest/index.js';
import type { IngestBatch, Reading } from '../../src/ingest/index.js';
import { decodeReplicatedCommand, encodeReplicatedCommand } from '../../src/node/replicated-command.js';
import { silentLogger } from '../../src/lib/index.js';
import { memoryEngine, newSession, rowsOf } from '../sql/support.js';

const reading = (deviceId: string, ts: number, metric: string, value: number, seq = 1): Reading =>
  ({ deviceId, ts, seq, metric, value });

describe('POST /ingest bodies', () => {
  it('reads the guide payload and arrays of them, one reading per metric', () => {
    expect(readingsOf(parseIngestBody({ device_id: 'esp-001', ts: 1733856000, seq: 42, metrics: { temp: 30.5, humidity: 40.2 } })))
      .toEqual([reading('esp-001', 1733856000, 'temp', 30.5, 42), reading('esp-001', 1733856000, 'humidity', 40.2, 42)]);
    expect(parseIngestBody([{ device_id: 'a', ts: 1, seq: 0, metrics: { v: 1 } }, { device_id: 'b', ts: 2, seq: 0, metrics: { v: -0.5 } }]))
      .toHaveProperty('length', 2);
  });

  it.each([
    [null, /the body must be a JSON object/],
    [[], /empty array/],
    [{ ts: 1, seq: 1, metrics: { v: 1 } }, /^device_id must be a non-empty string$/],
    [{ device_id: 'a', ts: '1', seq: 1, metrics: { v: 1 } }, /^ts must be a JSON integer, not a string$/],
    [{ device_id: 'a', ts: 1.5, seq: 1, metrics: { v: 1 } }, /^ts must be a JSON integer$/],
    [{ device_id: 'a', ts: 2 ** 53 + 2, seq: 1, metrics: { v: 1 } }, /^ts must be a JSON integer within ±9007199254740991 \(2\^53 - 1\)$/],
    [{ device_id: 'a', ts: 1, metrics: { v: 1 } }, /^seq must be a JSON integer$/],
    [{ device_id: 'a', ts: 1, seq: 1, metrics: { temp: 'hot' } }, /^metrics\.temp must be a number$/],
    [{ device_id: 'a', ts: 1, seq: 1, metrics: {} }, /^metrics is empty$/],
    [[{ device_id: 'a', ts: 1, seq: 1, metrics: { v: 1 } }, { device_id: 'b', ts: 1, seq: 1 }], /^\[1\]\.metrics must be an object/],
  ])('refuses %j naming the field', (body, message) => {
    expect(() => parseIngestBody(body)).toThrow(message);
  });
});

describe('the ingest journal', () => {
  const dirs: string[] = [];
  const newDir = async (): Promise<string> => {
    const dir = await mkdtemp(join(tmpdir(), 'chronos-journal-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(async () => {
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  it('has an incarnation id that survives a reopen; a wiped dir gets a new one; an id-less old journal keeps none', async () => {
    const dir = await newDir();
    const first = await IngestJournal.open(dir, READINGS_CODEC, silentLogger);
    await first.append(readingColumnsOf([reading('d', 1, 'v', 1)]), 1000);
    await first.close();
    const reopened = await IngestJournal.open(dir, READINGS_CODEC, silentLogger);
    expect(reopened.id).toMatch(/^[0-9a-f]{16}$/);
    expect(reopened.id).toBe(first.id);
    await reopened.close();
    await rm(join(dir, 'JOURNAL_ID'));
    const legacy = await IngestJournal.open(dir, READINGS_CODEC, silentLogger);
    expect(legacy.id).toBeNull();
    await legacy.close();
    const wiped = await IngestJournal.open(await newDir(), READINGS_CODEC, silentLogger);
    expect(wiped.id).not.toBe(first.id);
    await wiped.close();
  });

  it('keeps every acknowledged append across a reopen, in order, and shares fsyncs', async () => {
    const dir = await newDir();
    const journal = await IngestJournal.open(dir, READINGS_CODEC, silentLogger);
    const seqs = await Promise.all(Array.from({ length: 50 }, (_, i) =>
      journal.append(readingColumnsOf([reading('d', i, 'v', i / 4)]), 1000 + i)));
    expect(seqs).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    await journal.close();
    const reopened = await IngestJournal.open(dir, READINGS_CODEC, silentLogger);
    const pending = reopened.pending(1_000);
    expect(pending.map((r) => r.seq)).toEqual(seqs);
    expect(pending.map((r) => r.item.value[0])).toEqual(seqs.map((s) => (s - 1) / 4));
    expect(reopened.stats()).toMatchObject({ pendingRecords: 50, pendingItems: 50, oldestPendingReceivedAtMs: 1000 });
    await reopened.close();
  });

  it('cuts a torn tail (never acknowledged) and goes on numbering after what survived', async () => {
    const dir = await newDir();
    const journal = await IngestJournal.open(dir, READINGS_CODEC, silentLogger);
    await journal.append(readingColumnsOf([reading('d', 1, 'v', 1)]), 1);
    await journal.append(readingColumnsOf([reading('d', 2, 'v', 2)]), 2);
    await journal.close();
    const [name] = await readdir(dir);
    const path = join(dir, name ?? '');
    await truncate(path, (await stat(path)).size - 3);
    const reopened = await IngestJournal.open(dir, READINGS_CODEC, silentLogger);
    expect(reopened.pending(10).map((r) => r.seq)).toEqual([1]);
    expect(await reopened.append(readingColumnsOf([reading('d', 3, 'v', 3)]), 3)).toBe(2);
    await reopened.close();
  });

  it('forgets applied records and hands out batches of about the asked size', async () => {
    const dir = await newDir();
    const journal = await IngestJournal.open(dir, READINGS_CODEC, silentLogger);
    for (let i = 0; i < 10; i += 1) await journal.append(readingColumnsOf([reading('d', i, 'a', 1), reading('d', i, 'b', 2)]), i);
    expect(journal.pending(5).map((r) => r.seq)).toEqual([1, 2]);
    await journal.discardThrough(4);
    expect(journal.pending(100).map((r) => r.seq)).toEqual([5, 6, 7, 8, 9, 10]);
    expect(journal.stats()).toMatchObject({ pendingRecords: 6, pendingItems: 12 });
    await journal.close();
    await expect(journal.append(readingColumnsOf([reading('d', 0, 'v', 0)]), 0)).rejects.toThrow(/closed/);
  });
});

describe('applying ingest batches', () => {
  const batch = (firstSeq: number, lastSeq: number, readings: Reading[]): IngestBatch =>
    ({ source: 'edge1', firstSeq, lastSeq, nowMs: 1_700_000_000_000, afterPrevious: false, readings: readingColumnsOf(readings) });

  it('stores each reading once: resends, overlaps, a reading twice in one batch', async () => {
    const { session, engine } = await newSession();
    await session.execute(READINGS_DDL);
    const apply = async (b: IngestBatch) => {
      const txn = await engine.begin();
      const applied = await applyIngestBatch(txn, b);
      await txn.commit(engine.appliedIndex + 1);
      return applied;
    };
    const a = reading('esp', 1, 'temp', 20.5);
    const b = reading('esp', 1, 'hum', 40);
    expect(await apply(batch(1, 1, [a, b, a]))).toEqual({ inserted: 2, duplicates: 1, problem: null });
    expect(await apply(batch(1, 1, [a, b]))).toEqual({ inserted: 0, duplicates: 2, problem: null });
    expect(await apply(batch(2, 3, [b, reading('esp', 2, 'temp', 21)]))).toEqual({ inserted: 1, duplicates: 1, problem: null });
    const rows = rowsOf(await session.execute('SELECT reading_id, value FROM readings ORDER BY reading_id'));
    expect(rows).toEqual([['esp:1:1:hum', 40], ['esp:1:1:temp', 20.5], ['esp:2:1:temp', 21]]);
  });

  it('stores a bulk batch as column blocks that read back as rows, in any column order, extra columns NULL', async () => {
    const { session, engine } = await newSession();
    await session.execute('CREATE TABLE readings (note STRING, value FLOAT, metric STRING, seq INT, ts INT, device_id STRING, reading_id STRING)');
    const readings: Reading[] = [];
    for (let i = 0; i < 400; i++) readings.push(reading(['esp-1', 'esp-10', 'é:1'][i % 3] as string, 1_700_000_000 + (i >> 2), i % 2 === 0 ? 'temp' : 'hum', i / 4, i % 5));
    readings.push(readings[7] as Reading, readings[300] as Reading);
    const txn = await engine.begin();
    expect(await applyIngestBatch(txn, batch(1, 1, readings))).toEqual({ inserted: 400, duplicates: 2, problem: null });
    await txn.commit(engine.appliedIndex + 1);
    const expected = readings.slice(0, 400).map((r) => [null, r.value, r.metric, r.seq, r.ts, r.deviceId, `${r.deviceId}:${r.ts}:${r.seq}:${r.metric}`]);
    const byId = (a: unknown[], b: unknown[]): number => Buffer.compare(Buffer.from(String(a[6])), Buffer.from(String(b[6])));
    expect(rowsOf(await session.execute('SELECT * FROM readings ORDER BY reading_id'))).toEqual(expected.sort(byId));
    const ids = expected.map((row) => row[6] as string);
    expect(rowsOf(await session.execute('SELECT count(reading_id), min(reading_id), max(reading_id) FROM readings')))
      .toEqual([[400, ids[0], ids.at(-1)]]);
    expect(rowsOf(await session.execute(`SELECT value FROM readings WHERE reading_id = '${ids[123] as string}'`)))
      .toEqual([[expected[123]?.[1]]]);
  });

  it('reports, rather than stores, a batch whose table was dropped since the 202', async () => {
    const engine = await memoryEngine();
    const txn = await engine.begin();
    const applied = await applyIngestBatch(txn, batch(1, 1, [reading('esp', 1, 'v', 1)]));
    expect(applied.problem).toMatch(/table readings does not exist; create it first: CREATE TABLE readings/);
    await txn.rollback();
  });

  it('travels in the log as one typed command', () => {
    const command = { kind: 'ingestBatch', batch: batch(3, 9, [reading('esp-1', 5, 'temp', -1.25, 7)]) } as const;
    expect(decodeReplicatedCommand(encodeReplicatedCommand(command))).toEqual(command);
  });
});

describe('the ingest gateway\'s limits', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });
  const gatewayOver = async (limits: { maxInflight: number; maxBacklogReadings: number }) => {
    const dir = await mkdtemp(join(tmpdir(), 'chronos-gateway-'));
    dirs.push(dir);
    const journal = await IngestJournal.open(dir, READINGS_CODEC, silentLogger);
    const refused: string[] = [];
    const gateway = new IngestGateway(journal, limits, async () => null,
      { accepted: () => undefined, rejected: (reason) => refused.push(reason) }, { nowMs: () => 1_000 });
    return { gateway, journal, refused };
  };
  const body = (device: string, n: number) =>
    Array.from({ length: n }, (_, i) => ({ device_id: device, ts: i + 1, seq: 1, metrics: { v: i } }));

  it('never lets requests checked together take the backlog past its limit', async () => {
    const { gateway, journal, refused } = await gatewayOver({ maxInflight: 64, maxBacklogReadings: 100 });
    const outcomes = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => gateway.accept(body(`d${i}`, 30))));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(3);
    expect(journal.stats().pendingItems).toBe(90);
    expect(refused).toEqual(Array(5).fill('backlog'));
    await journal.close();
  });

  it('refuses before a body is read once the open requests or the backlog are at their limits', async () => {
    const { gateway, journal, refused } = await gatewayOver({ maxInflight: 2, maxBacklogReadings: 30 });
    const first = gateway.open();
    const second = gateway.open();
    expect(() => gateway.open()).toThrow(/more than 2 ingest requests open/);
    first();
    first(); // closing twice frees one place, not two
    const third = gateway.open();
    expect(() => gateway.open()).toThrow(/CHRONOS_INGEST_MAX_INFLIGHT/);
    second();
    third();
    await gateway.accept(body('d', 30));
    expect(() => gateway.open()).toThrow(/CHRONOS_INGEST_MAX_BACKLOG_READINGS/);
    expect(refused).toEqual(['busy', 'busy', 'backlog']);
    await journal.close();
  });
});
