import { describe, expect, it } from 'vitest';
import { metaCommand } from '../../src/cli/meta-commands.js';

describe('REPL meta-commands', () => {
  it('reads \\d with or without trailing semicolons, and leaves SQL alone', () => {
    expect(metaCommand('\\d;;')).toMatchObject({ kind: expect.any(String) });
    expect(metaCommand('SELECT 1;')).toBeNull();
  });

  it('reads a line of 300,000 semicolons once (the regex it replaced took seconds over it)', () => {
    expect(metaCommand(`${';'.repeat(300_000)}x`)).toBeNull();
  });
});
