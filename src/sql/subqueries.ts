import { ChronosError, isChronosError } from '../lib/index.js';
import type { StorageReader } from '../storage/index.js';
import type { Expr, SelectStatement, Statement } from './ast.js';
import { eachChild, rootsOf } from './expr-depth.js';
import { mapOperands, mapStatementExprs } from './expr-map.js';
import { lateralReferences, levelOf, resolveCorrelated } from './correlated.js';
import type { CorrelatedRunner } from './correlated.js';
import { refuseMisplacedOuterAggregates, resolveOuterAggregates } from './outer-aggregates.js';
import { executeSelect } from './select.js';
import { buildInSetYielding, IN_SET_MIN_ITEMS } from './in-set.js';
import { StatementGuard } from './statement-guard.js';
import { withoutRows } from './without-rows.js';

type Subquery = Extract<Expr, { kind: 'subquery' }>;

/** Every subquery of the statement's expressions, outermost first (not those inside them). */
/** Every expression subquery of `s`, nested ones included. */
export function subqueriesOf(s: Statement): Subquery[] {
  const found: Subquery[] = [];
  const visit = (e: Expr): void => {
    if (e.kind === 'subquery') found.push(e);
    eachChild(e, visit);
  };
  for (const root of rootsOf(s)) if (root !== null) visit(root);
  return found;
}

async function rowsOf(query: SelectStatement, reader: StorageReader, nowMs: number, guard: StatementGuard) {
  try {
    const result = await guard.nested(async () =>
      executeSelect(await resolveSubqueries(query, reader, nowMs, guard) as SelectStatement, reader, nowMs, guard));
    if (result.kind !== 'rows') throw new ChronosError('INVALID_ARGUMENT', 'Subquery returned no rows result');
    return result;
  } catch (error) {
    const unknownName = isChronosError(error, 'UNKNOWN_COLUMN') || isChronosError(error, 'UNKNOWN_TABLE');
    if (!unknownName) throw error;
    throw new ChronosError(
      error.code,
      `${error.message} (in a subquery)`,
    );
  }
}

/**
 * `x IN (empty)`: false, and NOT IN true, even for a NULL x (standard SQL). The operand stays
 * in the expression (`x IS NULL AND false`), so a query whose only aggregate is x, as in
 * `SELECT count(*) IN (SELECT ...) FROM t`, is still an aggregate query.
 */
function emptyIn(operand: Expr, negated: boolean): Expr {
  return {
    kind: 'binary', op: negated ? 'OR' : 'AND',
    left: { kind: 'isNull', operand, negated: false },
    right: { kind: 'literal', value: negated, type: 'BOOLEAN' },
  };
}

/** The literal expression a subquery stands for, computed once over `reader`. */
async function answer(sub: Subquery, reader: StorageReader, nowMs: number, guard: StatementGuard): Promise<Expr> {
  const one = { kind: 'literal', value: 1, type: 'INT' } as const;
  const query = sub.mode === 'exists' && sub.query.limit === null ? { ...sub.query, limit: one } : sub.query;
  const result = await rowsOf(query, reader, nowMs, guard);
  if (sub.mode === 'exists') return { kind: 'literal', value: result.rows.length > 0, type: 'BOOLEAN' };
  if (result.columns.length !== 1) {
    throw new ChronosError('INVALID_ARGUMENT', `Subquery must return one column, got ${result.columns.length}`);
  }
  const type = result.columnTypes[0] ?? null;
  const literals: Expr[] = result.rows.map((r) => ({ kind: 'literal', value: r[0] ?? null, type, fromSubquery: true }));
  if (sub.mode === 'scalar') {
    // More than one row is an error only where the value is needed: coalesce(1, (SELECT ...)) is 1.
    if (literals.length > 1) return { kind: 'subqueryError', message: `Scalar subquery returned ${literals.length} rows (at most 1 allowed)`, type };
    return literals[0] ?? { kind: 'literal', value: null, type, fromSubquery: true };
  }
  if (literals.length === 0) return emptyIn(sub.operand as Expr, sub.negated);
  const inList: Expr = { kind: 'in', operand: sub.operand as Expr, list: literals, negated: sub.negated };
  if (literals.length < IN_SET_MIN_ITEMS) return inList;
  // Built here, yielding, rather than when the statement compiles (one call over every item).
  const set = await buildInSetYielding(result.rows.map((r) => r[0] ?? null));
  return set === null ? inList : { ...inList, answered: { type, set } };
}

