/**
 * A REPL backslash command as the SQL it stands for (psql's names): `\d` lists the tables
 * (SHOW TABLES), `\d name` describes one (DESCRIBE name). Null when `line` is not a backslash
 * command; `{ error }` for one the REPL does not know.
 */
export function metaCommandSql(line: string): { readonly sql: string } | { readonly error: string } | null {
  const text = line.trim().replace(/;+$/, '').trim();
  if (!text.startsWith('\\')) return null;
  const [command, ...rest] = text.split(/\s+/);
  if (command === '\\d' && rest.length === 0) return { sql: 'SHOW TABLES' };
  if (command === '\\d' && rest.length === 1) return { sql: `DESCRIBE ${rest[0] ?? ''}` };
  return { error: `unknown command ${text}: the REPL knows \\d (list tables), \\d TABLE (describe it) and \\q (quit)` };
}

/** Words that end the session when typed alone on a line (with or without `;`). */
const EXIT_WORDS = new Set(['exit', 'quit', '\\q']);

/** True when `line` is `exit`, `quit` or `\q`: the REPL ends, and so does a piped script. */
export function isExitCommand(line: string): boolean {
  return EXIT_WORDS.has(line.trim().replace(/;$/, '').trim().toLowerCase());
}
