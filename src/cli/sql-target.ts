import type { StatementResult } from '../sql/index.js';

/** Where a SQL front end sends statements: a local engine or a server. */
export interface SqlTarget {
  /**
   * Runs one statement (without its `;`). Errors throw (ChronosError for user errors). An
   * aborted `signal` (Ctrl-C) ends the statement with CANCELLED where the target can stop it.
   */
  execute(sql: string, signal?: AbortSignal): Promise<StatementResult>;
  /** Releases the engine or connection. Idempotent. */
  close(): Promise<void>;
}

/** Where the CLI writes: process.stdout/stderr in production, buffers in tests. */
export interface CliIo {
  readonly stdout: TextSink;
  readonly stderr: TextSink;
}

/** Something that takes text (a stream or a test buffer). */
export interface TextSink {
  write(text: string): unknown;
}

/** The process's own streams. */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr };
}
