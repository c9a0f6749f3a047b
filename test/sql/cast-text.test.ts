import { describe, expect, it } from 'vitest';
import { Random } from '../../src/lib/index.js';
import { parseLine } from '../../src/ingest/index.js';
import { castValue } from '../../src/sql/cast.js';

/** The text-to-FLOAT grammar as first written (it backtracks over long digit runs, so short texts only). */
const WRITTEN_FIRST = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

function castsToFloat(text: string): boolean {
  try {
    castValue(text, 'FLOAT', 'STRING');
    return true;
  } catch {
    return false;
  }
}

function lineTakesFloat(text: string): boolean {
  try {
    parseLine(`m v=${text}`, 1, { nanosPerUnit: 1n, defaultTimeNs: 0n });
    return true;
  } catch {
    return false;
  }
}

describe('numbers read from text', () => {
  it('take the same texts as the grammar first written, which took seconds over long digit runs', () => {
    const rng = new Random(41);
    for (let trial = 0; trial < 20_000; trial++) {
      const text = Array.from({ length: rng.between(0, 9) }, () => rng.pick(['1', '7', '0', '.', 'e', 'E', '+', '-', 'x'])).join('');
      // (Beyond the double range both refuse, as they did: '1e777'.)
      const finite = Number.isFinite(Number(text));
      expect(castsToFloat(text), JSON.stringify(text)).toBe(WRITTEN_FIRST.test(text.trim()) && finite);
      expect(lineTakesFloat(text), JSON.stringify(text)).toBe(/^-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text) && finite);
    }
  });

  it('refuse long runs of digits followed by what ends no number, in every shape that backtracked', () => {
    const rng = new Random(42);
    for (let trial = 0; trial < 12; trial++) {
      const digits = '9'.repeat(rng.between(100_000, 300_000));
      const text = `${rng.pick(['', '-', '.'])}${digits}${rng.pick(['', '.', '.5'])}${rng.pick(['e', 'x', 'e+', '.e', '..'])}`;
      expect(castsToFloat(text)).toBe(false);
      expect(lineTakesFloat(text)).toBe(false);
    }
  });
});
