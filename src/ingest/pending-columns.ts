import type { Catalog, SqlType } from '../storage/index.js';
import { pointColumns } from './measurement-table.js';
import type { Point } from './point.js';

/** Columns (name → type) per measurement. */
export type ColumnTypes = ReadonlyMap<string, ReadonlyMap<string, SqlType>>;

/**
 * The columns that points journaled on this node will create once they apply, and their types.
 * A request is checked against the catalog, which shows only applied points: without these,
 * two requests a few milliseconds apart could both be accepted with a field of different types
 * (or a field and a tag of one name), and the later one's points would be dropped at apply
 * after their 204. A column leaves once the catalog has it; one whose points were never
 * journaled leaves when its request fails. Requests on other nodes are not seen here: their
 * conflicts are still settled at apply (skipped and logged).
 */
export class PendingColumns {
  readonly #columns = new Map<string, Map<string, { readonly type: SqlType; holders: number }>>();

  /** What is pending for the measurements of `points`, once what `catalog` already has is dropped. */
  pendingFor(points: readonly Point[], catalog: Catalog): ColumnTypes {
    const view = new Map<string, ReadonlyMap<string, SqlType>>();
    for (const measurement of new Set(points.map((p) => p.measurement))) {
      const pending = this.#columns.get(measurement);
      if (pending === undefined) continue;
      const table = catalog.table(measurement);
      for (const column of table?.columns ?? []) pending.delete(column.name);
      if (pending.size === 0) {
        this.#columns.delete(measurement);
        continue;
      }
      view.set(measurement, new Map([...pending].map(([name, entry]) => [name, entry.type])));
    }
    return view;
  }

  /**
   * Holds the columns `points` add beyond `catalog` and what is pending; returns the release to
   * call if they are not journaled after all.
   */
  hold(points: readonly Point[], catalog: Catalog): () => void {
    const held: [string, string][] = [];
    for (const point of points) {
      const table = catalog.table(point.measurement);
      for (const [name, type] of pointColumns(point)) {
        if (table?.columns.some((c) => c.name === name) === true) continue;
        let pending = this.#columns.get(point.measurement);
        if (pending === undefined) this.#columns.set(point.measurement, pending = new Map());
        const entry = pending.get(name);
        if (entry === undefined) pending.set(name, { type, holders: 1 });
        else entry.holders += 1;
        held.push([point.measurement, name]);
      }
    }
    return () => {
      for (const [measurement, name] of held) {
        const pending = this.#columns.get(measurement);
        const entry = pending?.get(name);
        if (pending === undefined || entry === undefined) continue;
        entry.holders -= 1;
        if (entry.holders === 0) pending.delete(name);
      }
    };
  }
}
