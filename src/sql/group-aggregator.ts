import type { ColumnBatch, Row, SqlValue } from '../storage/index.js';
import type { Accumulator } from './aggregate.js';
import type { Evaluator } from './compile.js';
import type { StatementGuard } from './statement-guard.js';
import type { HeldValues } from './string-aggregate.js';
import { valuesKey } from './values-key.js';

/** One aggregate call of a grouped query. */
export interface AggregateSpec {
  readonly key: string;
  /** null for COUNT(*). */
  readonly arg: Evaluator | null;
  /** Which joined table's insertion time the windowed averages look at. */
  readonly table: number;
  /** The call's second argument (first/last: what orders the rows; string_agg: the separator); null for the others. */
  readonly second: Evaluator | null;
  /** The call's ORDER BY keys (string_agg, group_concat); empty for the others. */
  readonly orderKeys: readonly Evaluator[];
  /** FILTER (WHERE ...): a row feeds the aggregate only where this is true; null for all rows. */
  readonly filter: Evaluator | null;
  readonly make: () => Accumulator;
  /** Values the call's accumulators hold beyond one per group (string_agg's), for the memory cap. */
  readonly held: HeldValues;
}

const NO_KEYS: SqlValue[] = [];

/** What addBatch and addColumns return once the whole batch is folded in. */
export const DONE = -1;

const KEY_TEXT_ADVICE = 'group by fewer or shorter values (substr, date_trunc)';

interface Group {
  readonly keys: SqlValue[];
  readonly accs: Accumulator[];
}

/**
 * GROUP BY state. The per-row loop lives in a small synchronous method so V8 optimises it on
 * its own, apart from the async scan that feeds it (a 1M-row aggregation spends its time here).
 */
export class GroupAggregator {
  readonly #groups = new Map<unknown, Group>();
  readonly #keys: readonly Evaluator[];
  readonly #specs: readonly AggregateSpec[];
  readonly #where: Evaluator | null;
  #lastKey: unknown = undefined;
  #lastGroup: Group | undefined = undefined;

  constructor(
    keys: readonly Evaluator[],
    specs: readonly AggregateSpec[],
    where: Evaluator | null,
  ) {
    this.#keys = keys;
    this.#specs = specs;
    this.#where = where;
  }

  /** Groups held so far, and the values string aggregates keep in them (the memory a GROUP BY costs). */
  get heldCount(): number {
    let values = 0;
    for (const spec of this.#specs) values += spec.held.count;
    return this.#groups.size + values;
  }

  /**
   * Folds a batch in from row `from`, `times[r * width + table]` being the insertion time of row
   * r's part. Stops after a row that used up the guard's slice (a costly WHERE or key can take
   * many milliseconds a row) and returns where to go on after the pause, or DONE.
   */
  addBatch(rows: readonly Row[], times: readonly number[], width: number, guard: StatementGuard, from = 0): number {
    for (let r = from; r < rows.length; r++) {
      const keyText = this.#addRow(rows[r] as Row, times, r * width);
      if (keyText > 0) guard.holdingCharacters(keyText, KEY_TEXT_ADVICE);
      if (guard.step()) return r + 1;
    }
    return DONE;
  }

  /**
   * addBatch for a column batch of one table: each row's columns at `positions` are copied into
   * one reused row (`width` slots), so no row is allocated. The evaluators keep nothing of a row.
   */
  addColumns(batch: ColumnBatch, positions: readonly number[], width: number, guard: StatementGuard, from = 0): number {
    const row: SqlValue[] = new Array<SqlValue>(width).fill(null);
    const columns = positions.map((p) => batch.columns[p] as ArrayLike<SqlValue>);
    const count = positions.length;
    for (let r = from; r < batch.length; r++) {
      for (let i = 0; i < count; i++) row[positions[i] as number] = (columns[i] as ArrayLike<SqlValue>)[r] as SqlValue;
      const keyText = this.#addRow(row, batch.times, r);
      if (keyText > 0) guard.holdingCharacters(keyText, KEY_TEXT_ADVICE);
      if (guard.step()) return r + 1;
    }
    return DONE;
  }

  /**
   * Folds one row in; returns the characters of text a new group's key holds (0 for a known
   * group): 300 groups keyed by 16 MB strings ran a node out of heap uncounted.
   */
  #addRow(row: Row, times: ArrayLike<number>, timeBase: number): number {
    if (this.#where !== null && this.#where(row) !== true) return 0;
    const specs = this.#specs;
    let mapKey: unknown;
    let keys: SqlValue[] | null = null;
    if (this.#keys.length === 1) {
      mapKey = (this.#keys[0] as Evaluator)(row);
    } else if (this.#keys.length === 0) {
      // No GROUP BY: one group, and no key to build per row.
      mapKey = '';
      keys = NO_KEYS;
    } else {
      keys = this.#keys.map((k) => k(row));
      mapKey = valuesKey(keys);
    }
    // Time-ordered rows mostly repeat the previous group: skip the map lookup then.
    let group = mapKey === this.#lastKey ? this.#lastGroup : this.#groups.get(mapKey);
    let keyText = 0;
    if (group === undefined) {
      group = { keys: keys ?? [mapKey as SqlValue], accs: specs.map((s) => s.make()) };
      this.#groups.set(mapKey, group);
      // Several keys are held twice: as values and inside the map's key.
      if (typeof mapKey === 'string') keyText = keys === null ? mapKey.length : 2 * mapKey.length;
    }
    this.#lastKey = mapKey;
    this.#lastGroup = group;
    const accs = group.accs;
    for (let a = 0; a < specs.length; a++) {
      const spec = specs[a] as AggregateSpec;
      if (spec.filter !== null && spec.filter(row) !== true) continue;
      const value = spec.arg === null ? 1 : spec.arg(row);
      const keys = spec.orderKeys.length === 0 ? undefined : spec.orderKeys.map((key) => key(row));
      (accs[a] as Accumulator).add(value, times[timeBase + spec.table] as number, spec.second === null ? undefined : spec.second(row), keys);
    }
    return keyText;
  }

  /** The post-aggregation rows (group keys, then aggregate results), built a group at a time through `guard`. */
  async results(guard: StatementGuard): Promise<Row[]> {
    if (this.#groups.size === 0 && this.#keys.length === 0) {
      // An aggregate without GROUP BY yields one row even over no rows (count 0).
      return [this.#specs.map((s) => s.make().result())];
    }
    // A group at a time, yielding: a million groups took 1-2 s in one piece. Aggregates that
    // left work for after the last row (string_agg's ORDER BY) settle first.
    const settles = this.#specs.some((spec) => spec.held.count > 0);
    const out: Row[] = [];
    for (const g of this.#groups.values()) {
      if (settles) for (const acc of g.accs) if (acc.settle !== undefined) await acc.settle(guard);
      out.push([...g.keys, ...g.accs.map((a) => a.result())]);
      if (guard.step()) await guard.pause();
    }
    return out;
  }
}
