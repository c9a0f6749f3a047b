import { describe, expect, it } from 'vitest';
import { ANSWERS_PER_TURN, Random } from '../../src/lib/index.js';
import { ReadTracker } from '../../src/node/read-tracker.js';
import { WriteHops } from '../../src/node/write-hops.js';

/** Steps of one drawn history: at most this many reads are released together. */
const STEPS = 120;

/** Lets every resolution already due run, reads released together going out a few per turn. */
async function settle(): Promise<void> {
  const turns = Math.ceil(STEPS / ANSWERS_PER_TURN) + 2;
  for (let turn = 0; turn < turns; turn++) await new Promise<void>((resolve) => setImmediate(resolve));
}

describe('ReadTracker against a model, over drawn histories', () => {
  it('releases exactly the confirmed reads whose index is applied, and fails exactly the failed ones', async () => {
    for (let seed = 1; seed <= 60; seed++) {
      const random = new Random(seed);
      const reads = new ReadTracker();
      const outcome = new Map<number, string>();
      const model = new Map<number, { readIndex: number | null; ended: string | null }>();
      let applied = random.int(5);
      for (let step = 0; step < STEPS; step++) {
        const open = [...model].filter(([, read]) => read.ended === null).map(([id]) => id);
        const pick = (): number | undefined => open[random.int(Math.max(open.length, 1))];
        const roll = random.int(10);
        if (roll < 3 || open.length === 0) {
          const { requestId, ready } = reads.begin(60_000);
          model.set(requestId, { readIndex: null, ended: null });
          ready.then(() => outcome.set(requestId, 'released'), (error: Error) => outcome.set(requestId, error.message));
        } else if (roll < 6) {
          const id = pick();
          const read = id === undefined ? undefined : model.get(id);
          if (id !== undefined && read !== undefined && read.readIndex === null) {
            read.readIndex = applied - 2 + random.int(8);
            reads.confirmed(id, read.readIndex, applied);
            if (read.readIndex <= applied) read.ended = 'released';
          }
        } else if (roll < 9) {
          applied += random.int(3);
          reads.applied(applied);
          for (const read of model.values()) {
            if (read.ended === null && read.readIndex !== null && read.readIndex <= applied) read.ended = 'released';
          }
        } else {
          const id = pick();
          const read = id === undefined ? undefined : model.get(id);
          if (id !== undefined && read !== undefined) {
            reads.fail(id, new Error(`failed ${id}`));
            read.ended = `failed ${id}`;
          }
        }
      }
      await settle();
      for (const [id, read] of model) expect([seed, id, outcome.get(id) ?? null]).toEqual([seed, id, read.ended]);
      reads.failAll(new Error('stopping'));
    }
  });
});

describe('WriteHops against a map of every entry, over drawn histories', () => {
  it('reports what a record per entry, forgetting the oldest beyond 8,192, would', () => {
    const hopsOf = ['walStart', 'walEnd', 'committed', 'applied'] as const;
    for (let seed = 1; seed <= 20; seed++) {
      const random = new Random(seed);
      let now = 0;
      const hops = new WriteHops(() => now);
      const model = new Map<number, Record<string, number>>();
      const through = new Map<string, number>();
      // Entries are created in rising order, so the oldest are the lowest indexes.
      let lowest = 1;
      const track = (index: number): Record<string, number> => {
        let at = model.get(index);
        if (at === undefined) {
          at = {};
          model.set(index, at);
          for (; lowest <= index - 8_192; lowest++) model.delete(lowest);
        }
        return at;
      };
      const oldestKept = (): number | null => {
        if (model.size === 0) return null;
        while (!model.has(lowest)) lowest++;
        return lowest;
      };
      const mark = (first: number, last: number, hop: string, create: boolean): void => {
        for (let index = Math.max(first, last - 8_191); index <= last; index++) {
          const at = create ? track(index) : model.get(index);
          if (at !== undefined) at[hop] ??= now;
        }
      };
      let next = 1;
      for (let step = 0; step < 400; step++) {
        now += 1;
        const roll = random.int(6);
        if (roll === 0) {
          // A burst: a follower catching up, sometimes past the whole window.
          const count = random.chance(0.1) ? 9_000 : 1 + random.int(40);
          hops.appendReceived(next, next + count - 1);
          mark(next, next + count - 1, 'appendReceived', true);
          next += count;
        } else if (roll === 1) {
          hops.proposed(next, now - 0.5);
          const at = track(next);
          at['received'] ??= now - 0.5;
          at['proposed'] ??= now;
          next += 1;
        } else if (roll < 5) {
          const hop = hopsOf[random.int(hopsOf.length)] ?? 'walStart';
          const last = next - 1 - random.int(20);
          const first = last - random.int(10);
          hops.reached(hop, first, last);
          mark(first, last, hop, false);
        } else {
          const match = next - 1 - random.int(30);
          hops.ackSent(match);
          const oldest = oldestKept();
          if (oldest !== null) {
            const from = Math.max(oldest, (through.get('ackSent') ?? 0) + 1);
            if (match >= from) {
              mark(from, match, 'ackSent', false);
              through.set('ackSent', match);
            }
          }
        }
      }
      const expected = [...model].sort(([a], [b]) => a - b).map(([index, at]) => ({ index, at }));
      expect(hops.recent()).toEqual(expected);
    }
  });
});
