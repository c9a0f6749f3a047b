import type { InSet } from './in-set.js';
import type { TableLayoutName, SqlType, SqlValue } from '../storage/index.js';

/** Binary operators of the dialect (`<>` is folded into `!=`). */
export type BinaryOp =
  | '+' | '-' | '*' | '/' | '%' | '||'
  | '=' | '!=' | '<' | '<=' | '>' | '>='
  | 'AND' | 'OR';

/**
 * Aggregate functions; avg_1h/avg_24h/avg_7d only see rows inserted in that window; first/last
 * take the value at the least/greatest second argument (TimescaleDB's first(value, time));
 * string_agg/group_concat join values as text, the second argument between them; total is
 * sqlite's FLOAT sum, 0 over no rows; the spreads are PostgreSQL's variance and standard
 * deviation, the truths its BOOLEAN aggregates.
 */
export type AggregateName =
  | 'count' | 'sum' | 'avg' | 'min' | 'max'
  | 'avg_1h' | 'avg_24h' | 'avg_7d' | 'first' | 'last' | 'string_agg' | 'group_concat' | 'total'
  | SpreadName | TruthName | OrderedSetName;

/** PostgreSQL's ordered-set aggregates: `percentile_cont(0.95) WITHIN GROUP (ORDER BY v)`. */
export type OrderedSetName = 'percentile_cont' | 'percentile_disc' | 'mode';

/** The variance and standard deviation aggregates, each over a sample or a population. */
export type SpreadName = 'variance' | 'var_samp' | 'var_pop' | 'stddev' | 'stddev_samp' | 'stddev_pop';

/** The BOOLEAN aggregates: every / bool_and hold when no value is false, bool_or when one is true. */
export type TruthName = 'bool_and' | 'bool_or' | 'every';

/** Functions usable with OVER: ranking, offset, value and the plain aggregates. */
export type WindowFunctionName =
  | 'row_number' | 'rank' | 'dense_rank' | 'lag' | 'lead' | 'first_value' | 'last_value'
  | 'ntile' | 'percent_rank' | 'cume_dist' | 'nth_value'
  | 'count' | 'sum' | 'avg' | 'min' | 'max';

/** One end of a window frame; `rows` counts rows (ROWS frames only). */
export type FrameBound =
  | { readonly kind: 'unboundedPreceding' }
  | { readonly kind: 'preceding'; readonly rows: number }
  | { readonly kind: 'currentRow' }
  | { readonly kind: 'following'; readonly rows: number }
  | { readonly kind: 'unboundedFollowing' };

/** `ROWS|RANGE BETWEEN start AND end`; RANGE takes only UNBOUNDED and CURRENT ROW bounds. */
export interface WindowFrame {
  readonly unit: 'ROWS' | 'RANGE';
  readonly start: FrameBound;
  readonly end: FrameBound;
}

/** What `IS [NOT] ...` tests a BOOLEAN for. */
export type Truth = 'TRUE' | 'FALSE' | 'UNKNOWN';

