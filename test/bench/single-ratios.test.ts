import { describe, expect, it } from 'vitest';
import { figure } from '../../src/bench/report.js';
import { singleRatios } from '../../src/bench/single-ratios.js';
import { summarize } from '../../src/bench/stats.js';

describe('singleRatios', () => {
  it('divides rows/s one way and milliseconds the other, so > 1 always means ahead of sqlite3', () => {
    const sqliteAggregate = "per-minute avg over 1M rows (time_bucket('1m') in sqlite3)";
    const ratios = singleRatios([
      figure('single', '1000-row INSERT', 'rows/s', summarize([50_000, 60_000, 70_000])),
      figure('single', "time_bucket('1m') avg over 1M rows", 'ms', summarize([3_000])),
      figure('single', "time_bucket('1m') avg over 1M rows, columnar table", 'ms', summarize([200])),
      figure('sqlite3 peer', '1000-row INSERT', 'rows/s', summarize([240_000])),
      figure('sqlite3 peer', sqliteAggregate, 'ms', summarize([300])),
    ]);
    expect(ratios.map((r) => [r.measurement, r.ratio])).toEqual([
      ['1000-row INSERT, rows/s', 0.25],
      ["1M-row time_bucket('1m') avg, ms, row table", 0.1],
      ["1M-row time_bucket('1m') avg, ms, columnar table", 1.5],
    ]);
  });

  it('leaves out a comparison whose figures are missing (no sqlite3, or the load budget hit)', () => {
    expect(singleRatios([figure('single', '1000-row INSERT', 'rows/s', summarize([1]))])).toEqual([]);
  });
});
