/** Thrown when an internal invariant does not hold: a bug, never a user error. */
export class AssertionError extends Error {
  override readonly name = 'AssertionError';
}

/** Crash loudly when an invariant is violated; silent divergence is worse than a crash. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionError(`assertion failed: ${message}`);
}

/** Exhaustiveness check for switches over discriminated unions. */
export function assertNever(value: never, what = 'value'): never {
  throw new AssertionError(`unexpected ${what}: ${JSON.stringify(value)}`);
}
