import type { LayoutOptions } from '../../src/storage/index.js';

/**
 * Tiny blocks and head with every new table columnar: nearly every commit folds, so head/block
 * merging and the block codecs are exercised by ordinary tests.
 */
export const TINY_COLUMNAR_LAYOUT: LayoutOptions = {
  blockRows: 3,
  headEntriesMax: 4,
  newTables: 'columnar',
};

/**
 * The layout SQL test engines open with: `CHRONOS_TEST_LAYOUT=columnar` forces every table onto
 * tiny column blocks (the vitest project `columnar`), unset keeps the production default.
 */
export function testLayout(): { readonly layout?: LayoutOptions } {
  const name = process.env['CHRONOS_TEST_LAYOUT'];
  if (name === undefined || name === '' || name === 'row') return {};
  if (name === 'columnar') return { layout: TINY_COLUMNAR_LAYOUT };
  throw new Error(`CHRONOS_TEST_LAYOUT must be 'row' or 'columnar', not '${name}'`);
}
