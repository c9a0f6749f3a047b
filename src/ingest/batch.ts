import { ChronosError } from '../lib/index.js';
import type { IngestApplied } from './apply.js';
import type { DrainPlan } from './drainer.js';
import { journalBatchFields, journalBatchOf } from './journal-batch.js';
import type { JournalBatch } from './journal-batch.js';
import type { Reading } from './reading.js';

/** Readings a node journaled, applied as one log entry. */
export interface IngestBatch extends JournalBatch {
  readonly readings: readonly Reading[];
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Compact JSON: readings as [device, ts, seq, metric, value] tuples. */
export function encodeIngestBatch(batch: IngestBatch): Uint8Array {
  return encoder.encode(JSON.stringify({
    ...journalBatchFields(batch), r: batch.readings.map((r) => [r.deviceId, r.ts, r.seq, r.metric, r.value]),
  }));
}

/** Inverse of encodeIngestBatch; CORRUPTION when malformed. */
export function decodeIngestBatch(bytes: Uint8Array): IngestBatch {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(bytes));
  } catch (cause) {
    throw new ChronosError('CORRUPTION', 'Corrupt ingest batch: not JSON', { cause });
  }
  const bad = (what: string): never => {
    throw new ChronosError('CORRUPTION', `Corrupt ingest batch: ${what}`);
  };
  if (typeof value !== 'object' || value === null) return bad('not an object');
  const head = journalBatchOf(value as Record<string, unknown>);
  const { r } = value as Record<string, unknown>;
  if (head === null || !Array.isArray(r)) return bad('missing fields');
  const readings = r.map((tuple: unknown, i): Reading => {
    if (!Array.isArray(tuple) || tuple.length !== 5) return bad(`reading ${i} malformed`);
    const [deviceId, ts, seq, metric, reading] = tuple as unknown[];
    if (typeof deviceId !== 'string' || typeof ts !== 'number' || typeof seq !== 'number' ||
      typeof metric !== 'string' || typeof reading !== 'number') return bad(`reading ${i} malformed`);
    return { deviceId, ts, seq, metric, value: reading };
  });
  return { ...head, readings };
}

/** How the `/ingest` drainer makes batches of its journal's records. */
export const READINGS_DRAIN_PLAN: DrainPlan<readonly Reading[], IngestBatch, IngestApplied> = {
  batch: (records, head) => ({
    ...head, firstSeq: records[0]?.seq ?? 0, lastSeq: records.at(-1)?.seq ?? 0,
    readings: records.flatMap((record) => record.item),
  }),
  problem: (applied) => applied.problem,
};
