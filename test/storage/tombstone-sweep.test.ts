import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { afterEach, describe, expect, it } from 'vitest';
import { openStorage } from '../../src/storage/index.js';
import type { StorageEngine } from '../../src/storage/index.js';
import { COLUMNAR_READINGS as READINGS, collect } from './backends.js';

const LAYOUT = { blockRows: 64, headEntriesMax: 32, newTables: 'row' as const, sweepAfterGarbage: 1_000 };

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** `rows` readings of four devices, 50 per commit: later folds delete the head rows each commit stored. */
async function load(engine: StorageEngine, rows: number): Promise<void> {
  let index = 0;
  const create = await engine.begin();
  create.createTable(READINGS);
  await create.commit(++index);
  for (let first = 0; first < rows; first += 50) {
    const tx = await engine.begin();
    for (let i = first; i < Math.min(rows, first + 50); i++) await tx.insert('readings', [`d${i % 4}`, i, i / 8], 0);
    await tx.commit(++index);
  }
}

async function scanned(engine: StorageEngine): Promise<string> {
  const reader = await engine.reader();
  try {
    const rows = await collect(reader.scan('readings'));
    return JSON.stringify(rows.map((row) => row.values));
  } finally {
    await reader.close();
  }
}

async function level(): Promise<ClassicLevel<Uint8Array, Uint8Array>> {
  const dir = await mkdtemp(join(tmpdir(), 'chronos-sweep-'));
  dirs.push(dir);
  return new ClassicLevel<Uint8Array, Uint8Array>(dir, { keyEncoding: 'view', valueEncoding: 'view' });
}

async function settled(engine: StorageEngine): Promise<void> {
  for (let i = 0; i < 500 && engine.tombstoneSweeps.running; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(engine.tombstoneSweeps.running).toBe(false);
}

describe('tombstone sweep', () => {
  it('compacts LevelDB once folds have rewritten many blocks, leaving every row as it was', async () => {
    const engine = await openStorage({ level: await level(), layout: LAYOUT });
    try {
      await load(engine, 24_000);
      const before = await scanned(engine);
      expect(engine.tombstoneSweeps.completed).toBe(0);
      await engine.compactStep(8);
      await settled(engine);
      expect(engine.tombstoneSweeps.completed).toBe(1);
      expect(await scanned(engine)).toBe(before);
      // Nothing deleted since: the next steps do not sweep again.
      await engine.compactStep(8);
      await settled(engine);
      expect(engine.tombstoneSweeps.completed).toBe(1);
    } finally {
      await engine.close();
    }
  });

  it('sweeps a little garbage only after a pass saw no new garbage, and then not again', async () => {
    const engine = await openStorage({ level: await level(), layout: LAYOUT });
    try {
      await load(engine, 200);
      const untilPassEnds = async (): Promise<void> => {
        for (let i = 0; i < 100 && !(await engine.compactStep(8)).passEnded; i++);
      };
      await untilPassEnds();
      await settled(engine);
      // The first pass began with garbage counted since open: not quiet yet.
      expect(engine.tombstoneSweeps.completed).toBe(0);
      await untilPassEnds();
      await settled(engine);
      expect(engine.tombstoneSweeps.completed).toBe(1);
      await untilPassEnds();
      await untilPassEnds();
      await settled(engine);
      expect(engine.tombstoneSweeps.completed).toBe(1);
    } finally {
      await engine.close();
    }
  });

  it('reports a failed sweep through the next compaction step, and goes on', async () => {
    const db = await level();
    Object.assign(db, { compactRange: async (): Promise<void> => { throw new Error('disk gone'); } });
    const engine = await openStorage({ level: db, layout: LAYOUT });
    try {
      await load(engine, 24_000);
      await engine.compactStep(8);
      await settled(engine);
      await expect(engine.compactStep(8)).rejects.toThrow(/compacting LevelDB after deletes failed: Error: disk gone/);
      await engine.compactStep(8);
      expect(engine.tombstoneSweeps.completed).toBe(0);
    } finally {
      await engine.close();
    }
  });
});
