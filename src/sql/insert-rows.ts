import { ChronosError } from '../lib/index.js';
import type { TableSchema, Row, SqlType, SqlValue } from '../storage/index.js';
import type { Expr, LiteralRows, Statement } from './ast.js';
import { compileExpr } from './compile.js';
import { checkedValue, columnIndex } from './write-checks.js';

type InsertStatement = Extract<Statement, { kind: 'insert' }>;

/** The hot path of INSERT: a literal whose type already matches its column. */
function checkedLiteral(schema: TableSchema, column: number, value: SqlValue, type: SqlType | null): SqlValue {
  const col = schema.columns[column];
  if (col !== undefined && value !== null && col.type === type) return value;
  return checkedValue(schema, column, value, type);
}

/** Positions the inserted values go to: the listed columns, or all in table order. */
export function targetPositions(schema: TableSchema, columns: readonly string[] | null): number[] {
  if (columns === null) return schema.columns.map((_, i) => i);
  const positions = columns.map((name) => columnIndex(schema, name));
  if (new Set(positions).size !== positions.length) {
    throw new ChronosError('INVALID_ARGUMENT', `A column is listed twice in INSERT INTO ${schema.name}`);
  }
  for (let i = 0; i < schema.columns.length; i++) {
    if (!positions.includes(i) && schema.columns[i]?.notNull === true) checkedValue(schema, i, null, null);
  }
  return positions;
}

/** The rows an INSERT proposes, made one at a time (VALUES rows are not held all at once). */
export interface ProposedRows {
  readonly count: number;
  /** Row `r`, full width and checked against the table. */
  row(r: number): Row;
}

/** The rows of `INSERT ... VALUES`. */
export function valuesRows(s: InsertStatement, schema: TableSchema, positions: readonly number[], nowMs: number): ProposedRows {
  return 'kind' in s.rows ? literalRows(s.rows, schema, positions) : exprRows(s.rows, schema, positions, nowMs);
}

/** Plain literal rows (the bulk form): each value checked against its column, nothing compiled. */
function literalRows(rows: LiteralRows, schema: TableSchema, positions: readonly number[]): ProposedRows {
  if (rows.width !== positions.length) throw widthMismatch(schema, 0, rows.width, positions.length);
  const row = (r: number): Row => {
    const values: SqlValue[] = new Array<SqlValue>(schema.columns.length).fill(null);
    const at = r * rows.width;
    for (let i = 0; i < rows.width; i++) {
      const pos = positions[i] as number;
      const value = rows.values[at + i] as SqlValue;
      const type = rows.types[at + i] as SqlType | null;
      values[pos] = typeof value === 'bigint'
        ? checkedValue(schema, pos, value, type) : checkedLiteral(schema, pos, value, type);
    }
    return values;
  };
  return { count: rows.values.length / rows.width, row };
}

function widthMismatch(schema: TableSchema, r: number, width: number, columns: number): ChronosError {
  return new ChronosError(
    'INVALID_ARGUMENT',
    `INSERT INTO ${schema.name}: row ${r + 1} has ${width} values for ${columns} columns`,
  );
}

/** VALUES rows with expressions. */
function exprRows(
  exprRowList: readonly (readonly Expr[])[], schema: TableSchema, positions: readonly number[], nowMs: number,
): ProposedRows {
  const ctx = { scope: null, nowMs, aggregatesRefused: 'in VALUES' } as const;
  const row = (r: number): Row => {
    const exprs = exprRowList[r] as readonly Expr[];
    if (exprs.length !== positions.length) throw widthMismatch(schema, r, exprs.length, positions.length);
    const values: SqlValue[] = new Array<SqlValue>(schema.columns.length).fill(null);
    for (let i = 0; i < exprs.length; i++) {
      const expr = exprs[i] as Expr;
      const pos = positions[i] as number;
      if (expr.kind === 'literal' && typeof expr.value !== 'bigint') {
        values[pos] = checkedLiteral(schema, pos, expr.value, expr.type);
      } else {
        const compiled = compileExpr(expr, ctx);
        values[pos] = checkedValue(schema, pos, compiled.evaluate([]), compiled.type);
      }
    }
    return values;
  };
  return { count: exprRowList.length, row };
}

/** The rows of a VALUES list of plain literals (the bulk form); null for any other INSERT. */
export function literalRowsOf(s: InsertStatement, schema: TableSchema, positions: readonly number[]): ProposedRows | null {
  return s.query === undefined && 'kind' in s.rows ? literalRows(s.rows, schema, positions) : null;
}
