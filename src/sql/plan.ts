import type {
  KeyBound, KeyRange, StorageReader, StoredRow, TableSchema, SqlType, SqlValue,
} from '../storage/index.js';
import type { Expr } from './ast.js';
import { compileExpr } from './compile.js';
import type { Scope } from './scope.js';

/** How rows of one table are fetched; the full WHERE is still applied to every row. */
/** The planned shape of a SELECT over the catalog: scope and access path. */
export interface SelectPlan {
  readonly scope: Scope;
  readonly path: AccessPath | null;
}

export type AccessPath =
  | { readonly kind: 'full-scan'; readonly table: string }
  | { readonly kind: 'pk-lookup'; readonly table: string; readonly key: readonly SqlValue[] }
  | { readonly kind: 'pk-range'; readonly table: string; readonly range: KeyRange }
  | {
      readonly kind: 'index-range';
      readonly table: string;
      readonly index: string;
      readonly range: KeyRange;
    };

interface ColumnBounds {
  eq?: SqlValue;
  lower?: KeyBound;
  upper?: KeyBound;
}

function conjuncts(expr: Expr | null, out: Expr[]): Expr[] {
  if (expr === null) return out;
  if (expr.kind === 'binary' && expr.op === 'AND') {
    conjuncts(expr.left, out);
    conjuncts(expr.right, out);
  } else {
    out.push(expr);
  }
  return out;
}

function constantValue(
  expr: Expr,
  nowMs: number,
): { value: SqlValue; type: SqlType | null } | undefined {
  try {
    const c = compileExpr(expr, { scope: null, nowMs });
    return c.constant ? { value: c.evaluate([]), type: c.type } : undefined;
  } catch {
    return undefined;
  }
}

/** A key value usable for a column of `columnType`, or undefined when it cannot bound keys. */
function keyValue(
  columnType: SqlType,
  value: SqlValue,
  type: SqlType | null,
): SqlValue | undefined {
  if (value === null) return undefined;
  if (columnType === type) return value;
  if (columnType === 'FLOAT' && type === 'INT') return Number(value);
  return undefined;
}

const FLIP: Readonly<Record<string, string>> = {
  '<': '>',
  '<=': '>=',
  '>': '<',
  '>=': '<=',
  '=': '=',
};

/**
 * The first table's column `expr` names, if it does. Once that table has an alias, its table
 * name may be another table's (`FROM a x JOIN a ON ...`): then only the alias names it.
 */
function columnIndexOf(schema: TableSchema, qualifier: string, expr: Expr): number | undefined {
  if (expr.kind !== 'column') return undefined;
  const owner = expr.table;
  if (owner !== null && owner !== qualifier) return undefined;
  const i = schema.columns.findIndex((c) => c.name === expr.name);
  return i < 0 ? undefined : i;
}

/**
 * Bounds on the first table's columns from WHERE's conjuncts. Each is false for a NULL column
 * (=, <, BETWEEN, IN), and WHERE still runs over the joined rows: that is what keeps a RIGHT or
 * FULL join right when it reads only part of the first table, since the joined rows it then
 * wrongly finds unmatched carry NULLs there and WHERE drops them, as it drops the rightly
 * unmatched ones. A bound that holds for NULL (IS NULL) must not come here.
 */
function collectBounds(
  schema: TableSchema,
  qualifier: string,
  where: Expr | null,
  nowMs: number,
): Map<number, ColumnBounds> {
  const bounds = new Map<number, ColumnBounds>();
  const add = (col: number, op: string, raw: Expr): void => {
    const constant = constantValue(raw, nowMs);
    if (constant === undefined) return;
    const value = keyValue(
      (schema.columns[col] as { type: SqlType }).type,
      constant.value,
      constant.type,
    );
    if (value === undefined) return;
    const b = bounds.get(col) ?? {};
    if (op === '=') b.eq ??= value;
    else if (op === '>' || op === '>=') b.lower ??= { values: [value], inclusive: op === '>=' };
    else if (op === '<' || op === '<=') b.upper ??= { values: [value], inclusive: op === '<=' };
    bounds.set(col, b);
  };
  for (const c of conjuncts(where, [])) {
    if (c.kind === 'binary' && FLIP[c.op] !== undefined) {
      const left = columnIndexOf(schema, qualifier, c.left);
      const right = columnIndexOf(schema, qualifier, c.right);
      if (left !== undefined) add(left, c.op, c.right);
      else if (right !== undefined) add(right, FLIP[c.op] as string, c.left);
    } else if (c.kind === 'between' && !c.negated) {
      const col = columnIndexOf(schema, qualifier, c.operand);
      if (col !== undefined) {
        add(col, '>=', c.low);
        add(col, '<=', c.high);
      }
    } else if (c.kind === 'in' && !c.negated && c.list.length === 1) {
      const col = columnIndexOf(schema, qualifier, c.operand);
      if (col !== undefined) add(col, '=', c.list[0] as Expr);
    }
  }
  return bounds;
}