/** An expression. Immutable; `param` only appears in cached statement templates. */
export type Expr =
  | {
      readonly kind: 'literal';
      readonly value: SqlValue;
      readonly type: SqlType | null;
      /** A subquery's answer: an expression that is constant, never a GROUP/ORDER BY position. */
      readonly fromSubquery?: true;
      /** Written with a unary plus (`+1`): an expression of a constant, never a position (as in PostgreSQL). */
      readonly unaryPlus?: true;
    }
  | { readonly kind: 'param'; readonly index: number }
  | { readonly kind: 'column'; readonly table: string | null; readonly name: string }
  | { readonly kind: 'unary'; readonly op: '-' | 'NOT'; readonly operand: Expr }
  | { readonly kind: 'binary'; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr }
  | { readonly kind: 'isNull'; readonly operand: Expr; readonly negated: boolean }
  /** `x IS [NOT] TRUE | FALSE | UNKNOWN` over a BOOLEAN: never NULL itself. */
  | { readonly kind: 'isTruth'; readonly operand: Expr; readonly truth: Truth; readonly negated: boolean }
  /** `a IS [NOT] DISTINCT FROM b`: equality where NULL equals NULL, never NULL itself. */
  | { readonly kind: 'isDistinct'; readonly left: Expr; readonly right: Expr; readonly negated: boolean }
  | {
      readonly kind: 'in';
      readonly operand: Expr;
      readonly list: readonly Expr[];
      readonly negated: boolean;
      /** A subquery's answer (the list's values, of one type) already in a set, built while yielding. */
      readonly answered?: { readonly type: SqlType | null; readonly set: InSet };
    }
  | {
      readonly kind: 'between';
      readonly operand: Expr;
      readonly low: Expr;
      readonly high: Expr;
      readonly negated: boolean;
    }
  | {
      readonly kind: 'like';
      readonly operand: Expr;
      readonly pattern: Expr;
      readonly negated: boolean;
      /** ILIKE: case folded on both sides (PostgreSQL's). */
      readonly caseInsensitive?: true;
      /** The ESCAPE character, when not `\\`; '' escapes nothing. */
      readonly escape?: string;
    }
  | { readonly kind: 'call'; readonly name: string; readonly args: readonly Expr[] }
  | {
      readonly kind: 'case';
      /** The `CASE x WHEN v ...` operand; null for the searched form `CASE WHEN cond ...`. */
      readonly operand: Expr | null;
      readonly whens: readonly CaseWhen[];
      readonly otherwise: Expr | null;
    }
  | { readonly kind: 'cast'; readonly operand: Expr; readonly type: SqlType }
  /** `name(args) OVER (PARTITION BY ... ORDER BY ... [frame])`, evaluated over the query's result rows. */
  | {
      readonly kind: 'window';
      readonly name: WindowFunctionName;
      readonly args: readonly Expr[];
      readonly partitionBy: readonly Expr[];
      readonly orderBy: readonly OrderItem[];
      readonly frame: WindowFrame | null;
    }
  | {
      /** A subquery, replaced by its answer (per outer value when correlated) before the statement is planned. */
      readonly kind: 'subquery';
      readonly mode: 'scalar' | 'exists' | 'in';
      readonly query: SelectStatement;
      /** The IN operand (mode 'in' only). */
      readonly operand: Expr | null;
      readonly negated: boolean;
    }
  | {
      /**
       * A subquery whose answer is an error: more than one row for a scalar one, or an error
       * raised while it ran (division by zero, a failed cast). Evaluating it raises the error,
       * only where the value is needed (as PostgreSQL: `coalesce(1, (SELECT ...))` is 1, and a
       * CASE arm not taken raises nothing).
       */
      readonly kind: 'subqueryError';
      readonly message: string;
      readonly type: SqlType | null;
    }
  | {
      readonly kind: 'aggregate';
      readonly name: AggregateName;
      /** null for COUNT(*). */
      readonly arg: Expr | null;
      readonly distinct: boolean;
      /**
       * The second argument: what orders the rows for first/last (the time), the separator for
       * string_agg/group_concat; null for every other aggregate.
       */
      readonly second: Expr | null;
      /** `ORDER BY` inside the call (string_agg, group_concat): the order values are joined in. */
      readonly orderBy: readonly OrderItem[];
      /** `FILTER (WHERE cond)`: only rows where cond is true feed the aggregate; null when absent. */
      readonly filter: Expr | null;
    };

/** The tables of FROM and JOIN, first to last. */
export function tablesOfSelect(s: SelectStatement): TableRef[] {
  return [...(s.from === null ? [] : [s.from]), ...s.joins.map((j) => j.table)];
}

/** True for an INT literal written in GROUP BY or ORDER BY: a select-list position (1-based). */
export function isPosition(e: Expr): e is Extract<Expr, { kind: 'literal' }> & { readonly value: number } {
  return e.kind === 'literal' && e.type === 'INT' && typeof e.value === 'number' && e.fromSubquery !== true && e.unaryPlus !== true;
}

/** One `WHEN ... THEN ...` arm of CASE. */
export interface CaseWhen {
  readonly when: Expr;
  readonly then: Expr;
}

