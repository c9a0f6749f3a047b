import { compareBytes } from './bytes.js';
import { rowsPrefix } from './keys.js';
import { encodeRow } from './row-codec.js';
import type { TableSchema } from './schema.js';
import { primaryStorageKey } from './table-reader.js';
import { normalizeRow } from './validate.js';
import type { Row } from './values.js';

/**
 * Rows of one table encoded before the transaction that inserts them: a bulk INSERT's storage
 * keys and values, made while its log entry replicates so that its apply only stores them.
 * Valid only for the very schema object they were encoded for (see insertEncoded).
 */
export interface EncodedRows {
  readonly schema: TableSchema;
  readonly insertedAtMs: number;
  /** Full storage keys, strictly ascending; null for hidden row ids (assigned when stored). */
  readonly keys: readonly Uint8Array[] | null;
  readonly values: readonly Uint8Array[];
}

/** Whether rows of `schema` can be encoded ahead: no secondary index or TTL entry to derive. */
export function encodableAhead(schema: TableSchema): boolean {
  return schema.indexes.length === 0 && schema.ttlMs === null;
}

/**
 * Encodes rows one at a time (normalizing them as any insert does, so a bad value throws).
 * `finish` gives null when the rows can't be stored that way: primary keys out of order.
 */
export class EncodedRowsBuilder {
  readonly #schema: TableSchema;
  readonly #insertedAtMs: number;
  readonly #prefix: Uint8Array;
  readonly #keys: Uint8Array[] | null;
  readonly #values: Uint8Array[] = [];
  #ascending = true;

  constructor(schema: TableSchema, insertedAtMs: number) {
    this.#schema = schema;
    this.#insertedAtMs = insertedAtMs;
    this.#prefix = rowsPrefix(schema.id);
    this.#keys = schema.primaryKey.length > 0 ? [] : null;
  }

  /** Adds a full-width row in column order. */
  add(values: Row): void {
    const row = normalizeRow(this.#schema, values);
    if (this.#keys !== null) {
      const key = primaryStorageKey(this.#schema, row, this.#prefix);
      const previous = this.#keys[this.#keys.length - 1];
      if (previous !== undefined && compareBytes(key, previous) <= 0) this.#ascending = false;
      this.#keys.push(key);
    }
    this.#values.push(encodeRow(this.#schema.columns, row, this.#insertedAtMs));
  }

  finish(): EncodedRows | null {
    if (!this.#ascending) return null;
    return { schema: this.#schema, insertedAtMs: this.#insertedAtMs, keys: this.#keys, values: this.#values };
  }
}
