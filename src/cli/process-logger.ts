import { ChronosError, FileLogSink, LOG_LEVELS, Logger, TextSink, logLevelFromRustLog } from '../lib/index.js';
import type { LogLevel, LogSink } from '../lib/index.js';
import { envChoice, envNumber } from './env-values.js';

/** A node's log settings from the environment (docs/operations.md, "Logs"). */
interface LogSettings {
  readonly level: LogLevel;
  readonly file: string | null;
  readonly maxSizeMb: number;
  readonly maxFiles: number;
}

/**
 * Reads CHRONOS_LOG_*; a malformed value stops the node at start (env-values.ts), even when
 * CHRONOS_LOG_FILE is unset: the operator meant something by it.
 */
function logSettings(env: NodeJS.ProcessEnv): LogSettings {
  const file = env['CHRONOS_LOG_FILE'];
  return {
    level: envChoice(env, 'CHRONOS_LOG_LEVEL', LOG_LEVELS) ?? logLevelFromRustLog(env['RUST_LOG']) ?? 'info',
    file: file === undefined || file === '' ? null : file,
    maxSizeMb: envNumber(env, 'CHRONOS_LOG_MAX_SIZE_MB', 10, 1),
    maxFiles: envNumber(env, 'CHRONOS_LOG_MAX_FILES', 3, 1),
  };
}

/** The JSON-lines file sink; a path that cannot be written fails here, naming the variable. */
function fileSink(settings: LogSettings & { readonly file: string }, stderr: TextSink): LogSink {
  try {
    return new FileLogSink({
      path: settings.file,
      maxSizeMb: settings.maxSizeMb,
      maxFiles: settings.maxFiles,
      onWriteError: (message) => stderr.write({
        timeMs: Date.now(), level: 'warn', component: 'log', fields: {},
        message: `CHRONOS_LOG_FILE: ${message}; lines go to stderr only until a write succeeds`,
      }),
    });
  } catch (error) {
    if (!(error instanceof ChronosError)) throw error;
    throw new ChronosError('CONFIG_ERROR', `CHRONOS_LOG_FILE: ${error.message}`, { cause: error, details: error.details });
  }
}

/** Builds the process logger: text on stderr, plus a rotated JSON-lines file when configured. */
export function processLogger(env: NodeJS.ProcessEnv, stderr: NodeJS.WritableStream = process.stderr): Logger {
  const settings = logSettings(env);
  const text = new TextSink(stderr);
  const sinks: LogSink[] = [text];
  if (settings.file !== null) sinks.push(fileSink({ ...settings, file: settings.file }, text));
  return new Logger({ sinks, level: settings.level });
}
