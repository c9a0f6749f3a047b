import { createInterface } from 'node:readline';
import type { OutputFormat } from './format/index.js';
import type { SqlTarget, TextSink } from './sql-target.js';
import { isExitCommand, metaCommand } from './meta-commands.js';
import { runMetaCommand, runOne } from './run-statements.js';
import { splitStatements } from '../sql/index.js';

/** The prompt of the guide's session. */
export const PROMPT = 'chronos> ';
/** Shown while a statement continues over several lines (aligned under the prompt). */
export const CONTINUATION_PROMPT = '     -> ';

/** The banner of `chronos single-node`, as the guide prints it. */
export const SINGLE_NODE_BANNER: readonly string[] = [
  'Welcome to Chronos SQL Database',
  'Running in single-node mode',
  "Enter SQL statements or 'exit' to quit",
];

/** What the REPL reads from and writes to. */
export interface ReplOptions {
  /** Lines printed first, followed by one blank line. */
  readonly banner: readonly string[];
  readonly format: OutputFormat;
  readonly input: NodeJS.ReadableStream;
  readonly output: NodeJS.WritableStream;
  readonly stderr: TextSink;
  /** True on a TTY: line editing, history, Ctrl-C handling. */
  readonly terminal: boolean;
}

/**
 * The interactive SQL loop: prompt, read until `;`, run, print the result and a blank line.
 * Errors print `Error: ...` on stderr and the loop goes on; `exit`, `quit` or Ctrl-D end it,
 * Ctrl-C drops the statement being typed, or cancels the one running (on the server too).
 * `\d` and `\d TABLE` (meta-commands.ts) list and describe tables, `help` prints the REPL's
 * commands. Resolves with exit code 0
 * when the session ends.
 */
export async function runRepl(target: SqlTarget, options: ReplOptions): Promise<number> {
  const { output } = options;
  const rl = createInterface({
    input: options.input, output, terminal: options.terminal, prompt: PROMPT, historySize: 1000,
  });
  let buffer = '';
  let exited = false;
  /** The statement running now; Ctrl-C aborts it instead of clearing the line. */
  let running: AbortController | null = null;
  rl.on('SIGINT', () => {
    if (running !== null) {
      running.abort();
      output.write('^C\n');
      return;
    }
    buffer = '';
    output.write('^C\n');
    rl.write(null, { ctrl: true, name: 'e' });
    rl.write(null, { ctrl: true, name: 'u' });
    rl.setPrompt(PROMPT);
    rl.prompt();
  });
  for (const line of options.banner) output.write(line + '\n');
  if (options.banner.length > 0) output.write('\n');
  rl.prompt();
  for await (const line of rl) {
    if (buffer === '' && isExitCommand(line)) {
      exited = true;
      break;
    }
    // After a statement left without its `;`, `exit` may be its text (a column), so it is taken
    // as such, with a hint, as psql does; `\q` leaves, outside a quote or comment it opened.
    if (buffer !== '' && isExitCommand(line) && splitStatements(buffer).open === null) {
      if (line.trim().startsWith('\\')) {
        output.write('(the unfinished statement was not run)\n');
        exited = true;
        break;
      }
      output.write('(the statement above is not finished: end it with ; to run it, or leave with \\q or Ctrl-D)\n');
    }
    const meta = buffer === '' ? metaCommand(line) : null;
    if (meta !== null) {
      await runMetaCommand(target, meta, options.format, { stdout: output, stderr: options.stderr });
      output.write('\n');
      rl.prompt();
      continue;
    }
    buffer = buffer === '' ? line : `${buffer}\n${line}`;
    const split = splitStatements(buffer);
    for (const sql of split.statements) {
      running = new AbortController();
      const signal = running.signal;
      await runOne(target, sql, options.format, { stdout: output, stderr: options.stderr }, signal);
      running = null;
      output.write('\n');
      // The statements typed after a cancelled one on the same line are dropped with it.
      if (signal.aborted) break;
    }
    buffer = split.rest;
    rl.setPrompt(buffer === '' ? PROMPT : CONTINUATION_PROMPT);
    rl.prompt();
  }
  rl.close();
  // Ctrl-D leaves the cursor after the prompt; end the line so the shell prompt starts clean.
  if (!exited && options.terminal) output.write('\n');
  return 0;
}
