import { assert } from '../lib/index.js';
import { CatalogView } from './catalog.js';
import type { CatalogState } from './catalog.js';
import type { TableSchema } from './schema.js';

/** A catalog change: tables to set (undefined: remove), and ids handed out. */
export interface CatalogChange {
  readonly tables: ReadonlyArray<readonly [string, TableSchema | undefined]>;
  readonly nextTableId?: number;
  readonly nextIndexId?: number;
}

/** What one change replaced, so that a rollback to a savepoint can put it back. */
interface CatalogUndo {
  readonly at: number;
  /** The changed names' tables as they were before it, in the order changed (undefined: none). */
  readonly tables: ReadonlyArray<readonly [string, TableSchema | undefined]>;
  readonly nextTableId: number;
  readonly nextIndexId: number;
}

/**
 * The catalog as one write transaction changes it. The tables are copied at the first change
 * and changed in place from then on, each change keeping only what it replaced: copying the
 * map per change made 5,000 new tables in one transaction quadratic (3 s), and undo records
 * holding a map each ran 20,000 out of memory. The state the transaction began from is shared
 * with readers and never changed.
 */
export class TransactionCatalog {
  #state: CatalogState;
  #ownTables: Map<string, TableSchema> | null = null;
  #view: CatalogView;
  readonly #undo: CatalogUndo[] = [];

  constructor(state: CatalogState) {
    this.#state = state;
    this.#view = new CatalogView(state);
  }

  /** The catalog now (its tables may change in place as the transaction goes on). */
  get state(): CatalogState {
    return this.#state;
  }

  /** A view of the catalog now. */
  get view(): CatalogView {
    return this.#view;
  }

  /** Applies `change`, undone by a rollback to any savepoint at or before `at`. */
  change(change: CatalogChange, at: number): void {
    const { nextTableId, nextIndexId } = this.#state;
    let tables = this.#ownTables;
    if (tables === null) {
      tables = new Map(this.#state.tables);
      this.#ownTables = tables;
    }
    const replaced: Array<readonly [string, TableSchema | undefined]> = [];
    for (const [name, schema] of change.tables) {
      replaced.push([name, tables.get(name)]);
      if (schema === undefined) tables.delete(name);
      else tables.set(name, schema);
    }
    this.#undo.push({ at, tables: replaced, nextTableId, nextIndexId });
    this.#state = {
      tables, nextTableId: change.nextTableId ?? nextTableId, nextIndexId: change.nextIndexId ?? nextIndexId,
    };
    this.#view = new CatalogView(this.#state);
  }

  /** Undoes, newest first, every change made at or after `savepoint`. */
  rollbackTo(savepoint: number): void {
    for (let last = this.#undo.at(-1); last !== undefined && last.at >= savepoint; last = this.#undo.at(-1)) {
      this.#undo.pop();
      const tables = this.#ownTables;
      assert(tables !== null, 'a catalog change was undone before any was made');
      for (let i = last.tables.length - 1; i >= 0; i -= 1) {
        const [name, schema] = last.tables[i] as readonly [string, TableSchema | undefined];
        if (schema === undefined) tables.delete(name);
        else tables.set(name, schema);
      }
      this.#state = { tables, nextTableId: last.nextTableId, nextIndexId: last.nextIndexId };
    }
    this.#view = new CatalogView(this.#state);
  }
}
