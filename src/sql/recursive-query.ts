import { ChronosError, assert } from '../lib/index.js';
import type { ColumnSchema, Row, SqlType, StorageReader } from '../storage/index.js';
import type { RecursiveQuery } from './ast.js';
import { DerivedReader, derivedColumn, heldTable, renamedColumns } from './derived-reader.js';
import type { RowsResult, StatementResult } from './result.js';
import { nonNegativeInt } from './select.js';
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

/** Refuses a round whose rows do not fit the columns the first part set. */
function checkRound(q: RecursiveQuery, columns: readonly ColumnSchema[], round: RowsResult): void {
  if (round.columns.length !== columns.length) {
    throw new ChronosError('INVALID_ARGUMENT', `Each side of UNION in WITH RECURSIVE ${q.name} must have the same ` +
      `number of columns (${columns.length} and ${round.columns.length})`);
  }
  columns.forEach((column, i) => {
    const type: SqlType | null = round.columnTypes[i] ?? null;
    if (column.untyped === true || type === null || type === column.type) return;
    throw new ChronosError('TYPE_MISMATCH', `column ${column.name} of WITH RECURSIVE ${q.name} is ${column.type} in ` +
      `its first part and ${type} in the part after UNION: CAST one of them to the other's type`);
  });
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
  const columns = renamedColumns(first.columns.map((_, i) => derivedColumn(first, i)), columnNames, `WITH query ${q.name}`);
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
  let working = await keep(first.rows);
  while (working.length > 0 && made.length < wanted) {
    // A round of one row costs ~10 µs: counted as more work, so the slice ends on time.
    if (guard.step(ROUND_WORK)) await guard.pause();
    const table = await heldTable(q.working, -1, columns, working, nowMs, guard);
    const round = rowsOf(await run(q.step, new DerivedReader(reader, new Map([[q.working, table]]))));
    checkRound(q, columns, round);
    working = await keep(round.rows);
  }
  const rows = made.slice(offset, wanted);
  const declared = columns.map((c) => (c.untyped === true ? null : c.type));
  // A column the first part left untyped (only NULLs) takes the type of what later rounds made.
  const typed = columns.map((c, i) => ({ ...derivedColumn({ columns: columns.map((x) => x.name), columnTypes: declared, rows: made }, i), name: c.name }));
  return { columns: typed, rows };
}
