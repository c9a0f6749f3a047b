import { appendFileSync, existsSync, mkdirSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import type { LogRecord, LogSink } from './logger.js';

/**
 * JSON-lines log file with size-based rotation: the active file is exactly `path`, older ones
 * `path.1` (newest) ... `path.N`. Writes are synchronous so a crash never loses a line that a
 * caller believed written; log volume at info level is small.
 */
export class FileLogSink implements LogSink {
  readonly #path: string;
  readonly #maxBytes: number;
  readonly #maxFiles: number;
  #size: number;

  constructor(options: { path: string; maxSizeMb: number; maxFiles: number }) {
    this.#path = options.path;
    this.#maxBytes = Math.max(1, options.maxSizeMb) * 1024 * 1024;
    this.#maxFiles = Math.max(1, Math.floor(options.maxFiles));
    mkdirSync(dirname(this.#path), { recursive: true });
    this.#size = existsSync(this.#path) ? statSync(this.#path).size : 0;
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
    if (this.#size > 0 && this.#size + bytes > this.#maxBytes) this.#rotate();
    appendFileSync(this.#path, line);
    this.#size += bytes;
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
