import { ChronosError } from '../lib/index.js';
import type { SqlValue } from '../storage/index.js';
import type { Accumulator } from './aggregate.js';
import type { OrderedSetName, SpreadName, TruthName } from './ast.js';

export const SPREAD_NAMES: readonly SpreadName[] = ['variance', 'var_samp', 'var_pop', 'stddev', 'stddev_samp', 'stddev_pop'];
export const TRUTH_NAMES: readonly TruthName[] = ['bool_and', 'bool_or', 'every'];
export const ORDERED_SET_NAMES: readonly OrderedSetName[] = ['percentile_cont', 'percentile_disc', 'mode'];

/**
 * Youngs and Cramer's running sum and sum of squared deviations, as PostgreSQL keeps them for
 * a double, so the figures match its to the last bit, and no sum of squares loses the spread
 * of large values close together (readings of 1e9 plus noise). A sample's figures need two
 * values (NULL before), a population's one.
 */
export class Spread implements Accumulator {
  #n = 0;
  #sum = 0;
  #squares = 0;
  readonly #sample: boolean;
  readonly #root: boolean;
  constructor(name: SpreadName) {
    this.#sample = !name.endsWith('_pop');
    this.#root = name.startsWith('stddev');
  }
  add(value: SqlValue): void {
    if (value === null) return;
    const x = Number(value);
    const before = this.#n;
    const sumBefore = this.#sum;
    this.#n++;
    this.#sum += x;
    if (before === 0) {
      // One infinite or NaN value makes the spread NaN, not 0, even with no more values.
      if (!Number.isFinite(x)) this.#squares = Number.NaN;
      return;
    }
    const deviation = x * this.#n - this.#sum;
    this.#squares += (deviation * deviation) / (this.#n * before);
    if (Number.isFinite(this.#sum) && Number.isFinite(this.#squares)) return;
    // Finite values whose sums overflow are an error; an infinite value makes the spread NaN.
    if (Number.isFinite(sumBefore) && Number.isFinite(x)) {
      throw new ChronosError('INVALID_ARGUMENT', 'value out of range: overflow (in a variance or standard deviation)');
    }
    this.#squares = Number.NaN;
  }
  result(): SqlValue {
    const divisor = this.#sample ? this.#n - 1 : this.#n;
    if (divisor <= 0) return null;
    const variance = this.#squares / divisor;
    return this.#root ? Math.sqrt(variance) : variance;
  }
}

/** bool_and / every and bool_or: NULLs are skipped, no values at all answer NULL. */
export class Truth implements Accumulator {
  #answer: boolean | null = null;
  readonly #all: boolean;
  constructor(name: TruthName) {
    this.#all = name !== 'bool_or';
  }
  add(value: SqlValue): void {
    if (value === null) return;
    this.#answer = this.#answer === null ? value === true : this.#all ? this.#answer && value === true : this.#answer || value === true;
  }
  result(): SqlValue {
    return this.#answer;
  }
}
