import { ChronosError } from '../lib/index.js';
import { ByteReader } from './bytes.js';
import { readColumn } from './codecs/column-codec.js';
import type { DecodedColumn } from './codecs/column-codec.js';
import { joinParts, partTextOf } from './codecs/joined-strings.js';
import type { JoinedSpec } from './codecs/joined-strings.js';
import type { ColumnSchema, TableSchema } from './schema.js';

/**
 * The column sections of one format-2 block, each decoded on demand and once: a joined
 * column (codecs/joined-strings.ts) is computed from its parts' sections.
 */
export class BlockSections {
  readonly #schema: TableSchema;
  readonly #rows: number;
  /** Per table column, its section; null for a column added after the block was written. */
  readonly #sections: (Uint8Array | null)[];
  readonly #decoded = new Map<number, DecodedColumn>();
  readonly #joining = new Set<number>();

  /** `reader` stands at the first of `stored` column sections. */
  constructor(schema: TableSchema, rows: number, stored: number, reader: ByteReader) {
    this.#schema = schema;
    this.#rows = rows;
    this.#sections = schema.columns.map((_, c) => (c < stored ? reader.bytes(reader.varint()) : null));
  }

  /** Rows of the block. */
  get rows(): number {
    return this.#rows;
  }

  /** Whether column `position` was stored in the block (else it is all NULL). */
  stored(position: number): boolean {
    return this.#sections[position] != null;
  }

  /** A reader over the section of column `position` (null: not stored). */
  section(position: number): ByteReader | null {
    const bytes = this.#sections[position];
    return bytes == null ? null : new ByteReader(bytes, 'block column');
  }

  /** Column `position` decoded (all NULL when the block predates the column). */
  column(position: number): DecodedColumn {
    const known = this.#decoded.get(position);
    if (known !== undefined) return known;
    const section = this.section(position);
    const decoded: DecodedColumn = section === null
      ? { nulls: new Array<boolean>(this.#rows).fill(true), values: [], summary: undefined }
      : this.#read(position, section);
    this.#decoded.set(position, decoded);
    return decoded;
  }

  #read(position: number, section: ByteReader): DecodedColumn {
    const type = (this.#schema.columns[position] as ColumnSchema).type;
    this.#joining.add(position);
    try {
      return readColumn(section, type, this.#rows, (spec) => this.#join(position, spec));
    } finally {
      this.#joining.delete(position);
    }
  }

  #join(position: number, spec: JoinedSpec): string[] {
    const texts = spec.parts.map((part) => {
      const column = this.#schema.columns[part];
      if (column === undefined || this.#joining.has(part) || (column.type !== 'STRING' && column.type !== 'INT')) {
        throw new ChronosError('CORRUPTION', `joined column ${position} of table ${this.#schema.name} names part ${part}`);
      }
      const decoded = this.column(part);
      if (decoded.nulls !== null) {
        throw new ChronosError('CORRUPTION', `joined column ${position} of table ${this.#schema.name}: part ${column.name} has NULLs`);
      }
      return partTextOf(decoded.values, column.name);
    });
    return joinParts(texts, spec.separator, this.#rows);
  }
}
