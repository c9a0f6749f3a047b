import type { Figure } from './report.js';
import { formatNumber, renderTable } from './report.js';

/** One comparison of the single suite with sqlite3, both medians from the same run. */
export interface SingleRatio {
  readonly measurement: string;
  readonly chronos: number;
  readonly sqlite: number;
  /** > 1 is ChronosDB ahead: rows/s divided, or sqlite3's ms over ours. */
  readonly ratio: number;
}

/** Ratios against the sqlite3 peer figures of the same run (missing figures are left out). */
export function singleRatios(figures: readonly Figure[]): SingleRatio[] {
  const ours = (name: (n: string) => boolean): number | undefined =>
    figures.find((f) => f.group === 'single' && name(f.name))?.summary.median;
  const theirs = (name: string): number | undefined =>
    figures.find((f) => f.group === 'sqlite3 peer' && f.name === name)?.summary.median;
  const pairs: { measurement: string; ours: (n: string) => boolean; theirs: string; higherIsBetter: boolean }[] = [
    { measurement: '1000-row INSERT, rows/s', ours: (n) => n === '1000-row INSERT', theirs: '1000-row INSERT', higherIsBetter: true },
    { measurement: "1M-row time_bucket('1m') avg, ms, row table", ours: (n) => /^time_bucket\('1m'\) avg over 1M rows$/.test(n),
      theirs: "per-minute avg over 1M rows (time_bucket('1m') in sqlite3)", higherIsBetter: false },
    { measurement: "1M-row time_bucket('1m') avg, ms, columnar table", ours: (n) => /^time_bucket\('1m'\) avg over 1M rows, columnar table$/.test(n),
      theirs: "per-minute avg over 1M rows (time_bucket('1m') in sqlite3)", higherIsBetter: false },
  ];
  const out: SingleRatio[] = [];
  for (const pair of pairs) {
    const chronos = ours(pair.ours);
    const sqlite = theirs(pair.theirs);
    if (chronos === undefined || sqlite === undefined) continue;
    out.push({ measurement: pair.measurement, chronos, sqlite, ratio: pair.higherIsBetter ? chronos / sqlite : sqlite / chronos });
  }
  return out;
}

/** The ratios as a table (ratio > 1: ChronosDB ahead of sqlite3). */
export function renderSingleRatios(ratios: readonly SingleRatio[]): string {
  return renderTable(['measurement (medians)', 'ChronosDB', 'sqlite3', 'ratio (>1 = ahead)'],
    ratios.map((r) => [r.measurement, formatNumber(r.chronos), formatNumber(r.sqlite), r.ratio.toFixed(2)]));
}