interface Candidate {
  readonly eqCount: number;
  readonly hasRange: boolean;
  readonly range: KeyRange;
  readonly eqValues: readonly SqlValue[];
}

function candidateFor(
  columns: readonly number[],
  bounds: Map<number,
  ColumnBounds>,
): Candidate | undefined {
  const prefix: SqlValue[] = [];
  for (const col of columns) {
    const b = bounds.get(col);
    if (b?.eq === undefined) break;
    prefix.push(b.eq);
  }
  const next = columns[prefix.length];
  const b = next === undefined ? undefined : bounds.get(next);
  const lowerRange = b?.lower;
  const upperRange = b?.upper;
  if (prefix.length === 0 && lowerRange === undefined && upperRange === undefined) return undefined;
  const lower: KeyBound | undefined = lowerRange !== undefined
    ? { values: [...prefix, ...lowerRange.values], inclusive: lowerRange.inclusive }
    : prefix.length > 0 ? { values: prefix, inclusive: true } : undefined;
  const upper: KeyBound | undefined = upperRange !== undefined
    ? { values: [...prefix, ...upperRange.values], inclusive: upperRange.inclusive }
    : prefix.length > 0 ? { values: prefix, inclusive: true } : undefined;
  const range: KeyRange = {
    ...(lower === undefined ? {} : { lower }),
    ...(upper === undefined ? {} : { upper }),
  };
  return {
    eqCount: prefix.length,
    hasRange: lowerRange !== undefined || upperRange !== undefined,
    range,
    eqValues: prefix,
  };
}

function score(c: Candidate): number {
  return c.eqCount * 2 + (c.hasRange ? 1 : 0);
}

/** Pick the access path for `schema` from the conjuncts of `where` that bound its keys. */
export function chooseAccessPath(
  schema: TableSchema,
  qualifier: string,
  where: Expr | null,
  nowMs: number,
): AccessPath {
  const bounds = collectBounds(schema, qualifier, where, nowMs);
  const table = schema.name;
  if (bounds.size === 0) return { kind: 'full-scan', table };
  const pk = schema.primaryKey.length > 0 ? candidateFor(schema.primaryKey, bounds) : undefined;
  if (pk !== undefined && pk.eqCount === schema.primaryKey.length) {
    return { kind: 'pk-lookup', table, key: pk.eqValues };
  }
  let best: { candidate: Candidate; index: string } | undefined;
  for (const index of schema.indexes) {
    // An index still being built lacks rows it has not reached: reading it would miss them.
    if (index.buildFrom !== undefined) continue;
    const c = candidateFor(index.columns, bounds);
    if (c !== undefined && (best === undefined || score(c) > score(best.candidate))) best = {
      candidate: c,
      index: index.name,
    };
  }
  if (pk !== undefined && (best === undefined || score(pk) >= score(best.candidate))) {
    return { kind: 'pk-range', table, range: pk.range };
  }
  if (best !== undefined) return {
    kind: 'index-range',
    table,
    index: best.index,
    range: best.candidate.range,
  };
  return { kind: 'full-scan', table };
}

/** Fetch the rows an access path names, in batches. */
export async function* scanPath(
  reader: StorageReader,
  path: AccessPath,
  reverse = false,
): AsyncIterable<readonly StoredRow[]> {
  switch (path.kind) {
    case 'full-scan':
      yield* reader.scan(path.table, undefined, { reverse });
      return;
    case 'pk-lookup': {
      const row = await reader.get(path.table, path.key);
      if (row !== undefined) yield [row];
      return;
    }
    case 'pk-range':
      yield* reader.scan(path.table, path.range, { reverse });
      return;
    case 'index-range':
      yield* reader.scanIndex(path.table, path.index, path.range);
      return;
  }
}

/** One-line description of an access path (what `explain` shows). */
export function describeAccessPath(path: AccessPath): string {
  const bound = (b: KeyBound | undefined, open: string, close: string): string =>
    b === undefined ? '' : `${b.inclusive ? open : open.replace(
      '=',
      '',
    )}(${b.values.map(String).join(', ')})${close}`;
  switch (path.kind) {
    case 'full-scan':
      return `FULL SCAN ${path.table}`;
    case 'pk-lookup':
      return `PK LOOKUP ${path.table} (${path.key.map(String).join(', ')})`;
    case 'pk-range':
      return [
        `PK RANGE ${path.table}`,
        bound(path.range.lower, '>=', ''),
        bound(path.range.upper, '<=', ''),
      ]
        .filter((part) => part !== '').join(' ');
    case 'index-range':
      return [
        `INDEX RANGE ${path.table}.${path.index}`,
        bound(path.range.lower, '>=', ''),
        bound(path.range.upper, '<=', ''),
      ]
        .filter((part) => part !== '').join(' ');
  }
}
