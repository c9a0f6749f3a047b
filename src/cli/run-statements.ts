import type { OutputFormat } from './format/index.js';
import type { CliIo, SqlTarget } from './sql-target.js';
import { assertNever, errorMessage, oneLine } from '../lib/index.js';
import { formatResult } from './format/index.js';
import { splitStatements } from '../sql/index.js';
import { isExitCommand, metaCommand } from './meta-commands.js';
import type { MetaCommand } from './meta-commands.js';

/**
 * Runs every statement of `text` in order (`-e` and a non-terminal stdin), printing each
 * result in `format`, and reads it as the REPL would: `exit`, `quit` or `\q` alone on a line
 * between statements ends the run, `\d` lines run as their SQL, `help` prints the help.
 * Stops at the first error, printing `Error: ...` on stderr; statements before it stay done.
 * Returns the process exit code: 0, or 1 after an error.
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
  let pending: string[] = [];
  for (const line of text.split('\n')) {
    if (pending.length === 0) {
      if (isExitCommand(line)) return 0;
      const meta = metaCommand(line);
      if (meta !== null) {
        if (!(await runMetaCommand(target, meta, format, io))) return 1;
        continue;
      }
    }
    pending.push(line);
    // Only a line with `;` can end a statement; splitting only then keeps a long piped
    // statement linear in its length.
    if (!line.includes(';')) continue;
    const part = splitStatements(pending.join('\n'));
    for (const sql of part.statements) {
      if (!(await runOne(target, sql, format, io))) return 1;
    }
    pending = part.rest === '' ? [] : [part.rest];
  }
  const rest = splitStatements(pending.join('\n')).rest;
  if (rest !== '' && !(await runOne(target, rest, format, io))) return 1;
  return 0;
}

/** Runs or prints a meta-command (meta-commands.ts); true unless it failed. */
export async function runMetaCommand(
  target: SqlTarget, meta: MetaCommand, format: OutputFormat, io: CliIo,
): Promise<boolean> {
  switch (meta.kind) {
    case 'sql':
      return await runOne(target, meta.sql, format, io);
    case 'help':
      io.stdout.write(meta.text + '\n');
      return true;
    case 'error':
      io.stderr.write(`Error: ${meta.error}\n`);
      return false;
    default:
      return assertNever(meta);
  }
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
    io.stderr.write(`Error: ${oneLine(errorMessage(error)).trim()}\n`);
    return false;
  }
}


