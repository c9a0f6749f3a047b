import type { CompoundStatement, Expr, QueryTerm, RecursiveQuery, SelectStatement, TableRef } from './ast.js';
import { tablesOfSelect } from './ast.js';
import { unsupported } from './cursor.js';
import { eachChild, rootsOf } from './expr-depth.js';
import { hasAggregate } from './expr-walk.js';
import { windowsOf } from './window.js';

type Query = SelectStatement | CompoundStatement;

// A WITH RECURSIVE query names itself in FROM or JOIN of the part after its last UNION. The
// rules are PostgreSQL's and sqlite3's: that part reads only the rows the previous round made,
// so it may name them once, not inside a subquery, not where an outer join would make up rows
// for them, and it may not aggregate them.

function selectsOf(term: QueryTerm): SelectStatement[] {
  return term.kind === 'select' ? [term] : [...selectsOf(term.left), ...selectsOf(term.right)];
}

function queryTerms(query: Query): SelectStatement[] {
  return query.kind === 'select' ? [query] : selectsOf(query.body);
}

/** How often the subqueries in the expressions of `s` name `name` in FROM or JOIN. */
function mentionsInExpressions(s: SelectStatement, name: string): number {
  let count = 0;
  const visit = (e: Expr): void => {
    if (e.kind === 'subquery') {
      const inner = mentions(e.query, name);
      count += inner.direct + inner.nested;
    }
    eachChild(e, visit);
  };
  for (const root of rootsOf(s)) if (root !== null) visit(root);
  return count;
}

/** How often `query` names `name` in FROM or JOIN, as `direct` in its own FROM and JOINs. */
function mentions(query: Query, name: string): { readonly direct: number; readonly nested: number } {
  let direct = 0;
  let nested = 0;
  for (const s of queryTerms(query)) {
    nested += mentionsInExpressions(s, name);
    for (const ref of tablesOfSelect(s)) {
      if (ref.query !== undefined) {
        const inner = mentions(ref.query, name);
        nested += inner.direct + inner.nested;
      } else if (ref.recursive === undefined && ref.series === undefined && ref.table === name) {
        direct += 1;
      }
    }
  }
  return { direct, nested };
}

function asQuery(term: QueryTerm): Query {
  return term.kind === 'select' ? term : { kind: 'compound', body: term, orderBy: [], limit: null, offset: null };
}

/** Refuses a recursive part that an outer join or an aggregate would make ill-defined. */
function checkStep(name: string, step: SelectStatement): void {
  const at = tablesOfSelect(step).findIndex((ref) => ref.table === name && ref.query === undefined);
  step.joins.forEach((join, i) => {
    const joinedIsSelf = i + 1 === at;
    if ((joinedIsSelf && (join.outer === 'left' || join.outer === 'full'))
      || (i + 1 > at && (join.outer === 'right' || join.outer === 'full'))) {
      throw unsupported(`WITH RECURSIVE ${name} naming itself on the side of an outer join that keeps unmatched rows`);
    }
  });
  const aggregates = step.groupBy.length > 0 || step.having !== null
    || step.items.some((item) => item.kind === 'expr' && hasAggregate(item.expr));
  if (aggregates || windowsOf(step).length > 0) {
    throw unsupported(`aggregate and window functions in the recursive part of WITH RECURSIVE ${name}`);
  }
}

/** The step with its reference to the query itself turned into one to the working table. */
function readingWorking(step: SelectStatement, name: string, working: string): SelectStatement {
  const swap = (ref: TableRef): TableRef => (ref.table === name && ref.query === undefined && ref.series === undefined
    && ref.recursive === undefined ? { table: working, alias: ref.alias ?? name } : ref);
  return {
    ...step,
    from: step.from === null ? null : swap(step.from),
    joins: step.joins.map((join) => ({ ...join, table: swap(join.table) })),
  };
}

/**
 * The WITH query `name AS (query)` of a WITH RECURSIVE: a RecursiveQuery when it names
 * itself, null when it does not (then it is an ordinary WITH query).
 */
export function recursiveQuery(name: string, query: Query): RecursiveQuery | null {
  const { direct, nested } = mentions(query, name);
  if (direct + nested === 0) return null;
  if (query.kind !== 'compound' || query.body.op !== 'UNION') {
    throw unsupported(`WITH RECURSIVE ${name} other than a first part UNION [ALL] a part naming ${name}`);
  }
  const { left, right } = query.body;
  const inAnchor = mentions(asQuery(left), name);
  if (right.kind !== 'select' || inAnchor.direct + inAnchor.nested > 0) {
    throw unsupported(`WITH RECURSIVE ${name} naming itself anywhere but in the part after its last UNION`);
  }
  const inStep = mentions(right, name);
  if (inStep.nested > 0) throw unsupported(`WITH RECURSIVE ${name} naming itself inside a subquery`);
  if (inStep.direct > 1) throw unsupported(`WITH RECURSIVE ${name} naming itself more than once`);
  if (query.orderBy.length > 0) throw unsupported(`ORDER BY in WITH RECURSIVE ${name} (order the query that reads it)`);
  checkStep(name, right);
  const working = `${name} (working)`;
  return {
    name, anchor: asQuery(left), step: readingWorking(right, name, working), all: query.body.all, working,
    limit: query.limit, offset: query.offset,
  };
}
