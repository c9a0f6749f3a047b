import { caseMapped } from './case-mapping.js';
import { characterCount } from './code-points.js';
import { ChronosError } from '../lib/index.js';
import type { SqlType, SqlValue } from '../storage/index.js';
import { numericArgument } from './argument-types.js';
import { commonType } from './common-type.js';
import { DATE_FUNCTIONS } from './date-functions.js';
import { MATH_FUNCTIONS } from './math-functions.js';
import { STRING_EDITS } from './string-edits.js';
import { STRING_FUNCTIONS } from './string-functions.js';
import { checkedBig, comparableTypes, compareValues } from './value-ops.js';

const UNIT_SECONDS: Readonly<Record<string, number>> = {
  s: 1,
  m: 60,
  h: 3600,
  d: 86_400,
  w: 604_800,
};

/** Width in seconds of a time_bucket interval such as '30s', '1m', '5m', '1h', '1d'. */
export function bucketWidthSeconds(text: SqlValue): number {
  const match = typeof text === 'string' ? /^\s*(\d+)\s*([smhdw])\s*$/i.exec(text) : null;
  const amount = match === null ? 0 : Number(match[1]);
  if (match?.[2] === 'M') {
    // Grafana's and Go's 'M' is a month, which has no fixed width.
    throw new ChronosError('INVALID_ARGUMENT', `time_bucket: '${String(text).trim()}' is ambiguous: ` +
      "write 'm' for minutes; for months, which have no fixed width, use date_trunc('month', ts)");
  }
  if (match === null || !(amount > 0)) {
    throw new ChronosError(
      'INVALID_ARGUMENT',
      `time_bucket: bad width ${typeof text === 'string' ? `'${text}'` : String(text)} ` +
        "(expected e.g. '30s', '1m', '1h', '1d')",
    );
  }
  return amount * (UNIT_SECONDS[(match[2] as string).toLowerCase()] as number);
}

/** floor(ts / width) * width for INT (number or bigint) or FLOAT timestamps in seconds. */
export function timeBucket(width: number, ts: SqlValue): SqlValue {
  if (ts === null) return null;
  if (typeof ts === 'number') return Math.floor(ts / width) * width;
  if (typeof ts === 'bigint') {
    const w = BigInt(width);
    let q = ts / w;
    if (ts < 0n && q * w !== ts) q -= 1n;
    // The bucket of a time near INT64_MIN starts below it.
    return checkedBig(q * w, 'time_bucket');
  }
  throw new ChronosError(
    'TYPE_MISMATCH',
    'Type mismatch: time_bucket needs an INT or FLOAT timestamp',
  );
}

/** Static description of a scalar function: result type from argument types. */
export interface ScalarFunction {
  readonly arity: readonly [number, number];
  resultType(args: readonly (SqlType | null)[]): SqlType | null;
  /** Only called with arguments already evaluated. */
  evaluate(args: readonly SqlValue[], nowMs: number): SqlValue;
  /** Set when the function uses its arguments as text (concat): FLOATs come as SQL writes them. */
  readonly textArguments?: true;
}

function stringType(name: string, t: SqlType | null): void {
  if (t !== null && t !== 'STRING') {
    throw new ChronosError('TYPE_MISMATCH', `Type mismatch: ${name}() needs a STRING, got ${t}`);
  }
}

/** length() and PostgreSQL's names for it: characters, not bytes. */
function characterLength(name: string): ScalarFunction {
  return {
    arity: [1, 1],
    resultType: (args) => (stringType(name, args[0] ?? null), 'INT'),
    evaluate: (args) => (typeof args[0] === 'string' ? characterCount(args[0]) : null),
  };
}

/** coalesce() and ifnull(): the first argument that is not NULL (compileCall evaluates the rest lazily). */
function firstNotNull(name: string, arity: readonly [number, number]): ScalarFunction {
  return {
    arity,
    resultType: (args) => commonType(`${name}() arguments`, args),
    evaluate: (args) => args.find((a) => a !== null) ?? null,
  };
}

/** The scalar functions of the dialect (aggregates live in aggregate.ts). */
export const SCALAR_FUNCTIONS: Readonly<Record<string, ScalarFunction>> = {
  now: {
    arity: [0, 0],
    resultType: () => 'INT',
    // Unix seconds, like the ts columns time_bucket works on; nowMs is fixed by the leader.
    evaluate: (_args, nowMs) => Math.floor(nowMs / 1000),
  },
  time_bucket: {
    arity: [2, 2],
    resultType: (args) => {
      stringType('time_bucket', args[0] ?? null);
      return numericArgument('time_bucket', args[1] ?? null) ?? 'INT';
    },
    evaluate: (args) => (args[0] === null ? null : timeBucket(
      bucketWidthSeconds(args[0] ?? null),
      args[1] ?? null,
    )),
  },
  abs: {
    arity: [1, 1],
    resultType: (args) => numericArgument('abs', args[0] ?? null),
    evaluate: (args) => {
      const v = args[0] ?? null;
      if (typeof v === 'bigint') return checkedBig(v < 0n ? -v : v, 'abs');
      return typeof v === 'number' ? Math.abs(v) : null;
    },
  },
  lower: {
    arity: [1, 1],
    resultType: (args) => (stringType('lower', args[0] ?? null), 'STRING'),
    evaluate: (args) => (typeof args[0] === 'string' ? caseMapped(args[0], 'lower') : null),
  },
  upper: {
    arity: [1, 1],
    resultType: (args) => (stringType('upper', args[0] ?? null), 'STRING'),
    evaluate: (args) => (typeof args[0] === 'string' ? caseMapped(args[0], 'upper') : null),
  },
  length: characterLength('length'),
  char_length: characterLength('char_length'),
  character_length: characterLength('character_length'),
  coalesce: firstNotNull('coalesce', [1, 64]),
  // sqlite's two-argument coalesce.
  ifnull: firstNotNull('ifnull', [2, 2]),
  nullif: {
    arity: [2, 2],
    resultType: (args) => {
      const [a = null, b = null] = args;
      if (!comparableTypes(a, b)) {
        throw new ChronosError('TYPE_MISMATCH', `Type mismatch: nullif() cannot compare ${a} with ${b}`);
      }
      // nullif(NULL, 5) is an INT NULL: an untyped first argument takes the second's type.
      return a ?? b;
    },
    evaluate: (args) => {
      const [a = null, b = null] = args;
      return a !== null && b !== null && compareValues(a, b) === 0 ? null : a;
    },
  },
  ...MATH_FUNCTIONS,
  ...STRING_FUNCTIONS,
  ...STRING_EDITS,
  ...DATE_FUNCTIONS,
};
