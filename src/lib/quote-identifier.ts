/** `name` as a SQL identifier: double-quoted, `"` doubled, so any table or column name reads back. */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
