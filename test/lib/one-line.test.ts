import { describe, expect, it } from 'vitest';
import { oneLine } from '../../src/lib/index.js';

describe('oneLine', () => {
  it('makes each whitespace run holding a line break one space, and leaves other runs', () => {
    expect(oneLine('a \n  b\r\n\tc')).toBe('a b c');
    expect(oneLine('a\n\n\nb')).toBe('a b');
    expect(oneLine('a   b\tc')).toBe('a   b\tc');
    expect(oneLine('\n a \n')).toBe(' a ');
  });

  it('reads a long run of spaces without a newline once (the regex it replaces took 20 s)', () => {
    const text = `${' '.repeat(300_000)}x`;
    expect(oneLine(text)).toBe(text);
  });
});