/** One item of a SELECT list. `name` is the output column name (alias or text as written). */
export type SelectItem =
  | { readonly kind: 'star'; readonly table: string | null }
  | { readonly kind: 'expr'; readonly expr: Expr; readonly name: string };

/** A table in FROM, with its optional alias. */
export interface TableRef {
  readonly table: string;
  readonly alias: string | null;
  /** A derived table, `(SELECT ...) AS name`: `table` is its name, the rows are this query's. */
  readonly query?: SelectStatement | CompoundStatement;
  /** `generate_series(...) [AS name [(column)]]`: `table` is its name, the rows its values. */
  readonly series?: SeriesCall;
  /** A query of `WITH RECURSIVE`: `table` is its name, the rows what its parts make. */
  readonly recursive?: RecursiveQuery;
  /** `AS name (a, b)` or `WITH name (a, b)`: the derived table's first columns renamed. */
  readonly columnNames?: readonly string[];
  /** `LATERAL (SELECT ...) AS name`: the query may name columns of the tables before it. */
  readonly lateral?: true;
}

/**
 * `WITH RECURSIVE name AS (anchor UNION [ALL] step)`: the anchor's rows, then the step's rows
 * over the rows the previous round made (its reference to `name` reads the table `working`),
 * until a round makes none. `limit`/`offset` end it early, as sqlite3's LIMIT does.
 */
export interface RecursiveQuery {
  readonly name: string;
  readonly anchor: SelectStatement | CompoundStatement;
  readonly step: SelectStatement;
  /** UNION ALL keeps every row; UNION drops a row equal to one made before. */
  readonly all: boolean;
  /** The table the step reads the previous round's rows from (a name no table can have). */
  readonly working: string;
  readonly limit: Expr | null;
  readonly offset: Expr | null;
}

/** generate_series(start, stop [, step]) in FROM, and the name of its one column. */
export interface SeriesCall {
  readonly args: readonly Expr[];
  readonly column: string;
}

/** A join: at most one of `using`/`on` is set (neither: a cross join). */
export interface Join {
  readonly table: TableRef;
  readonly using: readonly string[] | null;
  readonly on: Expr | null;
  /**
   * LEFT [OUTER] JOIN: a row of the tables so far without a match is kept once, the joined
   * table's columns NULL. RIGHT: a row of the joined table without a match is kept once, the
   * columns of the tables before it NULL. FULL: both.
   */
  readonly outer?: 'left' | 'right' | 'full';
  /** NATURAL: `using` is filled with the shared column names once the tables are known. */
  readonly natural?: true;
}

/** ORDER BY item; `nullsFirst` defaults as in PostgreSQL: NULLs last ascending, first descending. */
export interface OrderItem {
  readonly expr: Expr;
  readonly descending: boolean;
  readonly nullsFirst: boolean;
}

/** SELECT. */
export interface SelectStatement {
  readonly kind: 'select';
  readonly distinct: boolean;
  /** DISTINCT ON (keys): the first row of each set equal in the keys (`distinct` is then false). */
  readonly distinctOn?: readonly Expr[];
  readonly items: readonly SelectItem[];
  readonly from: TableRef | null;
  readonly joins: readonly Join[];
  readonly where: Expr | null;
  readonly groupBy: readonly Expr[];
  readonly having: Expr | null;
  readonly orderBy: readonly OrderItem[];
  readonly limit: Expr | null;
  readonly offset: Expr | null;
}

/** A column definition of CREATE TABLE. */
export interface ColumnDefinition {
  readonly name: string;
  readonly type: SqlType;
  readonly notNull: boolean;
  readonly primaryKey: boolean;
}

/** An operand of UNION/INTERSECT/EXCEPT: a plain SELECT or a nested set operation. */
export type QueryTerm =
  | SelectStatement
  | {
      readonly kind: 'setOperation';
      readonly op: 'UNION' | 'INTERSECT' | 'EXCEPT';
      /** ALL keeps duplicates (multiset semantics). */
      readonly all: boolean;
      readonly left: QueryTerm;
      readonly right: QueryTerm;
    };

