import { ChronosError } from '../lib/index.js';

/**
 * A hybrid logical clock stamp: wall-clock milliseconds, a counter that orders events within
 * one millisecond, and the stamping node's id, which breaks ties so that two edges writing the
 * same key in the same (ms, counter) still order the same way everywhere.
 */
export interface HlcStamp {
  readonly physicalMs: number;
  readonly logical: number;
  readonly nodeId: string;
}

/** Total order of stamps: physical time, then counter, then node id (by UTF-16 code units). */
export function compareHlc(a: HlcStamp, b: HlcStamp): number {
  if (a.physicalMs !== b.physicalMs) return a.physicalMs < b.physicalMs ? -1 : 1;
  if (a.logical !== b.logical) return a.logical < b.logical ? -1 : 1;
  if (a.nodeId === b.nodeId) return 0;
  return a.nodeId < b.nodeId ? -1 : 1;
}

/** `physicalMs.logical@nodeId`, the form logs and errors print. */
export function formatHlc(stamp: HlcStamp): string {
  return `${stamp.physicalMs}.${stamp.logical}@${stamp.nodeId}`;
}

/** Checks a decoded stamp's shape; CORRUPTION naming `where` when it is not a stamp. */
export function checkHlc(value: unknown, where: string): HlcStamp {
  const stamp = value as Partial<HlcStamp> | null;
  if (typeof stamp !== 'object' || stamp === null ||
    !Number.isSafeInteger(stamp.physicalMs) || (stamp.physicalMs as number) < 0 ||
    !Number.isSafeInteger(stamp.logical) || (stamp.logical as number) < 0 ||
    typeof stamp.nodeId !== 'string' || stamp.nodeId === '') {
    throw new ChronosError('CORRUPTION', `Corrupt sync data: ${where} has no valid HLC stamp`);
  }
  return { physicalMs: stamp.physicalMs as number, logical: stamp.logical as number, nodeId: stamp.nodeId };
}
