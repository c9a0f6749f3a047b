import {
  appendFileSync, closeSync, existsSync, openSync, renameSync, statSync, unlinkSync,
} from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import { ChronosError, errorMessage } from './errors.js';
import { makeDirectories } from './make-directories.js';
import type { LogRecord, LogSink } from './logger.js';

/** What a FileLogSink writes and how it rotates. */
export interface FileLogSinkOptions {
  readonly path: string;
  readonly maxSizeMb: number;
  readonly maxFiles: number;
  /**
   * Told once when a write fails after start (disk full, file removed with its dir); lines
   * are dropped until a write succeeds again. Logging must never stop the node it reports on.
   */
  readonly onWriteError?: (message: string) => void;
}

/**
 * JSON-lines log file with size-based rotation: the active file is exactly `path`, older ones
 * `path.1` (newest) ... `path.N`. Writes are synchronous so a crash never loses a line that a
 * caller believed written; log volume at info level is small.
 */
export class FileLogSink implements LogSink {
  readonly #path: string;
  readonly #maxBytes: number;
  readonly #maxFiles: number;
  readonly #onWriteError: (message: string) => void;
  #size: number;
  #failing = false;

  /**
   * Creates the parent dir and opens the file for appending once, so that a path that can
   * never be written fails here, at start, with a CONFIG_ERROR naming it and the reason,
   * instead of on whichever log line comes first (possibly deep in a timer, as a crash).
   */
  constructor(options: FileLogSinkOptions) {
    this.#path = options.path;
    this.#maxBytes = Math.max(1, options.maxSizeMb) * 1024 * 1024;
    this.#maxFiles = Math.max(1, Math.floor(options.maxFiles));
    this.#onWriteError = options.onWriteError ?? (() => undefined);
    this.#size = openForAppend(this.#path);
  }

  write(record: LogRecord): void {
    const line =
      JSON.stringify({
        ts: new Date(record.timeMs).toISOString(),
        level: record.level,
        component: record.component,
        msg: record.message,
        ...record.fields,
      }) + '\n';
    const bytes = Buffer.byteLength(line);
    try {
      if (this.#size > 0 && this.#size + bytes > this.#maxBytes) this.#rotate();
      appendFileSync(this.#path, line);
      this.#size += bytes;
      this.#failing = false;
    } catch (error) {
      if (!this.#failing) this.#onWriteError(`cannot write log file '${this.#path}': ${ioReason(error)}`);
      this.#failing = true;
    }
  }

  #rotate(): void {
    const oldest = `${this.#path}.${this.#maxFiles}`;
    if (existsSync(oldest)) unlinkSync(oldest);
    for (let n = this.#maxFiles - 1; n >= 1; n--) {
      const from = `${this.#path}.${n}`;
      if (existsSync(from)) renameSync(from, `${this.#path}.${n + 1}`);
    }
    renameSync(this.#path, `${this.#path}.1`);
    this.#size = 0;
  }
}

/** Kernel views that look like files but never hold a log. */
const PSEUDO_FILESYSTEMS: readonly string[] = ['/proc', '/sys'];

/** Checks `path` can be appended to (creating its dir); answers its current size. */
function openForAppend(path: string): number {
  const refuse = (reason: string): never => {
    throw new ChronosError('CONFIG_ERROR', `cannot use '${path}' as the log file: ${reason}`, { details: { path } });
  };
  // Files there take a kernel setting per write, or none: open may pass, every line fails.
  const pseudo = PSEUDO_FILESYSTEMS.find((root) => resolve(path).startsWith(`${root}${sep}`));
  if (pseudo !== undefined) return refuse(`it is under ${pseudo}, a kernel pseudo-filesystem`);
  try {
    makeDirectories(dirname(path));
  } catch (error) {
    return refuse(`cannot create its directory '${dirname(path)}': ${ioReason(error)}`);
  }
  try {
    const existing = existsSync(path) ? statSync(path) : null;
    if (existing?.isDirectory() === true) return refuse('it is a directory');
    // A FIFO or device would block the open, or every write, until a reader came.
    if (existing !== null && !existing.isFile()) {
      return refuse('it is not a regular file (unset CHRONOS_LOG_FILE to log to stderr only)');
    }
    closeSync(openSync(path, 'a'));
    return existing?.size ?? 0;
  } catch (error) {
    if (error instanceof ChronosError) throw error;
    return refuse(ioReason(error));
  }
}

/** `ENOENT: no such file or directory` without Node's trailing `, open '<path>'`. */
function ioReason(error: unknown): string {
  return errorMessage(error).replace(/, \w+( '.*')?$/, '');
}
