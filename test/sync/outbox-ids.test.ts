import { describe, expect, it } from 'vitest';
import { isChronosError, Random } from '../../src/lib/index.js';
import type { StorageEngine } from '../../src/storage/index.js';
import { acknowledgeOutbox, appendToOutbox, outboxStats, readOutbox, type SyncOp } from '../../src/sync/index.js';
import { memoryEngine } from '../sql/support.js';

const START_MS = 1_765_000_000_000;
const OUTBOX = 'sync-outbox';

const op = (n: number, ms: number): SyncOp =>
  ({ kind: 'upsert', hlc: { physicalMs: ms, logical: n, nodeId: 'edge1' }, table: 't', columns: ['k'], row: [n] });

async function committed(engine: StorageEngine, work: (txn: Awaited<ReturnType<StorageEngine['begin']>>) => Promise<void>): Promise<void> {
  const txn = await engine.begin();
  await work(txn);
  await txn.commit(engine.appliedIndex + 1);
}

async function queuedIds(engine: StorageEngine): Promise<number[]> {
  const reader = await engine.reader();
  try {
    return (await readOutbox(reader, 1_000_000)).map((entry) => entry.id);
  } finally {
    await reader.close();
  }
}

async function stats(engine: StorageEngine): Promise<Awaited<ReturnType<typeof outboxStats>>> {
  const reader = await engine.reader();
  try {
    return await outboxStats(reader);
  } finally {
    await reader.close();
  }
}

/** Every outbox value of `from` written into a fresh engine: what a restored backup holds. */
async function restoredCopy(from: StorageEngine): Promise<StorageEngine> {
  const reader = await from.reader();
  const values = await reader.namedValuesWithPrefix(OUTBOX, null, 1_000_000);
  await reader.close();
  const copy = await memoryEngine();
  await committed(copy, async (txn) => {
    for (const { name, value } of values) txn.putNamedValue(name, value);
  });
  return copy;
}

/**
 * A target skips op ids at or below its cursor for the edge. An edge restored from a backup
 * (its counter back where the backup stood) must still number new ops above every id it used
 * after the backup, or they are skipped unstored while the edge counts them delivered. Drawn
 * histories of writes (the clock now and then stepping back), acknowledgements of a shipped
 * prefix, and restores of an earlier copy, against a model of what is pending.
 */
describe('outbox op ids', () => {
  for (const seed of [3, 17, 41, 90]) {
    it(`ascend across restores and clock steps, and the pending count holds (seed ${seed})`, async () => {
      const rng = new Random(seed);
      let engine = await memoryEngine();
      let nowMs = START_MS;
      let pending: number[] = [];
      let highestUsed = 0;
      let backup: { engine: StorageEngine; pending: number[] } | null = null;
      for (let step = 0; step < 60; step++) {
        nowMs += rng.chance(0.15) ? -rng.between(1, 50) : rng.between(0, 30);
        const action = rng.int(10);
        if (action < 5) {
          const count = rng.between(1, rng.chance(0.2) ? 3000 : 20);
          const ops = Array.from({ length: count }, (_, i) => op(i, nowMs));
          await committed(engine, (txn) => appendToOutbox(txn, ops, nowMs));
          const ids = await queuedIds(engine);
          const added = ids.slice(pending.length);
          expect(added).toHaveLength(count);
          expect(added[0], `step ${step}: new ids above every id used`).toBeGreaterThan(highestUsed);
          expect(added[0], `step ${step}: ids from the write's time`).toBe(Math.max(highestUsed + 1, nowMs * 1000));
          for (let i = 1; i < added.length; i++) expect(added[i]).toBe((added[i - 1] as number) + 1);
          highestUsed = added.at(-1) as number;
          pending = ids;
        } else if (action < 8 && pending.length > 0) {
          const shipped = rng.between(1, pending.length);
          const through = pending[shipped - 1] as number;
          let removed = -1;
          await committed(engine, async (txn) => { removed = await acknowledgeOutbox(txn, through); });
          expect(removed).toBe(shipped);
          pending = pending.slice(shipped);
        } else if (action === 8) {
          backup = { engine: await restoredCopy(engine), pending: [...pending] };
        } else if (backup !== null) {
          await engine.close();
          // Stopping the edge, restoring and starting it take seconds.
          nowMs += 5_000;
          engine = backup.engine;
          pending = backup.pending;
          backup = null;
        }
        expect(await queuedIds(engine)).toEqual(pending);
        expect((await stats(engine)).pendingOps, `step ${step}`).toBe(pending.length);
      }
      await engine.close();
      await backup?.engine.close();
    });
  }

  it('a clock past the safe ids goes on from the last id; ids past them are refused, nothing written', async () => {
    const engine = await memoryEngine();
    await committed(engine, (txn) => appendToOutbox(txn, [op(1, START_MS)], START_MS));
    const farFuture = 1e13; // year ~2286: x 1000 is no longer a safe integer
    await committed(engine, (txn) => appendToOutbox(txn, [op(2, farFuture)], farFuture));
    expect(await queuedIds(engine)).toEqual([START_MS * 1000, START_MS * 1000 + 1]);
    const txn = await engine.begin();
    txn.putNamedValue(`${OUTBOX}-next`, new TextEncoder().encode(String(Number.MAX_SAFE_INTEGER - 2)));
    const refused = await appendToOutbox(txn, [op(3, START_MS), op(4, START_MS), op(5, START_MS)], START_MS)
      .then(() => null, (error: unknown) => error);
    await txn.rollback();
    expect(isChronosError(refused, 'RESOURCE_EXHAUSTED')).toBe(true);
    expect(String(refused)).toMatch(/not applied: sync outbox op ids are exhausted/);
    expect(await queuedIds(engine)).toEqual([START_MS * 1000, START_MS * 1000 + 1]);
    await engine.close();
  });

  it('counts the pending ops of an outbox written before the count was kept, then goes on above its ids', async () => {
    const engine = await memoryEngine();
    const text = (n: number): Uint8Array => new TextEncoder().encode(String(n));
    const legacyId = (START_MS - 1_000) * 1000 + 5;
    await committed(engine, async (txn) => {
      await appendToOutbox(txn, [op(1, START_MS)], START_MS);
      // The counters as the dense numbering left them: ids 003..005 queued, 002 acknowledged.
      txn.deleteNamedValue(`${OUTBOX}-pending`);
      for (const id of await readOutbox(txn, 10)) txn.deleteNamedValue(`${OUTBOX}:${String(id.id).padStart(16, '0')}`);
      for (let id = legacyId - 2; id <= legacyId; id++) txn.putNamedValue(`${OUTBOX}:${String(id).padStart(16, '0')}`, new Uint8Array([1]));
      txn.putNamedValue(`${OUTBOX}-next`, text(legacyId));
      txn.putNamedValue(`${OUTBOX}-acked`, text(legacyId - 3));
    });
    expect((await stats(engine)).pendingOps).toBe(3);
    await committed(engine, (txn) => appendToOutbox(txn, [op(2, START_MS), op(3, START_MS)], START_MS));
    const ids = await queuedIds(engine);
    expect(ids.slice(0, 3)).toEqual([legacyId - 2, legacyId - 1, legacyId]);
    expect(ids.slice(3)).toEqual([START_MS * 1000, START_MS * 1000 + 1]);
    expect((await stats(engine)).pendingOps).toBe(5);
    await committed(engine, async (txn) => { await acknowledgeOutbox(txn, START_MS * 1000); });
    expect((await stats(engine)).pendingOps).toBe(1);
    await engine.close();
  });
});
