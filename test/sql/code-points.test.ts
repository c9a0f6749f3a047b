import { describe, expect, it } from 'vitest';
import { Random } from '../../src/lib/index.js';
import { characterCount, characterSlice, reversedCharacters } from '../../src/sql/code-points.js';
import { STRING_EDITS } from '../../src/sql/string-edits.js';

describe('strings counted in characters', () => {
  it('counts, slices and reverses by characters, with and without surrogate pairs', () => {
    for (const s of ['', 'héllo', 'a😀b😀', '😀']) {
      const chars = [...s];
      expect(characterCount(s), s).toBe(chars.length);
      expect(reversedCharacters(s), s).toBe([...chars].reverse().join(''));
      for (const [from, to] of [[0, 2], [1, undefined], [-2, undefined], [2, 1]] as const) {
        expect(characterSlice(s, from, to), `${s} ${from} ${to}`).toBe(chars.slice(from, to).join(''));
      }
    }
  });

  it('split_part finds the field split() would give, from the start or the end, overlapping delimiters too', () => {
    const rng = new Random(11);
    const splitPart = (s: string, d: string, n: number): unknown => STRING_EDITS['split_part']?.evaluate([s, d, n], 0);
    for (let trial = 0; trial < 5000; trial++) {
      const s = Array.from({ length: rng.between(0, 8) }, () => rng.pick(['a', 'b', ','])).join('');
      const d = rng.pick(['', ',', 'a', 'aa', ',,', 'ab', 'aba']);
      const n = rng.pick([1, 2, 3, 5, -1, -2, -3, -5]);
      const fields = d === '' ? [s] : s.split(d);
      expect(splitPart(s, d, n), JSON.stringify([s, d, n])).toBe(fields[n > 0 ? n - 1 : fields.length + n] ?? '');
    }
  });
});
