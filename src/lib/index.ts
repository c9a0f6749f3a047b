export { assert, assertNever, AssertionError } from './assert.js';
export { ChronosError, isChronosError, errorMessage } from './errors.js';
export type { ErrorCode, ChronosErrorOptions } from './errors.js';
export { systemClock } from './clock.js';
export type { Clock } from './clock.js';
export { Random } from './random.js';
export { Logger, TextSink, logLevelFromEnv, silentLogger } from './logger.js';
export type { LogLevel, LogFields, LogRecord, LogSink } from './logger.js';
export { FileLogSink } from './file-log-sink.js';
