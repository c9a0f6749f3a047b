import { ChronosError } from '../lib/index.js';
import type { TableSchema, SqlType } from '../storage/index.js';

/** A column visible to expressions, at a fixed slot of the (joined) row. */
export interface ScopeColumn {
  /** The name the table is referred to by (its alias, else its name). */
  readonly qualifier: string;
  readonly table: string;
  readonly name: string;
  /** Null for a derived table's column of only NULLs (it takes any type, as NULL does). */
  readonly type: SqlType | null;
  readonly slot: number;
  /** Which table of FROM/JOIN it comes from (index into the insertedAt array). */
  readonly tableIndex: number;
  /** The right-hand copy of a JOIN ... USING column: hidden from `*` and unqualified names. */
  readonly merged: boolean;
  /** A column no query asked for (ColumnSchema.hidden): not even `t.*` lists it. */
  readonly hidden?: true;
}

/** The columns of the tables of one SELECT/UPDATE/DELETE, in row-slot order. */
export class Scope {
  readonly columns: ScopeColumn[] = [];
  readonly tables: { readonly qualifier: string; readonly schema: TableSchema }[] = [];

  /** Add a table's columns at the end of the row; returns its table index. */
  addTable(
    schema: TableSchema,
    alias: string | null,
    merged: ReadonlySet<string> = new Set(),
  ): number {
    const qualifier = alias ?? schema.name;
    if (this.tables.some((t) => t.qualifier === qualifier)) {
      throw new ChronosError(
        'INVALID_ARGUMENT',
        `Table name ${qualifier} is used twice in FROM; give one an alias`,
      );
    }
    const tableIndex = this.tables.length;
    this.tables.push({ qualifier, schema });
    for (const c of schema.columns) {
      this.columns.push({
        qualifier,
        table: schema.name,
        name: c.name,
        type: c.untyped === true ? null : c.type,
        slot: this.columns.length,
        tableIndex,
        merged: merged.has(c.name) || c.hidden === true,
        ...(c.hidden === true ? { hidden: true } : {}),
      });
    }
    return tableIndex;
  }

  get width(): number {
    return this.columns.length;
  }

  /** Resolve a column reference; throws UNKNOWN_COLUMN / AMBIGUOUS_COLUMN naming it. */
  resolve(table: string | null, name: string): ScopeColumn {
    if (table !== null) {
      // An aliased table is known by its alias alone, as in PostgreSQL and sqlite3: in
      // `FROM t x JOIN t y` the name t would otherwise pick one side silently.
      const owner = this.tables.find((t) => t.qualifier === table);
      if (owner === undefined) {
        const aliased = this.tables.find((t) => t.schema.name === table);
        throw new ChronosError(
          'UNKNOWN_TABLE',
          `Unknown table ${table} in column reference ${table}.${name}` +
            (aliased === undefined ? '' : `: the table ${table} is named ${aliased.qualifier} in this query; use ${aliased.qualifier}.${name}`),
        );
      }
      const found = this.columns.find((c) => c.qualifier === owner.qualifier && c.name === name);
      if (found === undefined) {
        const table = owner.schema.name;
        throw new ChronosError('UNKNOWN_COLUMN', `Unknown column ${name} in table ${table}`, {
          details: { table, column: name },
        });
      }
      return found;
    }
    const matches = this.columns.filter((c) => c.name === name && !c.merged);
    if (matches.length === 1) return matches[0] as ScopeColumn;
    if (matches.length > 1) {
      const owners = matches.map((m) => m.qualifier).join(', ');
      throw new ChronosError(
        'AMBIGUOUS_COLUMN',
        `Column reference ${name} is ambiguous (in ${owners})`,
      );
    }
    const tables = this.tables.map((t) => t.schema.name).join(', ');
    throw new ChronosError(
      'UNKNOWN_COLUMN',
      this.tables.length === 0
        ? `Unknown column ${name} (no table in FROM)`
        : `Unknown column ${name} in table ${tables}`,
      { details: { table: tables, column: name } },
    );
  }
}
