import type { Random } from '../../src/lib/index.js';

// What the comparisons with sqlite3 and PostgreSQL share: the tables the random queries read,
// and how two engines' answers are put side by side.

/**
 * A number to 12 digits where the engines may round differently: fractions, and magnitudes past
 * 2^53 (sqlite keeps an INT where PostgreSQL's and our FLOAT result has the nearest double).
 */
export function canonicalNumber(v: number): number {
  return Number.isInteger(v) && Math.abs(v) <= 2 ** 53 ? v : Number(v.toPrecision(12));
}

/** Each row as JSON with its numbers made canonical; sorted unless the order is compared too. */
export function canonical(rows: readonly (readonly unknown[])[], ordered = false): string[] {
  const texts = rows
    .map((r) => JSON.stringify(r.map((v) => (typeof v === 'number' || typeof v === 'bigint' ? canonicalNumber(Number(v)) : v))));
  return ordered ? texts : texts.sort();
}

/** The CREATE TABLE and INSERT statements of t, u and b, from `rng`. */
export function tableData(rng: Random): string[] {
  const rows: string[] = [];
  for (let id = 1; id <= 150; id++) {
    const g = rng.chance(0.15) ? 'NULL' : String(rng.between(-5, 5));
    const v = rng.chance(0.15) ? 'NULL' : `${rng.between(-20, 20)}.${rng.pick(['0', '25', '5', '75'])}`;
    const s = rng.chance(0.15) ? 'NULL' : `'${rng.pick(['a', 'b', 'ab', 'B', '', 'ba'])}'`;
    rows.push(`(${id}, ${g}, ${v}, ${s})`);
  }
  const uRows = Array.from({ length: 12 }, (_, i) => `(${i - 6}, ${i * 10})`);
  return [
    'CREATE TABLE t (id INT PRIMARY KEY, g INT, v FLOAT, s STRING)',
    `INSERT INTO t VALUES ${rows.join(', ')}`,
    'CREATE TABLE u (g INT, w INT)',
    `INSERT INTO u VALUES ${uRows.join(', ')}`,
    ...BIG_ROWS,
  ];
}

/**
 * b(id, n INT, f FLOAT): INTs past 2^53 (bigints here) beside FLOATs, the same numbers in both
 * columns. They are multiples of 4 below 2^55, so every double involved and every sum in id
 * order is exact; only where INT meets FLOAT does it matter that an INT becomes a double.
 */
const BIG_ROWS = [
  'CREATE TABLE b (id INT PRIMARY KEY, n INT, f FLOAT)',
  'INSERT INTO b VALUES (1, 9007199254740992, 9007199254740992.0), (2, 9007199254740996, 0.5), '
    + '(3, -9007199254740992, NULL), (4, NULL, 9007199254740996.0), (5, 8, 8.0), (6, 9007199254740992, -0.5)',
];

/** `sql` with every parenthesized part removed: what the outermost query says itself. */
export function outsideParentheses(sql: string): string {
  let depth = 0;
  let out = '';
  for (const ch of sql) {
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (depth === 0) out += ch;
  }
  return out;
}
