export { assert, assertNever, AssertionError } from './assert.js';
export { ChronosError, isChronosError, errorMessage } from './errors.js';
export type { ErrorCode, ChronosErrorOptions } from './errors.js';
export { systemClock } from './clock.js';
export type { Clock } from './clock.js';
export { Random } from './random.js';
