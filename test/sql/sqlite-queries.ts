import type { Random } from '../../src/lib/index.js';

// Random SQL that PostgreSQL's and sqlite3's grammars read the same way, so sqlite3's answer
// is the expected one. Chains are deliberately left unparenthesized: precedence and
// associativity are what is under test. Avoided on purpose, because the two engines differ:
// `||` next to arithmetic (sqlite binds || tighter than *), comparison chains (`a < b < c`),
// division by anything but a non-zero literal (sqlite answers NULL, we refuse), `%` on FLOAT.

/** An INT-valued term: a column, a small literal, or a unary minus of either. */
function intTerm(rng: Random): string {
  return rng.pick([
    () => rng.pick(['g', 'id', 'g', 'id % 7']),
    () => String(rng.between(-9, 9)),
    () => `-${rng.pick(['g', 'id', String(rng.between(1, 9))])}`,
    () => `- ${rng.pick(['g', 'id'])}`,
    () => `-(g + ${rng.between(-3, 3)})`,
  ])();
}

function nonZeroLiteral(rng: Random): string {
  const n = rng.between(1, 7);
  return rng.chance(0.25) ? `-${n}` : String(n);
}

/** An unparenthesized INT chain of + - * / %, left to right. */
export function intChain(rng: Random, terms = rng.between(1, 5)): string {
  let text = intTerm(rng);
  for (let i = 1; i < terms; i++) {
    const op = rng.pick(['+', '-', '*', '/', '%', '+', '-', '*']);
    text += op === '/' || op === '%' ? ` ${op} ${nonZeroLiteral(rng)}` : ` ${op} ${intTerm(rng)}`;
  }
  return text;
}

/** A FLOAT chain: INT terms mixed with v, only + - * and / by a non-zero literal. */
function floatChain(rng: Random): string {
  // No `%` anywhere in the chain: sqlite would apply it to a FLOAT left side as to an INT.
  const term = (): string => rng.pick(['v', '-v', 'g', '- id', '-(g + 1)', String(rng.between(-9, 9))]);
  let text = term();
  for (let i = 1; i < rng.between(2, 4); i++) {
    const op = rng.pick(['+', '-', '*', '/']);
    const operand = op === '/' ? `${nonZeroLiteral(rng)}.0` : term();
    text += ` ${op} ${operand}`;
  }
  return text;
}

function stringTerm(rng: Random): string {
  const parts = Array.from({ length: rng.between(1, 3) }, () =>
    rng.pick(['s', `'${rng.pick(['a', 'b', ''])}'`]),
  );
  return parts.join(' || ');
}

function comparisonAtom(rng: Random): string {
  const op = rng.pick(['=', '!=', '<>', '<', '<=', '>', '>=']);
  return rng.pick([
    () => `${intChain(rng)} ${op} ${intChain(rng)}`,
    () => `${floatChain(rng)} ${op} ${rng.between(-20, 20)}.5`,
    () => `${stringTerm(rng)} ${op} '${rng.pick(['a', 'b', 'ab', 'B', 'aa', ''])}'`,
  ])();
}

function predicateAtom(rng: Random): string {
  const not = (): string => (rng.chance(0.3) ? 'NOT ' : '');
  return rng.pick([
    () => comparisonAtom(rng),
    () => comparisonAtom(rng),
    () => `${rng.pick(['g', 'v', 's', intChain(rng, 2), stringTerm(rng)])} IS ${not()}NULL`,
    () => `${intChain(rng, rng.between(1, 3))} ${not()}BETWEEN ${intChain(rng, 2)} AND ${intChain(rng, 2)}`,
    () => {
      const list = Array.from({ length: rng.between(1, 4) }, () => intChain(rng, rng.between(1, 2)));
      if (rng.chance(0.3)) list.push('NULL');
      return `${intChain(rng, rng.between(1, 3))} ${not()}IN (${list.join(', ')})`;
    },
    () => `${stringTerm(rng)} ${not()}LIKE '${rng.pick(['a%', '%b', '_', '%', 'a_', '%a%'])}'`,
  ])();
}

/** An unparenthesized AND/OR/NOT chain; now and then a parenthesized sub-chain as an atom. */
export function predicateChain(rng: Random, depth = 2): string {
  const atoms = rng.between(1, 5);
  let text = '';
  for (let i = 0; i < atoms; i++) {
    if (i > 0) text += rng.chance(0.5) ? ' AND ' : ' OR ';
    if (rng.chance(0.25)) text += 'NOT ';
    text += depth > 0 && rng.chance(0.15)
      ? `(${predicateChain(rng, depth - 1)})`
      : predicateAtom(rng);
  }
  return text;
}

/** One SELECT over t(id, g, v, s) and u(g, w). */
export function randomQuery(rng: Random): string {
  const where = rng.chance(0.9) ? ` WHERE ${predicateChain(rng)}` : '';
  return rng.pick([
    () => `SELECT id, g, v, s FROM t${where}`,
    () => `SELECT id, g, v, s FROM t${where}`,
    () => `SELECT id, ${intChain(rng)}, ${floatChain(rng)}, ${stringTerm(rng)} FROM t${where}`,
    () => `SELECT g, count(*), sum(v), min(s), max(id), avg(g), count(s) FROM t${where} GROUP BY g`,
    () => `SELECT s, count(*), sum(g), max(v) FROM t${where} GROUP BY s HAVING ${predicateChain(rng, 0).replace(/\bg\b/g, 'sum(g)').replace(/\bv\b/g, 'max(v)').replace(/\bid\b/g, 'count(*)')}`,
    () => `SELECT DISTINCT s FROM t${where}`,
    () => `SELECT count(*), sum(id), min(v), max(s) FROM t${where}`,
    () => `SELECT t.id, u.w FROM t JOIN u USING (g)${where.replace(/\b(g|v|s|id)\b/g, 't.$1')}`,
    () => `SELECT id, g, v, s FROM t${where} ORDER BY ${orderKeys(rng)}, id`,
  ])();
}

/** ORDER BY keys over nullable columns; NULLS is spelled out half the time. */
function orderKeys(rng: Random): string {
  const keys = Array.from({ length: rng.between(1, 2) }, () => {
    const direction = rng.pick(['', ' ASC', ' DESC']);
    // sqlite's default puts NULLs first ascending; PostgreSQL's (ours) last: spell it out.
    const nulls = rng.pick([' NULLS FIRST', ' NULLS LAST']);
    return `${rng.pick(['g', 'v', 's', 'g % 3', '-v'])}${direction}${nulls}`;
  });
  return keys.join(', ');
}
