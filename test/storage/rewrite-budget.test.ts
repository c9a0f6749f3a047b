import { describe, expect, it } from 'vitest';
import { thrown } from '../helpers/thrown.js';
import { isChronosError } from '../../src/lib/index.js';
import { REWRITE_ROWS_MAX, REWRITE_TEXT_MAX, RewriteBudget } from '../../src/storage/rewrite-budget.js';

describe('a table-wide rewrite is bounded in rows and text', () => {

  it(`takes ${REWRITE_ROWS_MAX} rows and refuses one more, naming the statement and table`, () => {
    const budget = new RewriteBudget('ALTER TABLE ... DROP COLUMN', 'wide');
    for (let i = 0; i < REWRITE_ROWS_MAX; i++) budget.count([i, null]);
    const error = thrown(() => budget.count([0, null]));
    expect(isChronosError(error, 'LIMIT_EXCEEDED'), String(error)).toBe(true);
    expect((error as Error).message).toMatch(/^ALTER TABLE \.\.\. DROP COLUMN on table wide would rewrite more than 1000000 rows .*nothing was changed/);
  });

  it('refuses rows whose text passes the bound, however few', () => {
    const budget = new RewriteBudget('ALTER TABLE ... DROP COLUMN', 'wide');
    const long = 'x'.repeat(16 * 1024 * 1024);
    for (let i = 0; i < REWRITE_TEXT_MAX / long.length; i++) budget.count([i, long]);
    expect(isChronosError(thrown(() => budget.count([0, 'x'])), 'LIMIT_EXCEEDED')).toBe(true);
  });
});
