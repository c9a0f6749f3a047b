import { ChronosError } from '../lib/index.js';
import { canonicalInt } from '../storage/index.js';
import type { ColumnSchema, SqlType, SqlValue } from '../storage/index.js';
import type { SeriesCall } from './ast.js';
import { compileExpr } from './compile.js';
import { Scope } from './scope.js';
import type { StatementGuard } from './statement-guard.js';

// generate_series(start, stop [, step]) in FROM, PostgreSQL's: start, start + step, ... while
// not past stop (counting down when step is negative). Over unix seconds it lays out the time
// steps a LEFT JOIN then fills: generate_series(1700000000, 1700003600, 60).

/** How many values from `start` by `step` do not pass `stop` (exact, in bigint). */
function countOf(start: bigint, stop: bigint, step: bigint): bigint {
  if (step > 0n) return stop < start ? 0n : (stop - start) / step + 1n;
  return stop > start ? 0n : (start - stop) / -step + 1n;
}

/** Digits after the point of a number as SQL writes it, or null where it takes an exponent. */
function decimalsOf(value: number): number | null {
  const text = String(value);
  if (text.includes('e')) return null;
  const point = text.indexOf('.');
  return point < 0 ? 0 : text.length - point - 1;
}

interface Arguments {
  readonly values: readonly SqlValue[];
  readonly type: SqlType;
}

/** The arguments, constants of a number type (the series sees no table: no LATERAL). */
function argumentsOf(call: SeriesCall, nowMs: number): Arguments {
  if (call.args.length < 2 || call.args.length > 3) {
    throw new ChronosError('INVALID_ARGUMENT', `generate_series() takes a start, a stop and optionally a step; got ${call.args.length} arguments`);
  }
  const compiled = call.args.map((arg) => compileExpr(arg, { scope: new Scope(), nowMs }));
  for (const c of compiled) {
    if (c.type !== null && c.type !== 'INT' && c.type !== 'FLOAT') {
      throw new ChronosError('TYPE_MISMATCH', `Type mismatch: generate_series() needs numbers (unix seconds for times), got ${c.type}`);
    }
  }
  const type = compiled.some((c) => c.type === 'FLOAT') ? 'FLOAT' : 'INT';
  return { values: [...compiled.map((c) => c.evaluate([])), ...(compiled.length === 2 ? [1] : [])], type };
}

/** The series' one column and its rows, counted against the statement's rows held. */
export async function seriesRows(call: SeriesCall, nowMs: number, guard: StatementGuard): Promise<{ column: ColumnSchema; rows: SqlValue[][] }> {
  const { values, type } = argumentsOf(call, nowMs);
  const column: ColumnSchema = { name: call.column, type, notNull: false };
  if (values.some((v) => v === null)) return { column, rows: [] };
  const [start, stop, step] = values.map(Number) as [number, number, number];
  if (step === 0) throw new ChronosError('INVALID_ARGUMENT', 'generate_series(): step size cannot equal zero');
  if (![start, stop, step].every(Number.isFinite)) throw new ChronosError('INVALID_ARGUMENT', 'generate_series(): arguments must be finite');
  const decimals = type === 'INT' ? 0 : Math.max(...[start, stop, step].map((v) => decimalsOf(v) ?? Infinity));
  const rows: SqlValue[][] = [];
  if (type === 'INT' || decimals <= 9) {
    // Whole numbers, or decimals scaled to whole numbers: exact steps, as PostgreSQL's numeric.
    const scale = 10 ** decimals;
    const whole = type === 'INT' ? (values as (number | bigint)[]).map((v) => BigInt(v)) : [start, stop, step].map((v) => BigInt(Math.round(v * scale)));
    const [s, e, t] = whole as [bigint, bigint, bigint];
    const count = countOf(s, e, t);
    guard.holding(Number(count), 'generate_series()');
    for (let i = 0n; i < count; i++) {
      const at = s + i * t;
      rows.push([type === 'INT' ? canonicalInt(at) : Number(at) / scale]);
      if (guard.step()) await guard.pause();
    }
    return { column, rows };
  }
  const count = Math.max(0, Math.floor((stop - start) / step) + 1);
  guard.holding(count, 'generate_series()');
  for (let i = 0; i < count; i++) {
    rows.push([start + i * step]);
    if (guard.step()) await guard.pause();
  }
  return { column, rows };
}
