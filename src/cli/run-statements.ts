import type { OutputFormat } from './format/index.js';
import type { CliIo, SqlTarget } from './sql-target.js';
import { assertNever, errorMessage, oneLine } from '../lib/index.js';
import { formatResult } from './format/index.js';
import { positionAt, splitStatements } from '../sql/index.js';
import type { TextPosition } from '../sql/index.js';
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
  /** Where pending[0] starts in `text`: errors name positions in the text, not in the statement. */
  let pendingAt: TextPosition = { line: 1, column: 1 };
  let lineNumber = 0;
  for (const line of text.split('\n')) {
    lineNumber += 1;
    if (pending.length === 0) {
      pendingAt = { line: lineNumber, column: 1 };
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
    const joined = pending.join('\n');
    const part = splitStatements(joined);
    for (const [i, sql] of part.statements.entries()) {
      if (!(await runOne(target, sql, format, io, undefined, inText(pendingAt, part.starts[i])))) return 1;
    }
    if (part.rest === '') pending = [];
    else {
      // The raw text after the last `;` is kept, so positions in it stay true.
      pendingAt = inText(pendingAt, positionAt(joined, part.restOffset));
      pending = [joined.slice(part.restOffset)];
    }
  }
  // The last statement may lack its `;`: ending it here gives its start like the others'.
  const last = splitStatements(`${pending.join('\n')}\n;`);
  const sql = last.statements[0];
  if (sql !== undefined && !(await runOne(target, sql, format, io, undefined, inText(pendingAt, last.starts[0])))) return 1;
  return 0;
}

/** `inner`, a position in a piece of the text starting at `pieceAt`, as a position in the text. */
function inText(pieceAt: TextPosition, inner: TextPosition | undefined): TextPosition {
  if (inner === undefined) return pieceAt;
  return inner.line === 1 ? { line: pieceAt.line, column: pieceAt.column + inner.column - 1 }
    : { line: pieceAt.line + inner.line - 1, column: inner.column };
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

/**
 * Runs one statement and prints its result or its error; true when it succeeded. `at`, where
 * the statement starts in a script, turns the error's "line L, column C" (counted in the
 * statement) into the script's.
 */
export async function runOne(
  target: SqlTarget, sql: string, format: OutputFormat, io: CliIo, signal?: AbortSignal, at?: TextPosition,
): Promise<boolean> {
  try {
    const result = await target.execute(sql, signal);
    const lines = formatResult(result, format);
    if (lines.length > 0) io.stdout.write(lines.join('\n') + '\n');
    return true;
  } catch (error) {
    let message = oneLine(errorMessage(error)).trim();
    if (at !== undefined) {
      message = message.replace(/\bline (\d+), column (\d+)/g, (_, line: string, column: string) => {
        const position = inText(at, { line: Number(line), column: Number(column) });
        return `line ${position.line}, column ${position.column}`;
      });
    }
    io.stderr.write(`Error: ${message}\n`);
    return false;
  }
}


