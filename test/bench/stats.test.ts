import { describe, expect, it } from 'vitest';
import { percentile, summarize } from '../../src/bench/stats.js';

describe('summarize', () => {
  it('gives the middle value of an odd count, with min and max', () => {
    expect(summarize([5, 1, 3])).toEqual({ median: 3, min: 1, max: 5, samples: [5, 1, 3] });
  });

  it('averages the two middle values of an even count', () => {
    expect(summarize([4, 1, 3, 2]).median).toBe(2.5);
  });

  it('refuses an empty list', () => {
    expect(() => summarize([])).toThrow(/at least one sample/);
  });
});

describe('percentile', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted

  it('uses the nearest rank, never interpolating', () => {
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(hundred, 100)).toBe(100);
    expect(percentile([1, 2, 3], 50)).toBe(2);
    expect(percentile([10, 20], 99)).toBe(20);
  });

  it('gives the smallest value for p0 and the only value of one sample', () => {
    expect(percentile(hundred, 0)).toBe(1);
    expect(percentile([7], 99)).toBe(7);
  });

  it('refuses p outside 0..100', () => {
    expect(() => percentile([1], 101)).toThrow(/outside/);
  });
});
