/** A line the REPL (and a piped script) handles itself instead of sending it as SQL. */
export type MetaCommand =
  /** A backslash command that stands for a statement (psql's names). */
  | { readonly kind: 'sql'; readonly sql: string }
  /** `help`, `\?` or `\h`: the text to print. */
  | { readonly kind: 'help'; readonly text: string }
  /** A backslash command the REPL does not know. */
  | { readonly kind: 'error'; readonly error: string };

/** What `help` prints: the REPL's own commands, since SQL is in docs/sql-reference.md. */
export const REPL_HELP: readonly string[] = [
  "Enter SQL statements ending with ';' (a statement may span lines; several may share one).",
  '  \\d              list the tables (SHOW TABLES)',
  '  \\d TABLE        describe a table (DESCRIBE TABLE)',
  '  help, \\?, \\h    this help',
  '  exit, quit, \\q  leave (or Ctrl-D)',
  'Ctrl-C drops the statement being typed, or cancels the one running.',
  'The SQL dialect: docs/sql-reference.md.',
];

/**
 * Words that print the help when typed alone on a line. `help` is psql's word; `\?` and `\h`
 * are its backslash forms (psql's `\h` is SQL syntax help; ours points to the reference).
 * No statement starts with HELP, so this never takes a line meant as SQL.
 */
const HELP_WORDS = new Set(['help', '\\?', '\\h', '\\help']);

/** `text` without the semicolons it ends with (a loop: `/;+$/` is quadratic over a long run of them). */
function withoutTrailingSemicolons(text: string): string {
  let end = text.length;
  while (end > 0 && text[end - 1] === ';') end -= 1;
  return text.slice(0, end);
}

/**
 * A line as a meta-command: `\d` lists the tables (SHOW TABLES), `\d name` describes one
 * (DESCRIBE name), `help`/`\?`/`\h` print REPL_HELP. Null when `line` is SQL.
 */
export function metaCommand(line: string): MetaCommand | null {
  const text = withoutTrailingSemicolons(line.trim()).trim();
  if (HELP_WORDS.has(text.toLowerCase())) return { kind: 'help', text: REPL_HELP.join('\n') };
  if (!text.startsWith('\\')) return null;
  const [command, ...rest] = text.split(/\s+/);
  if (command === '\\d' && rest.length === 0) return { kind: 'sql', sql: 'SHOW TABLES' };
  if (command === '\\d' && rest.length === 1) return { kind: 'sql', sql: `DESCRIBE ${rest[0] ?? ''}` };
  return {
    kind: 'error',
    error: `unknown command ${text}: the REPL knows \\d (list tables), \\d TABLE (describe it), ` +
      '\\? (help) and \\q (quit)',
  };
}

/** Words that end the session when typed alone on a line (with or without `;`). */
const EXIT_WORDS = new Set(['exit', 'quit', '\\q']);

/** True when `line` is `exit`, `quit` or `\q`: the REPL ends, and so does a piped script. */
export function isExitCommand(line: string): boolean {
  return EXIT_WORDS.has(line.trim().replace(/;$/, '').trim().toLowerCase());
}
