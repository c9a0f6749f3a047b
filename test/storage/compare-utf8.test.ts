import { describe, expect, it } from 'vitest';
import { compareUtf8 } from '../../src/storage/codecs/column-summary.js';
import { Random } from '../../src/lib/index.js';

/** Strings sharing long prefixes, mixing ASCII, BMP above U+E000, astral pairs and lone surrogates. */
function randomString(random: Random): string {
  const units = ['a', 'b', 'é', '\u07ff', '\ud7ff', '\ue000', '\uffff', '😀', '𐀀', '\ud800', '\udc00', '\u0000'];
  let text = random.int(2) === 0 ? 'esp-001:1733856000:' : '';
  for (let n = random.int(6); n > 0; n--) text += units[random.int(units.length)] ?? '';
  return text;
}

describe('compareUtf8', () => {
  it('orders strings exactly as their UTF-8 bytes do', () => {
    const random = new Random(5);
    for (let i = 0; i < 20_000; i++) {
      const a = randomString(random);
      const b = random.int(4) === 0 ? a : randomString(random);
      expect(Math.sign(compareUtf8(a, b)), JSON.stringify([a, b])).toBe(Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b))));
    }
  });
});
