import type { OutputFormat } from './format/index.js';
import type { CliIo, SqlTarget } from './sql-target.js';
import { errorMessage } from '../lib/index.js';
import { formatResult } from './format/index.js';
import { splitStatements } from '../sql/index.js';

/**
 * Runs every statement of `text` in order (`-e` and a non-terminal stdin), printing each
 * result in `format`. Stops at the first error, printing `Error: ...` on stderr; statements
 * before it stay done. Returns the process exit code: 0, or 1 after an error.
 */
export async function runStatements(
  target: SqlTarget, text: string, format: OutputFormat, io: CliIo,
): Promise<number> {
  const split = splitStatements(text);
  if (split.open !== null) {
    const what = split.open === 'comment' ? 'block comment' : `quoted ${split.open}`;
    io.stderr.write(`Error: unterminated ${what} starting on line ${split.openLine}\n`);
    return 1;
  }
  const statements = split.rest === '' ? split.statements : [...split.statements, split.rest];
  for (const sql of statements) {
    if (!(await runOne(target, sql, format, io))) return 1;
  }
  return 0;
}

/** Runs one statement and prints its result or its error; true when it succeeded. */
export async function runOne(
  target: SqlTarget, sql: string, format: OutputFormat, io: CliIo, signal?: AbortSignal,
): Promise<boolean> {
  try {
    const result = await target.execute(sql, signal);
    const lines = formatResult(result, format);
    if (lines.length > 0) io.stdout.write(lines.join('\n') + '\n');
    return true;
  } catch (error) {
    io.stderr.write(`Error: ${oneLine(errorMessage(error))}\n`);
    return false;
  }
}

/** Error text on one line: a multi-line message would break scripts that read stderr. */
function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
