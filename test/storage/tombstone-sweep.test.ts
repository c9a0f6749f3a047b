import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { afterEach, describe, expect, it } from 'vitest';
import { openStorage } from '../../src/storage/index.js';
import type { CompactionStepOutcome, StorageEngine } from '../../src/storage/index.js';
import { TombstoneSweep } from '../../src/storage/tombstone-sweep.js';
import type { LevelDatabase } from '../../src/storage/index.js';
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

  it('sweeps a little garbage at the end of the first pass that adds none, then reports nothing pending', async () => {
    const engine = await openStorage({ level: await level(), layout: LAYOUT });
    try {
      await load(engine, 200);
      const pass = async (): Promise<CompactionStepOutcome> => {
        for (let i = 0; i < 100; i++) {
          const outcome = await engine.compactStep(8);
          if (outcome.passEnded) return outcome;
        }
        throw new Error('no pass ended in 100 steps');
      };
      // Passes merge the loaded fragments (their deletes are garbage too) until one adds none.
      let last = await pass();
      for (let i = 0; i < 10 && last.sweepPending; i++) {
        await settled(engine);
        last = await pass();
      }
      await settled(engine);
      expect(last.sweepPending).toBe(false);
      const swept = engine.tombstoneSweeps.completed;
      expect(swept).toBeGreaterThanOrEqual(1);
      // Nothing written: the next passes sweep nothing.
      expect((await pass()).sweepPending).toBe(false);
      await settled(engine);
      expect(engine.tombstoneSweeps.completed).toBe(swept);
    } finally {
      await engine.close();
    }
  });

  it('sweeps garbage written between two passes at the end of the next pass that adds none', async () => {
    const ranges: string[] = [];
    const db = { compactRange: async (start: Uint8Array): Promise<void> => { ranges.push(Buffer.from(start).toString('hex')); } };
    const sweep = new TombstoneSweep(db as unknown as LevelDatabase, 1_000);
    const heads = { heads: [[Uint8Array.of(1), Uint8Array.of(2)] as const], blocks: [[Uint8Array.of(5), Uint8Array.of(6)] as const] };
    const pass = (): void => {
      sweep.beginStep();
      sweep.noteWindow(4, 0);
      sweep.afterStep(heads, true);
    };
    pass();
    expect(sweep.pending).toBe(false);
    // A commit between passes leaves a little garbage; the pass after it merges nothing: without
    // a sweep at its end, a compaction that settles there would leave the garbage for good.
    sweep.noteGarbage(5);
    expect(sweep.pending).toBe(true);
    pass();
    await sweep.close();
    expect(sweep.completed).toBe(1);
    expect(ranges).toEqual(['01']);
    expect(sweep.pending).toBe(false);
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
