import { ChronosError } from '../lib/index.js';
import { DRAIN_BATCH_POINTS } from './drainer.js';
import type { DrainPlan } from './drainer.js';
import { journalBatchFields, journalBatchOf } from './journal-batch.js';
import type { JournalBatch } from './journal-batch.js';
import type { JournalCodec } from './journal-record.js';
import type { Point } from './point.js';
import { pointsOfTuples, pointTuples } from './points-codec.js';
import type { PointsApplied } from './apply-points.js';

/** Points a node journaled from line protocol, applied as one log entry. */
export interface PointBatch extends JournalBatch {
  readonly points: readonly Point[];
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** The write journal's records: up to a drain batch of one request's points, as JSON tuples. */
export const POINTS_CODEC: JournalCodec<readonly Point[]> = {
  encode: (points) => encoder.encode(JSON.stringify(pointTuples(points))),
  decode(payload) {
    try {
      return pointsOfTuples(JSON.parse(decoder.decode(payload)));
    } catch {
      return null;
    }
  },
  weight: (points) => points.length,
};

/** A point batch as log entry data: JSON {s, f, l, n, p}. */
export function encodePointBatch(batch: PointBatch): Uint8Array {
  return encoder.encode(JSON.stringify({
    ...journalBatchFields(batch), p: pointTuples(batch.points),
  }));
}

/** Inverse of encodePointBatch; CORRUPTION when malformed. */
export function decodePointBatch(bytes: Uint8Array): PointBatch {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(bytes));
  } catch (cause) {
    throw new ChronosError('CORRUPTION', 'Corrupt point batch: not JSON', { cause });
  }
  const fields = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const head = journalBatchOf(fields);
  const points = pointsOfTuples(fields['p']);
  if (head === null || points === null) {
    throw new ChronosError('CORRUPTION', 'Corrupt point batch: missing or malformed fields');
  }
  return { ...head, points };
}

/** How the line-protocol drainer makes batches of its journal's records. */
export const POINTS_DRAIN_PLAN: DrainPlan<readonly Point[], PointBatch, PointsApplied> = {
  batch: (records, head) => ({
    ...head, firstSeq: records[0]?.seq ?? 0, lastSeq: records.at(-1)?.seq ?? 0,
    points: records.flatMap((record) => record.item),
  }),
  problem: (applied) => (applied.problems.length === 0 ? null : applied.problems.join('; ')),
  itemsPerBatch: DRAIN_BATCH_POINTS,
};