/** `a UNION b ... [ORDER BY] [LIMIT]`: ORDER BY and LIMIT apply to the combined rows. */
export interface CompoundStatement {
  readonly kind: 'compound';
  readonly body: Extract<QueryTerm, { kind: 'setOperation' }>;
  readonly orderBy: readonly OrderItem[];
  readonly limit: Expr | null;
  readonly offset: Expr | null;
}

/**
 * VALUES rows made only of literals, kept flat (row-major) instead of an Expr per value: the
 * form of bulk INSERTs. Row r's value i is values[r * width + i], its literal type types[...].
 */
export interface LiteralRows {
  readonly kind: 'literalRows';
  readonly width: number;
  readonly values: readonly SqlValue[];
  readonly types: readonly (SqlType | null)[];
}

/** Every statement of the dialect. */
export type Statement =
  | SelectStatement
  | CompoundStatement
  | {
      readonly kind: 'insert';
      readonly table: string;
      readonly columns: readonly string[] | null;
      /** The VALUES rows (flat when all are plain literals); empty for INSERT ... SELECT. */
      readonly rows: readonly (readonly Expr[])[] | LiteralRows;
      /** INSERT ... SELECT: the query whose rows are inserted (absent for VALUES). */
      readonly query?: SelectStatement | CompoundStatement;
      readonly onConflict?: OnConflict;
    }
  | {
      readonly kind: 'update';
      readonly table: string;
      readonly assignments: readonly { readonly column: string; readonly value: Expr }[];
      readonly where: Expr | null;
    }
  | { readonly kind: 'delete'; readonly table: string; readonly where: Expr | null }
  | {
      readonly kind: 'createTable';
      readonly table: string;
      readonly ifNotExists: boolean;
      readonly columns: readonly ColumnDefinition[];
      readonly primaryKey: readonly string[];
      readonly ttlMs: number | null;
      /** `WITH layout = ...`; null leaves it to the engine's policy for new tables. */
      readonly layout: TableLayoutName | null;
    }
  | {
      readonly kind: 'createIndex';
      readonly name: string;
      readonly table: string;
      readonly columns: readonly string[];
      readonly ifNotExists: boolean;
    }
  | { readonly kind: 'dropTable'; readonly table: string; readonly ifExists: boolean }
  | { readonly kind: 'dropIndex'; readonly name: string; readonly ifExists: boolean }
  | { readonly kind: 'alterTable'; readonly table: string; readonly action: AlterTableAction }
  | { readonly kind: 'showTables' }
  | { readonly kind: 'describe'; readonly table: string }
  | { readonly kind: 'explain'; readonly statement: ExplainableStatement }
  | { readonly kind: 'begin' }
  | { readonly kind: 'commit' }
  | { readonly kind: 'rollback' };

/** One `SET column = expr` of UPDATE or ON CONFLICT DO UPDATE. */
export interface Assignment {
  readonly column: string;
  readonly value: Expr;
}

/**
 * `ON CONFLICT [(cols)] DO NOTHING | DO UPDATE SET ... [WHERE ...]` of INSERT. The SET and WHERE
 * expressions see the existing row (by the table's name) and the proposed one (`excluded`).
 */
export interface OnConflict {
  /** The conflict target's columns; null when omitted (DO NOTHING only). */
  readonly target: readonly string[] | null;
  readonly action: 'nothing' | 'update';
  readonly assignments: readonly Assignment[];
  readonly where: Expr | null;
}

/** What EXPLAIN shows the plan of (it runs none of them). */
export type ExplainableStatement = Extract<Statement, { kind: 'select' | 'compound' | 'update' | 'delete' }>;

/** The one change an `ALTER TABLE` statement makes. */
export type AlterTableAction =
  | { readonly kind: 'addColumn'; readonly column: ColumnDefinition; readonly ifNotExists: boolean }
  | { readonly kind: 'dropColumn'; readonly column: string; readonly ifExists: boolean }
  | { readonly kind: 'renameTable'; readonly to: string }
  | { readonly kind: 'renameColumn'; readonly from: string; readonly to: string };

/** The statement kinds, for switches. */
export type StatementKind = Statement['kind'];
