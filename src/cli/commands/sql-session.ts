import type { OutputFormat } from '../format/index.js';
import type { CliIo, SqlTarget } from '../sql-target.js';
import { runRepl } from '../repl.js';
import { runStatements } from '../run-statements.js';

/** Where a SQL session reads its statements from. */
export interface SessionInput {
  /** SQL from `-e`; null = stdin. */
  readonly execute: string | null;
  readonly stdin: NodeJS.ReadStream;
  readonly stdout: NodeJS.WriteStream;
}

/**
 * Runs a SQL session over `target` and closes it: `-e` text, else a REPL with `banner` when
 * stdin is a terminal, else every statement read from stdin (no banner, no prompt).
 */
export async function runSqlSession(
  target: SqlTarget, input: SessionInput, banner: readonly string[], format: OutputFormat,
  io: CliIo,
): Promise<number> {
  try {
    if (input.execute !== null) return await runStatements(target, input.execute, format, io);
    if (input.stdin.isTTY === true) {
      return await runRepl(target, {
        banner, format, input: input.stdin, output: input.stdout, stderr: io.stderr,
        // Line editing writes escape codes: only when the output is a terminal too.
        terminal: input.stdout.isTTY === true,
      });
    }
    return await runStatements(target, await readAll(input.stdin), format, io);
  } finally {
    await target.close();
  }
}

/** All of stdin as UTF-8 text. */
async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
