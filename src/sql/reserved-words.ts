/**
 * Keywords that can never be a bare column name or an alias without AS: they start or end a
 * clause, so reading them as names would swallow the clause (`SELECT a FROM t WHERE ...`).
 * A column with such a name is written quoted ("order").
 */
const RESERVED: ReadonlySet<string> = new Set([
  'ALL', 'AND', 'ANY', 'AS', 'ASC', 'BETWEEN', 'BY', 'CASE', 'CAST', 'CROSS', 'DESC', 'DISTINCT',
  'ELSE', 'END', 'EXCEPT', 'FETCH', 'FOR', 'FROM', 'FULL', 'GROUP', 'HAVING', 'ILIKE', 'IN',
  'INNER', 'INTERSECT', 'INTO', 'IS', 'JOIN', 'LEFT', 'LIKE', 'LIMIT', 'NATURAL', 'NOT',
  'NULLS', 'OFFSET', 'ON', 'OR', 'ORDER', 'OUTER', 'RETURNING', 'RIGHT', 'SELECT', 'SET',
  'THEN', 'UNION', 'USING', 'VALUES', 'WHEN', 'WHERE', 'WINDOW', 'WITH',
]);

/** True for a keyword that cannot be used unquoted as a name. */
export function isReserved(upperWord: string): boolean {
  return RESERVED.has(upperWord);
}
