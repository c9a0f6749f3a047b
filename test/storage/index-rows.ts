import { expect } from 'vitest';
import type { Random } from '../../src/lib/index.js';
import type { Row, StorageReader } from '../../src/storage/index.js';
import { collect } from './backends.js';

/** Index order over (device, ts, v) rows: v with NULL first, ties by primary key (device, then ts). */
export function indexOrder(a: Row, b: Row): number {
  const [ad, at, av] = a as [string, number, number | null];
  const [bd, bt, bv] = b as [string, number, number | null];
  if (av !== bv) {
    if (av === null) return -1;
    if (bv === null) return 1;
    return av < bv ? -1 : 1;
  }
  return ad < bd ? -1 : ad > bd ? 1 : at - bt;
}

/** Fails unless `index` of table t lists exactly t's rows, in index order. */
export async function expectIndexMatches(reader: StorageReader, index: string): Promise<void> {
  const rows = (await collect(reader.scan('t'))).map((row) => row.values);
  const listed = (await collect(reader.scanIndex('t', index))).map((row) => row.values);
  expect(listed, index).toEqual([...rows].sort(indexOrder));
}

/** A (device, ts, v) row: few devices, ties of v, some NULLs. */
export function drawRow(rng: Random, tsRange = 50): Row {
  return [rng.pick(['a', 'b', 'ab', 'z']), rng.between(-tsRange, tsRange), rng.chance(0.15) ? null : rng.between(-20, 20) / 4];
}
