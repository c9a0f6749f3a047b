import { canonicalInt } from '../storage/index.js';
import type { FieldValue, Point } from './point.js';

/** A point as JSON: [measurement, [[tag, value]...], [[field, type letter, value]...], "timeNs"]. */
type PointTuple = [string, [string, string][], [string, string, number | string | boolean][], string];

const TYPE_LETTER = { FLOAT: 'f', INT: 'i', STRING: 's', BOOLEAN: 'b' } as const;

/** JSON-ready tuples of points (INT values and times as decimal strings: they may exceed 2^53). */
export function pointTuples(points: readonly Point[]): PointTuple[] {
  return points.map((point) => [
    point.measurement,
    point.tags.map(([key, value]): [string, string] => [key, value]),
    point.fields.map(([key, field]): [string, string, number | string | boolean] =>
      [key, TYPE_LETTER[field.type], field.type === 'INT' ? String(field.value) : field.value]),
    String(point.timeNs),
  ]);
}

/** Inverse of pointTuples; null when anything is malformed. */
export function pointsOfTuples(tuples: unknown): Point[] | null {
  if (!Array.isArray(tuples)) return null;
  const points: Point[] = [];
  for (const tuple of tuples) {
    if (!Array.isArray(tuple) || tuple.length !== 4) return null;
    const [measurement, tags, fields, time] = tuple as unknown[];
    if (typeof measurement !== 'string' || !Array.isArray(tags) || !Array.isArray(fields) ||
      typeof time !== 'string' || !/^-?\d+$/.test(time)) return null;
    if (!tags.every((tag) => Array.isArray(tag) && tag.length === 2 && typeof tag[0] === 'string' &&
      typeof tag[1] === 'string')) return null;
    const decoded = fields.map(fieldOfTuple);
    if (decoded.some((field) => field === null)) return null;
    points.push({
      measurement, tags: tags as [string, string][], fields: decoded as [string, FieldValue][], timeNs: BigInt(time),
    });
  }
  return points;
}

function fieldOfTuple(tuple: unknown): [string, FieldValue] | null {
  if (!Array.isArray(tuple) || tuple.length !== 3 || typeof tuple[0] !== 'string') return null;
  const [key, letter, value] = tuple as [string, unknown, unknown];
  if (letter === 'f' && typeof value === 'number') return [key, { type: 'FLOAT', value }];
  if (letter === 'i' && typeof value === 'string' && /^-?\d+$/.test(value)) {
    return [key, { type: 'INT', value: canonicalInt(BigInt(value)) }];
  }
  if (letter === 's' && typeof value === 'string') return [key, { type: 'STRING', value }];
  if (letter === 'b' && typeof value === 'boolean') return [key, { type: 'BOOLEAN', value }];
  return null;
}
