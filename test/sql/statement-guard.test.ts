import { describe, expect, it } from 'vitest';
import { QUERY_DEPTH_MAX, StatementGuard } from '../../src/sql/statement-guard.js';

describe('StatementGuard.nested', () => {
  it('ends a statement whose queries nest past the limit, and counts only the levels still open', async () => {
    const guard = new StatementGuard();
    const descend = async (levels: number): Promise<number> =>
      levels === 0 ? 0 : guard.nested(async () => 1 + await descend(levels - 1));
    expect(await descend(QUERY_DEPTH_MAX)).toBe(QUERY_DEPTH_MAX);
    // The levels above were left: the same depth again fits.
    expect(await descend(QUERY_DEPTH_MAX)).toBe(QUERY_DEPTH_MAX);
    await expect(descend(QUERY_DEPTH_MAX + 1)).rejects.toMatchObject({
      code: 'LIMIT_EXCEEDED', message: expect.stringMatching(/more than 1000 queries deep/) as unknown,
    });
  });
});
