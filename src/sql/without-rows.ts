import type { ColumnBatch, StorageReader, StoredRow } from '../storage/index.js';

/** A reader with the real catalog and no rows: running a query on it checks names and types. */
export function withoutRows(reader: StorageReader): StorageReader {
  const none = async function* (): AsyncIterable<readonly StoredRow[]> {};
  return {
    catalog: reader.catalog,
    scan: none,
    scanColumns: async function* (): AsyncIterable<ColumnBatch> {},
    scanIndex: none,
    scanExpired: none,
    get: () => Promise.resolve(undefined),
    getNamedValue: () => Promise.resolve(undefined),
    namedValuesWithPrefix: () => Promise.resolve([]),
    close: () => Promise.resolve(),
  };
}
