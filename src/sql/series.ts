import { ChronosError, isChronosError } from '../lib/index.js';
import { canonicalInt } from '../storage/index.js';
import type { ColumnSchema, SqlType, SqlValue } from '../storage/index.js';
import type { SeriesCall } from './ast.js';
import { compileExpr } from './compile.js';
import { Scope } from './scope.js';
import type { StatementGuard } from './statement-guard.js';

// generate_series(start, stop [, step]) in FROM, PostgreSQL's: start, start + step, ... while
// not past stop (counting down when step is negative). Over unix seconds it lays out the time
// steps a LEFT JOIN then fills: generate_series(1700000000, 1700003600, 60).

/**
 * Values one series may hold whatever the statement limits say: a local node runs without
 * them, and a series is the one table that tiny input makes unbounded.
 */
const SERIES_MAX = 10_000_000n;

/** How many values from `start` by `step` do not pass `stop` (exact, in bigint). */
function countOf(start: bigint, stop: bigint, step: bigint): bigint {
  if (step > 0n) return stop < start ? 0n : (stop - start) / step + 1n;
  return stop > start ? 0n : (start - stop) / -step + 1n;
}

/** A number's decimal digits as its shortest text writes them: `7e-10` is 7 and 10 places. */
function decimalOf(value: number): { readonly digits: bigint; readonly places: number } {
  const [mantissa, exponent] = String(value).split('e') as [string, string | undefined];
  const [whole, fraction = ''] = mantissa.split('.') as [string, string | undefined];
  const places = fraction.length - Number(exponent ?? 0);
  const digits = BigInt(whole + fraction);
  return places >= 0 ? { digits, places } : { digits: digits * 10n ** BigInt(-places), places: 0 };
}

/** The value as a whole number of 10^-places. */
function scaled(value: number, places: number): bigint {
  const decimal = decimalOf(value);
  return decimal.digits * 10n ** BigInt(places - decimal.places);
}

/** A whole number of 10^-places as the double nearest to it, read from its text as SQL reads a literal. */
function unscaled(at: bigint, places: number): number {
  return places === 0 ? Number(at) : Number(`${at}e-${places}`);
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
  const compiled = call.args.map((arg) => {
    try {
      return compileExpr(arg, { scope: new Scope(), nowMs });
    } catch (error) {
      if (isChronosError(error, 'UNKNOWN_COLUMN') || isChronosError(error, 'UNKNOWN_TABLE')) {
        throw new ChronosError('UNSUPPORTED', `Unsupported: generate_series() arguments that name columns (no LATERAL): ${error.message}`);
      }
      throw error;
    }
  });
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
  // Whole numbers of the finest decimal place among the arguments: exact steps, as PostgreSQL's
  // numeric (0, 0.1, ... reaches 0.3 and 1; 1e-10 steps reach 7e-10).
  const places = type === 'INT' ? 0 : Math.max(...[start, stop, step].map((v) => decimalOf(v).places));
  const [s, e, t] = (type === 'INT' ? (values as (number | bigint)[]).map((v) => BigInt(v))
    : [start, stop, step].map((v) => scaled(v, places))) as [bigint, bigint, bigint];
  const count = countOf(s, e, t);
  if (count > SERIES_MAX) {
    throw new ChronosError('LIMIT_EXCEEDED', `generate_series() of ${count} values, over the limit of ${SERIES_MAX}; take a larger step`);
  }
  guard.holding(Number(count), 'generate_series()');
  const rows: SqlValue[][] = [];
  for (let i = 0n; i < count; i++) {
    const at = s + i * t;
    rows.push([type === 'INT' ? canonicalInt(at) : unscaled(at, places)]);
    if (guard.step()) await guard.pause();
  }
  return { column, rows };
}
