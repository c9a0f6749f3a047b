import { ChronosError, assert } from '../lib/index.js';
import type { ColumnSchema, Row, SqlType, StorageReader } from '../storage/index.js';
import type { RecursiveQuery } from './ast.js';
import { DerivedReader, derivedColumn, heldTable, renamedColumns } from './derived-reader.js';
import type { RowsResult, StatementResult } from './result.js';
import { nonNegativeInt, prepareSelect, type PreparedSelect } from './select.js';
import type { StatementGuard } from './statement-guard.js';
import { valuesKey } from './values-key.js';

/**
 * Rows one WITH RECURSIVE query may make whatever the statement limits say: a local node runs
 * without them, and a recursive part that never stops is an easy query to write.
 */
export const RECURSIVE_ROWS_MAX = 10_000_000;

/** Units of the statement guard's work one round counts as, beside its rows. */
const ROUND_WORK = 32;

/** Runs a query (its subqueries resolved) over `reader`. */
export type RecursionRunner = (query: RecursiveQuery['anchor'], reader: StorageReader) => Promise<StatementResult>;

function rowsOf(answer: StatementResult): RowsResult {
  assert(answer.kind === 'rows', 'a query answers rows');
  return answer;
}

/**
 * The columns after a round: refused when its rows do not fit those the first part set; a
 * column the rounds so far left untyped (only NULLs) takes the type this round declares.
 */
function afterRound(q: RecursiveQuery, columns: ColumnSchema[], round: RowsResult): ColumnSchema[] {
  if (round.columns.length !== columns.length) {
    throw new ChronosError('INVALID_ARGUMENT', `Each side of UNION in WITH RECURSIVE ${q.name} must have the same ` +
      `number of columns (${columns.length} and ${round.columns.length})`);
  }
  const after = columns.map((column, i) => {
    const type: SqlType | null = round.columnTypes[i] ?? null;
    if (type === null || type === column.type) return column;
    if (column.untyped === true) return { name: column.name, type, notNull: false };
    throw new ChronosError('TYPE_MISMATCH', `column ${column.name} of WITH RECURSIVE ${q.name} is ${column.type} in ` +
      `its first part and ${type} in the part after UNION: CAST one of them to the other's type`);
  });
  // The same array when nothing changed: the round's plan stays good.
  return after.every((column, i) => column === columns[i]) ? columns : after;
}

/**
 * The rows of a WITH RECURSIVE query: its first part's rows, then round after round the
 * recursive part over the rows the round before made, until a round makes none (UNION: none
 * it had not made before), or its LIMIT is reached. Every row made is held in memory, counted
 * against the statement's row cap and RECURSIVE_ROWS_MAX.
 */
export async function recursiveRows(q: RecursiveQuery, columnNames: readonly string[] | undefined,
  reader: StorageReader, nowMs: number, guard: StatementGuard, run: RecursionRunner,
): Promise<{ readonly columns: ColumnSchema[]; readonly rows: readonly Row[] }> {
  const first = rowsOf(await run(q.anchor, reader));
  const limit = nonNegativeInt(q.limit, 'LIMIT', nowMs);
  const offset = nonNegativeInt(q.offset, 'OFFSET', nowMs) ?? 0;
  const wanted = limit === null ? Infinity : offset + limit;
  const seen = q.all ? null : new Set<string>();
  const made: Row[] = [];
  const keep = async (rows: readonly Row[]): Promise<Row[]> => {
    const fresh: Row[] = [];
    for (const row of rows) {
      if (made.length >= wanted) break;
      if (guard.step()) await guard.pause();
      if (seen !== null) {
        const key = valuesKey(row);
        if (seen.has(key)) continue;
        seen.add(key);
      }
      fresh.push(row);
      made.push(row);
    }
    guard.holding(made.length, `WITH RECURSIVE ${q.name}`);
    if (made.length > RECURSIVE_ROWS_MAX) {
      throw new ChronosError('LIMIT_EXCEEDED', `WITH RECURSIVE ${q.name} made more than ${RECURSIVE_ROWS_MAX} rows: ` +
        'give its recursive part a WHERE that ends it, or a LIMIT');
    }
    return fresh;
  };
  let columns = renamedColumns(first.columns.map((_, i) => anchorColumn(first, i)), columnNames, `WITH query ${q.name}`);
  let working = await keep(first.rows);
  // Planned once for the columns of the working table (again if a round types one of them).
  let prepared = null as { readonly columns: readonly ColumnSchema[]; readonly select: PreparedSelect | null } | null;
  while (working.length > 0 && made.length < wanted) {
    // A round of one row costs several µs: counted as more work, so the slice ends on time.
    if (guard.step(ROUND_WORK)) await guard.pause();
    const table = await heldTable(q.working, -1, columns, working, nowMs, guard);
    const roundReader = new DerivedReader(reader, new Map([[q.working, table]]));
    if (prepared?.columns !== columns) prepared = { columns, select: prepareSelect(q.step, roundReader, nowMs) };
    const round = rowsOf(prepared.select === null ? await run(q.step, roundReader) : await prepared.select.run(roundReader, guard));
    columns = afterRound(q, columns, round);
    working = await keep(round.rows);
  }
  return { columns, rows: made.slice(offset, wanted) };
}

/**
 * A column as the first part types it. Unlike a derived table's, an untyped one (only NULLs)
 * stays untyped even when values appear later: the recursive part's declared type decides.
 */
function anchorColumn(first: RowsResult, i: number): ColumnSchema {
  const declared = first.columnTypes[i] ?? null;
  const name = (first.columns[i] as string).toLowerCase();
  return declared === null ? { name, type: 'STRING', notNull: false, untyped: true } : derivedColumn(first, i);
}
