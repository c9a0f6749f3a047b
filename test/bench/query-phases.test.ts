import { describe, expect, it } from 'vitest';
import { QUERY_RUNS, QUERY_WARMUPS, timeQueryPhases } from '../../src/bench/query-phases.js';

describe('timeQueryPhases', () => {
  it('times each query first after the warm-ups, then again after its repeats, checking every answer', async () => {
    const calls = new Map<string, number>();
    const run = async (text: string): Promise<number> => {
      calls.set(text, (calls.get(text) ?? 0) + 1);
      return text.length;
    };
    const queries = [{ name: 'a', text: 'xx', rows: (n: number) => n === 2 }, { name: 'b', text: 'yyy', rows: (n: number) => n === 3 }];
    const phases = await timeQueryPhases(run, queries, 'here', () => {});
    for (const name of ['a', 'b']) {
      expect(phases.first.get(name)).toHaveLength(QUERY_RUNS);
      expect(phases.warm.get(name)).toHaveLength(QUERY_RUNS);
    }
    // The untimed repeats ran between the two phases (a trivial query reaches the run cap).
    expect(calls.get('xx')).toBeGreaterThan(QUERY_WARMUPS + 2 * QUERY_RUNS + 100);
    await expect(timeQueryPhases(run, [{ name: 'c', text: 'z', rows: (n: number) => n === 2 }], 'there', () => {}))
      .rejects.toThrow('c answered 1 rows (there)');
  });
});