/**
 * The answer of `sub`, or the error its rows raised (INVALID_ARGUMENT: a division by zero, a
 * failed cast) standing in for it: raised only where the value is needed, as an error of the
 * statement's own expressions is. Errors of its shape (unknown names, two columns, HAVING
 * without GROUP BY: it fails the same over no rows) and the statement's limits end the
 * statement at once, as PostgreSQL refuses such a statement wherever the subquery sits.
 */
async function answerOrError(sub: Subquery, reader: StorageReader, nowMs: number, guard: StatementGuard,
  shape: Subquery = sub): Promise<Expr> {
  try {
    return await answer(sub, reader, nowMs, guard);
  } catch (error) {
    if (!isChronosError(error, 'INVALID_ARGUMENT')) throw error;
    const overNoRows = await answer(shape, withoutRows(reader), nowMs, guard).then(() => null, (failure: unknown) => failure);
    if (overNoRows !== null) throw error;
    return { kind: 'subqueryError', message: error.message, type: null };
  }
}

/**
 * Refuses a subquery of INSERT ... ON CONFLICT DO UPDATE that names the conflicting row (the
 * target table or `excluded`): such a subquery would need answering per conflicting row, which
 * is not built; as a plain subquery it failed with a misleading "Unknown table".
 */
function refuseCorrelatedConflict(s: Statement, catalog: StorageReader['catalog']): void {
  if (s.kind !== 'insert' || s.onConflict?.action !== 'update') return;
  const level = levelOf([{ table: s.table, alias: null }, { table: s.table, alias: 'excluded' }], catalog);
  const subs: Subquery[] = [];
  const visit = (e: Expr): void => {
    if (e.kind === 'subquery') subs.push(e);
    eachChild(e, visit);
  };
  for (const a of s.onConflict.assignments) visit(a.value);
  if (s.onConflict.where !== null) visit(s.onConflict.where);
  for (const sub of subs) {
    const named = lateralReferences(sub.query, level, catalog)[0];
    if (named === undefined) continue;
    throw new ChronosError('UNSUPPORTED', 'Unsupported: a subquery in ON CONFLICT DO UPDATE that names the conflicting row ' +
      `(${named.table === null ? named.name : `${named.table}.${named.name}`}); compute the value in the INSERT's SELECT instead, ` +
      'or run an UPDATE after the INSERT');
  }
}

/**
 * Replace each subquery by its answer over `reader` (a correlated one by its answers per outer
 * value, see correlated.ts): the same state on every replica for a write, so the result is
 * deterministic. Statements without one come back as is. The subqueries run under the
 * statement's `guard`: its time limit, cancellation and row cap cover them too.
 */
export async function resolveSubqueries(s: Statement, reader: StorageReader, nowMs: number,
  guard: StatementGuard = new StatementGuard()): Promise<Statement> {
  const subqueries = subqueriesOf(s);
  if (subqueries.length === 0) return s;
  const answers = new Map<Expr, Expr>();
  const runner: CorrelatedRunner = {
    answer: async (bound, shape) => {
      // A correlated subquery runs once per outer value, each perhaps too small to check.
      guard.check();
      if (guard.step()) await guard.pause();
      return answerOrError(bound, reader, nowMs, guard, shape);
    },
    rows: (query) => rowsOf(query, reader, nowMs, guard),
  };
  const resolve = async (sub: Subquery): Promise<Expr> =>
    await resolveCorrelated(sub, s, reader, runner) ?? await answerOrError(sub, reader, nowMs, guard);
  // Aggregates of this statement's columns inside its subqueries are computed here first, before
  // binding the outer row into the subquery would turn them into aggregates of its rows.
  refuseMisplacedOuterAggregates(s, reader.catalog);
  refuseCorrelatedConflict(s, reader.catalog);
  for (const sub of subqueries) {
    const outerAggregates = s.kind === 'select'
      ? await resolveOuterAggregates(sub, s, reader.catalog, { rows: runner.rows, resolve }) : null;
    answers.set(sub, outerAggregates ?? await resolve(sub));
  }
  const replace = (e: Expr): Expr => {
    const known = answers.get(e);
    if (known === undefined) return mapOperands(e, replace);
    // An IN operand may itself hold subqueries.
    if (known.kind === 'in') return { ...known, operand: replace(known.operand) };
    return known.kind === 'case' || known.kind === 'binary' ? mapOperands(known, replace) : known;
  };
  return mapStatementExprs(s, replace);
}
