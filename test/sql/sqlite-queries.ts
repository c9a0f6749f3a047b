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
export function floatChain(rng: Random): string {
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

/**
 * `s`, a literal, or a concatenation of them; now and then an INT part (`'a' || id`, `g || s`):
 * PostgreSQL wants a STRING beside the first `||`, later ones join onto the STRING so far.
 */
export function stringTerm(rng: Random): string {
  const text = (): string => rng.pick(['s', `'${rng.pick(['a', 'b', ''])}'`]);
  const parts = Array.from({ length: rng.between(1, 3) }, text);
  if (parts.length > 1 && rng.chance(0.3)) {
    const at = rng.between(0, parts.length - 1);
    parts[at] = rng.pick(['g', 'id', '(g - 2)', '(id % 4)']);
  }
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
    () => `${stringTerm(rng)} ${not()}LIKE '${likePattern(rng)}'`,
    // sqlite3 runs with case_sensitive_like: ILIKE is spelled there with lower() on both sides.
    () => `(${rng.pick(['s', "s || 'A'", "'B' || s"])}) ${not()}ILIKE '${likePattern(rng)}'`,
    () => `${stringTerm(rng)} ${not()}LIKE '${likePattern(rng, '!')}' ESCAPE '!'`,
    // sqlite3 has no IS UNKNOWN, and reads IS TRUE of a number as "not zero": a comparison only.
    () => `(${comparisonAtom(rng)}) IS ${not()}${rng.pick(['TRUE', 'FALSE'])}`,
    () => distinctAtom(rng, not()),
  ])();
}

/** `a IS [NOT] DISTINCT FROM b` over nullable columns, NULL and arithmetic on either side. */
function distinctAtom(rng: Random, not: string): string {
  const [left, right] = rng.pick([
    () => [intChain(rng, rng.between(1, 2)), rng.pick([intChain(rng, 2), 'NULL', 'g', 'id % 7'])],
    () => ['s', rng.pick(["'a'", "''", 'NULL', 's', "'B'"])],
    () => [rng.pick(['v', '-v']), rng.pick(['2.5', 'NULL', 'g', '-v', 'v'])],
    () => ['NULL', rng.pick(['g', 'v', 's', 'NULL'])],
  ])();
  return `${left} IS ${not}DISTINCT FROM ${right}`;
}

/**
 * Runs of `%` and `_` among literals, so pieces must be placed with room left for later ones;
 * with an escape character, escaped `%`, `_` and the escape itself too (never last).
 */
function likePattern(rng: Random, escape = ''): string {
  const length = rng.between(0, 6);
  const escaped = escape === '' ? [] : [`${escape}%`, `${escape}_`, `${escape}${escape}`, `${escape}a`];
  return Array.from({ length }, () => rng.pick(['a', 'b', 'B', '%', '%', '_', ...escaped])).join('');
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

/** CASE in both forms over the nullable columns. */
function caseExpr(rng: Random): string {
  const otherwise = rng.chance(0.7) ? ` ELSE ${intChain(rng, 2)}` : '';
  if (rng.chance(0.5)) {
    const arms = Array.from({ length: rng.between(1, 3) }, () => ` WHEN ${predicateAtom(rng)} THEN ${intChain(rng, 2)}`);
    return `CASE${arms.join('')}${otherwise} END`;
  }
  const arms = Array.from({ length: rng.between(1, 3) }, () => ` WHEN ${rng.between(-3, 3)} THEN ${intChain(rng, 2)}`);
  return `CASE ${rng.pick(['g', 'g % 3', 'id % 4'])}${arms.join('')}${otherwise} END`;
}

/** Scalar functions and casts whose answers PostgreSQL and sqlite3 share on our data. */
function functionItem(rng: Random): string {
  const at = `${rng.between(1, 3)}`;
  const ts = `${rng.pick(['id', 'g', 'id * g'])} * ${rng.pick(['86399', '3607', '1000003'])} + 1700000000`;
  return rng.pick([
    () => caseExpr(rng),
    () => `CASE WHEN ${predicateAtom(rng)} THEN s ELSE ${stringTerm(rng)} END`,
    () => `coalesce(${rng.pick(['g', 'g * 2'])}, ${intChain(rng, 2)})`,
    () => `coalesce(s, '${rng.pick(['', 'z'])}') || 'x'`,
    () => `nullif(${rng.pick(['g', 'g % 3'])}, ${rng.between(-2, 2)})`,
    () => `nullif(s, '${rng.pick(['a', 'b', ''])}')`,
    () => `abs(${intChain(rng, 2)})`,
    () => `${rng.pick(['round', 'floor', 'ceil', 'abs'])}(${rng.pick(['v', '-v', 'v * 3'])})`,
    () => `round(v, ${rng.between(0, 2)})`,
    () => mathItem(rng),
    () => `substr(s, ${at}${rng.chance(0.5) ? `, ${rng.between(0, 3)}` : ''})`,
    () => `replace(s, '${rng.pick(['a', 'b', 'ab'])}', '${rng.pick(['', 'x', 'yy'])}')`,
    () => `${rng.pick(['trim', 'ltrim', 'rtrim'])}(s${rng.chance(0.5) ? `, '${rng.pick(['a', 'b', 'ab'])}'` : ''})`,
    () => `${rng.pick(['length', 'lower', 'upper'])}(${stringTerm(rng)})`,
    () => `strpos(${stringTerm(rng)}, '${rng.pick(['a', 'b', 'ab', ''])}')`,
    // sqlite's own names (instr, ifnull, iif) and PostgreSQL's char_length.
    () => `instr(${stringTerm(rng)}, '${rng.pick(['a', 'b', 'ab', ''])}')`,
    () => `ifnull(${rng.pick(['g, g', 'g, id', 'v, g', 's, s', "s, 'none'", 'v, v'])})`,
    () => `iif(${predicateAtom(rng)}, ${rng.pick(['g', 'id % 3', 'NULL'])}, ${rng.pick(['g + 1', '-id'])})`,
    () => `${rng.pick(['char_length', 'character_length'])}(${stringTerm(rng)})`,
    () => `position('${rng.pick(['a', 'b', 'ba', ''])}' IN ${rng.pick(['s', "s || 'a'"])})`,
    () => `CAST(${rng.pick(['g', 'id', 'g * id'])} AS TEXT) || s`,
    () => `${rng.pick(['g', 'id'])}::text`,
    () => `CAST(${rng.pick(['g', 'id'])} AS FLOAT) / 4`,
    () => `CAST(length(s) AS TEXT)`,
    () => floatAsText(rng),
    () => `datetime(${ts}, 'unixepoch')`,
    () => `date(${ts}, 'unixepoch')`,
    () => `strftime('${rng.pick(['%Y-%m-%d %H:%M:%S', '%H:%M', '%j/%w', '%s', '%d.%m.%Y'])}', ${ts}, 'unixepoch')`,
    () => `unixepoch(datetime(${ts}, 'unixepoch'))`,
    () => dateCall(rng),
  ])();
}

/** Math functions inside their domains: sqlite3 answers NULL where PostgreSQL and we refuse (it has no cbrt). */
function mathItem(rng: Random): string {
  return rng.pick([
    () => `${rng.pick(['sqrt', 'ln', 'log', 'log10'])}(abs(${rng.pick(['v', 'g', 'id'])}) + ${rng.pick(['1', '0.5'])})`,
    () => `${rng.pick(['degrees', 'radians', 'sign', 'trunc'])}(${rng.pick(['v', '-v', 'g', intChain(rng, 2)])}${rng.pick(['', ' / 4.0'])})`,
    () => `exp(${rng.pick(['v', '-v', 'g', 'id % 9'])})`,
    () => `power(${rng.pick(['v', 'g', '-v', 'id % 5'])}, ${rng.between(0, 3)})`,
    () => `power(abs(v) + 1, ${rng.pick(['0.5', '-1', '1.5'])})`,
    () => `log(${rng.pick(['2', '3', '10'])}, abs(${rng.pick(['v', 'g'])}) + 1)`,
    () => `mod(${intChain(rng, 2)}, ${nonZeroLiteral(rng)}) + pi() * 0`,
    () => `${rng.pick(['sin', 'cos', 'tan', 'atan', 'sinh', 'tanh', 'asinh'])}(${rng.pick(['v', '-v', 'g', 'id % 9'])}${rng.pick(['', ' / 4.0'])})`,
    () => `${rng.pick(['asin', 'acos', 'atanh'])}(${rng.pick(['v', 'g'])} / ${rng.pick(['100.0', '25.0'])})`,
    () => `${rng.pick(['acosh', 'cosh'])}(abs(${rng.pick(['v', 'g'])}) / 4.0 + 1)`,
    // Not -v: sqlite3 makes -0.0 of 0.0 a 0, whose atan2 with a negative x is pi, not -pi.
    () => `atan2(${rng.pick(['v', 'g', 'v - 1'])}, ${rng.pick(['g', 'id % 7', '-1.5', '0'])})`,
  ])();
}

/**
 * A FLOAT written as text, plain or with an exponent (1e+17, 2.5e-05). v + 0.125 is m / 8 for an
 * odd m, so each value has a fraction and its digits (m * 125) are few and never one alone:
 * sqlite3's 15 digits are then the shortest ones, and it adds no '.0' (as in '3.0', '1.0e+17')
 * where PostgreSQL and we write none.
 */
function floatAsText(rng: Random): string {
  const scale = rng.pick(['', ' * 1e17', ' / 100000', ' / 1000']);
  return `CAST(${scale === '' ? 'v + 0.125' : `(v + 0.125)${scale}`} AS TEXT)`;
}

/** A date function of a date text. */
function dateCall(rng: Random): string {
  return rng.chance(0.75) ? `${rng.pick(['date', 'datetime', 'time', 'unixepoch'])}('${dateText(rng)}')`
    : `strftime('${rng.pick(['%j %Y-%m-%d %H:%M', '%H:%M:%f', '%S %s %w'])}', '${dateText(rng)}')`;
}

/**
 * A date call with sqlite's modifiers, one to three: amounts (whole or fractional, signed or
 * not, singular or plural, any case), 'start of ...' and 'weekday N', after unix seconds (a
 * literal or a column's) or a date text. Years stay 1969-2024 and amounts small: sqlite shows
 * a year before 0000 as -0001 where ChronosDB answers NULL. Days stop at 28: sqlite takes
 * '2023-11-31' as December 1st once a modifier applies, where ChronosDB answers NULL.
 */
function modifiedDateCall(rng: Random): string {
  const amount = (): string => `'${rng.pick(['+', '-', ''])}${rng.chance(0.6) ? rng.between(0, 40) : `${rng.between(0, 3)}.${rng.between(0, 99)}`} ${rng.pick(['day', 'days', 'hour', 'hours', 'minute', 'minutes', 'second', 'seconds', 'month', 'months', 'year', 'years', 'Days', 'MONTHS'])}'`;
  const modifier = (): string => rng.pick([
    amount, amount,
    () => `'start of ${rng.pick(['day', 'month', 'year'])}'`,
    () => `'weekday ${rng.between(0, 6)}'`,
  ])();
  const modifiers = Array.from({ length: rng.between(1, 3) }, modifier).join(', ');
  const two = (n: number): string => String(n).padStart(2, '0');
  const time = rng.pick([
    () => `${rng.between(0, 1_800_000_000)}${rng.chance(0.3) ? `.${rng.between(0, 999)}` : ''}, 'unixepoch'`,
    () => `id * 2592000 + ${rng.between(0, 1_700_000_000)}, 'unixepoch'`,
    // A text that is a number is that number (spaces around it too).
    () => `'${rng.pick(['', ' '])}${rng.between(0, 1_800_000_000)}${rng.pick(['', '.5', ' '])}', 'unixepoch'`,
    () => `'${rng.pick(['1969', '2023', '2024'])}-${two(rng.between(1, 12))}-${two(rng.between(1, 28))}${rng.chance(0.5) ? ` ${two(rng.between(0, 23))}:${two(rng.between(0, 59))}:${two(rng.between(0, 59))}` : ''}'`,
  ])();
  const name = rng.pick(['date', 'datetime', 'time', 'unixepoch', 'strftime']);
  return name === 'strftime' ? `strftime('%Y-%m-%d %H:%M:%f %w %j', ${time}, ${modifiers})` : `${name}(${time}, ${modifiers})`;
}

/** date_trunc over unix seconds from 1970 on (a literal, fractional or not, or from id). */
function truncCall(rng: Random): string {
  const unit = rng.pick(['second', 'minute', 'hour', 'day', 'week', 'month', 'year', 'hours', 'DAY', 'Months']);
  const time = rng.pick([
    () => String(rng.between(0, 2_000_000_000)),
    () => `${rng.between(0, 2_000_000_000)}.${rng.between(0, 999)}`,
    () => `id * ${rng.pick([1, 86_400, 604_800, 2_592_000])} + ${rng.between(0, 1_900_000_000)}`,
  ])();
  return `date_trunc('${unit}', ${time})`;
}

/** date_part / EXTRACT over whole unix seconds from 1970 on (sqlite3 spells them with strftime: forSqlite). */
function partCall(rng: Random): string {
  const field = rng.pick(Object.keys(SQLITE_PART));
  const time = rng.pick([
    () => String(rng.between(0, 2_000_000_000)),
    () => `id * ${rng.pick([1, 3_607, 86_399, 604_801, 2_592_000])} + ${rng.between(0, 1_900_000_000)}`,
  ])();
  return rng.chance(0.5) ? `date_part('${field}', ${time})` : `extract(${rng.chance(0.3) ? field.toUpperCase() : field} FROM ${time})`;
}

/**
 * A date text whose fields may lie out of range (month 0 or 13, day 0 or 32, hour 25, minute or
 * second 60), in years 0000-0099 (which Date.UTC would read as 1900-1999) or later, with a ' '
 * or 'T' (or several) before the time, a fraction of a second, and maybe a zone ('Z', '+HH:MM'
 * up to +15:60, a space before it); or a time alone.
 * Days stop at 28: sqlite3 echoes '2023-02-30' where ChronosDB answers NULL. Year 0000 gets no zone: sqlite3 shifts it into year -0001,
 * before the range where ChronosDB answers NULL.
 */
function dateText(rng: Random): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  const year = rng.pick(['0000', '0050', '0099', '1969', '2023', '2024']);
  const month = rng.chance(0.2) ? rng.pick([0, 13]) : rng.between(1, 12);
  const day = rng.chance(0.2) ? rng.pick([0, 32]) : rng.between(1, 28);
  // No space may come before the date (sqlite3: NULL), any number after it.
  const date = `${rng.chance(0.05) ? ' ' : ''}${year}-${two(month)}-${two(day)}`;
  if (rng.chance(0.4)) return `${date}${rng.chance(0.1) ? ' ' : ''}`;
  const field = (max: number, over: number): string => two(rng.chance(0.1) ? over : rng.between(0, max));
  // Fractions near a whole second: sqlite3 shows the text's second, its instant rounds up.
  const fraction = rng.chance(0.5) ? '' : `.${rng.pick(['5', '9996', '999999', '0001', '9999999', '123', String(rng.between(0, 999))])}`;
  const time = `${field(24, 25)}:${field(59, 60)}${rng.chance(0.2) ? '' : `:${field(59, 60)}${fraction}`}`;
  const zone = year === '0000' || rng.chance(0.5) ? '' : rng.pick([
    'Z', 'z', ' Z', `${rng.pick(['+', '-', ' +'])}${two(rng.between(0, 15))}:${two(rng.pick([0, 30, 59, 60]))}`,
  ]);
  // A time alone is a time of 2000-01-01; between a date and its time, spaces and Ts in any mix.
  if (rng.chance(0.15)) return `${time}${zone}`;
  return `${date}${rng.pick([' ', 'T', '  ', 'T ', ' T'])}${time}${zone}`;
}

/** An uncorrelated subquery predicate: IN / NOT IN (NULLs included), EXISTS, scalar. */
function subqueryAtom(rng: Random): string {
  const inner = `SELECT ${rng.pick(['g', 'g + 1', 'id % 5'])} FROM t WHERE ${predicateChain(rng, 0)}`;
  return rng.pick([
    () => `${intChain(rng, 2)} ${rng.chance(0.5) ? 'NOT ' : ''}IN (${inner})`,
    () => `g ${rng.chance(0.5) ? 'NOT ' : ''}IN (SELECT g FROM u WHERE w ${rng.pick(['<', '>'])} ${rng.between(0, 110)})`,
    () => `${rng.chance(0.5) ? 'NOT ' : ''}EXISTS (SELECT 1 FROM u WHERE w > ${rng.between(50, 120)})`,
    () => `g ${rng.pick(['<', '=', '>='])} (SELECT ${rng.pick(['max', 'min', 'count'])}(g) FROM t WHERE ${predicateChain(rng, 0)})`,
    () => `v > (SELECT avg(v) FROM t WHERE id < ${rng.between(1, 160)})`,
  ])();
}

/** A correlated subquery of t's row (aliased o half the time): EXISTS, IN, scalar, nested, unqualified. */
function correlatedAtom(rng: Random, o: string): string {
  const not = (): string => (rng.chance(0.5) ? 'NOT ' : '');
  const cmp = (): string => rng.pick(['<', '=', '>=', '!=']);
  return rng.pick([
    () => `${not()}EXISTS (SELECT 1 FROM u WHERE u.g = ${o}.g AND w ${cmp()} ${rng.between(0, 110)})`,
    () => `${not()}EXISTS (SELECT 1 FROM u WHERE w = ${o}.id * 10 OR u.g ${cmp()} ${o}.g - ${rng.between(0, 3)})`,
    () => `${not()}EXISTS (SELECT 1 FROM u WHERE w = id * ${rng.pick([5, 10])})`,
    () => `${o}.g ${not()}IN (SELECT u.g FROM u WHERE u.w ${cmp()} ${o}.id * ${rng.between(1, 10)})`,
    () => `${intChain(rng, 2)} ${not()}IN (SELECT w / 10 FROM u WHERE u.g ${cmp()} ${o}.g)`,
    () => `${o}.v ${cmp()} (SELECT avg(w) / 10 FROM u WHERE u.g = ${o}.g)`,
    () => `${o}.id ${cmp()} (SELECT count(*) FROM u WHERE u.g ${cmp()} ${o}.g)`,
    () => `${o}.g ${cmp()} (SELECT max(g) FROM t t2 WHERE t2.s = ${o}.s AND t2.id < ${o}.id)`,
    () => `EXISTS (SELECT 1 FROM u WHERE u.g = ${o}.g AND w > (SELECT min(w) FROM u u2 WHERE u2.g = ${o}.g))`,
  ])();
}

/** Queries whose subqueries name the outer row, in WHERE, the select list and HAVING. */
function correlatedQuery(rng: Random): string {
  const o = rng.chance(0.5) ? 'o' : 't';
  const from = o === 'o' ? 't AS o' : 't';
  return rng.pick([
    () => `SELECT ${o}.id, ${o}.g FROM ${from} WHERE ${correlatedAtom(rng, o)} ${rng.pick(['AND', 'OR'])} ${predicateChain(rng, 0).replace(/\b(g|v|s|id)\b/g, `${o}.$1`)}`,
    () => `SELECT ${o}.id FROM ${from} WHERE ${correlatedAtom(rng, o)}`,
    () => `SELECT ${o}.id, (SELECT ${rng.pick(['max(w)', 'count(*)', 'sum(w)', 'min(u.g)'])} FROM u WHERE u.g ${rng.pick(['=', '<'])} ${o}.g) FROM ${from}`,
    () => `SELECT ${o}.id, (SELECT count(*) FROM t t2 WHERE t2.g = ${o}.g AND t2.id != ${o}.id) FROM ${from} WHERE ${o}.id < ${rng.between(5, 160)}`,
    () => `SELECT ${o}.g, count(*) FROM ${from} GROUP BY ${o}.g HAVING count(*) ${rng.pick(['>', '<='])} (SELECT count(*) FROM u WHERE u.g = ${o}.g) - ${rng.between(0, 3)}`,
  ])();
}

/**
 * A subquery in JOIN ... ON naming the tables joined, of any join kind, beside correlated ones
 * in WHERE and the select list: the outer values it is answered for cannot come from the FROM
 * (the ON is part of it), so a join's missing side must still be among them (its NULLs).
 */
function correlatedOnQuery(rng: Random): string {
  const kind = rng.pick(['JOIN', 'LEFT JOIN', 'RIGHT JOIN', 'FULL JOIN', 'INNER JOIN']);
  const cmp = (): string => rng.pick(['<', '=', '>=', '!=']);
  const on = rng.pick([
    () => `u.w ${cmp()} (SELECT count(*) FROM t t2 WHERE t2.g = t.g) * ${rng.between(5, 30)}`,
    () => `u.g = (SELECT ${rng.pick(['max', 'min'])}(g) FROM t t2 WHERE t2.s = t.s AND t2.id ${cmp()} t.id)`,
    () => `${rng.chance(0.5) ? 'NOT ' : ''}EXISTS (SELECT 1 FROM u u2 WHERE u2.w = t.id * 10 AND u2.g ${cmp()} u.g)`,
    () => `t.g = u.g AND t.id ${rng.chance(0.5) ? 'NOT ' : ''}IN (SELECT id FROM t t2 WHERE t2.g ${cmp()} u.g - ${rng.between(0, 2)})`,
    () => `(SELECT u.w) ${cmp()} t.id * ${rng.between(1, 12)}`,
  ])();
  const where = rng.pick(['', ` WHERE u.w IS NULL OR (SELECT count(*) FROM t t3 WHERE t3.g = u.g) > ${rng.between(0, 3)}`,
    ` WHERE t.id ${cmp()} (SELECT max(w) / 10 FROM u u3 WHERE u3.g ${cmp()} t.g)`]);
  return rng.pick([
    () => `SELECT t.id, u.w, u.g FROM t ${kind} u ON ${on}${where}`,
    () => `SELECT t.id, (SELECT count(*) FROM u u4 WHERE u4.w < u.w) FROM t ${kind} u ON ${on}${where}`,
    () => `SELECT u.g, count(t.id), max(u.w) FROM t ${kind} u ON ${on}${where} GROUP BY u.g`,
  ])();
}

/**
 * An aggregate query whose only other part is a subquery that may be empty or constant: the
 * query stays an aggregate (one row) whatever the subquery answers.
 */
function aggregateBesideSubquery(rng: Random, where: string): string {
  const w = (): number => rng.between(0, 13) * 10;
  return rng.pick([
    () => `SELECT count(*) + (SELECT ${rng.pick(['max', 'min', 'sum'])}(w) FROM u WHERE w > ${w()}) FROM t${where}`,
    () => `SELECT CASE WHEN (SELECT w > 50 FROM u WHERE w = ${w()}) THEN count(*) ELSE -1 END FROM t${where}`,
    () => `SELECT count(*) FROM t${where} HAVING count(*) ${rng.chance(0.5) ? 'NOT ' : ''}IN (SELECT w / 10 FROM u WHERE w > ${w()})`,
    () => `SELECT coalesce((SELECT w FROM u WHERE w = ${w()}), max(id)) FROM t${where}`,
  ])();
}

/**
 * A scalar subquery of several rows (w > 90 holds for two rows of u at least) where nothing needs
 * its value: after a coalesce argument that is never NULL, in a CASE arm never reached, beside
 * an AND/OR operand that decides. sqlite3 would take its first row and we (as PostgreSQL) refuse
 * it where the value is needed, so only where it is not do the answers compare.
 */
function unneededSubquery(rng: Random, where: string): string {
  const many = `(SELECT ${rng.pick(['w', 'g', 'w / 10'])} FROM u WHERE w > ${rng.between(0, 90)})`;
  return rng.pick([
    () => `SELECT id, coalesce(${rng.pick(['id', 'g, id', 'id * 2', 'g, -id'])}, ${many}) FROM t${where}`,
    () => `SELECT id, CASE WHEN id ${rng.pick(['> 0', '>= 1'])} THEN ${intChain(rng, 2)} ELSE ${many} END FROM t${where}`,
    () => `SELECT id, CASE WHEN ${predicateAtom(rng)} THEN g WHEN id > 0 THEN ${intChain(rng, 2)} ELSE ${many} END FROM t${where}`,
    () => `SELECT id, g FROM t WHERE (id > 0 OR ${many} > ${rng.between(0, 9)}) AND ${predicateChain(rng, 0)}`,
    () => `SELECT id, g FROM t WHERE id < 1 AND ${many} > ${rng.between(0, 9)} OR ${predicateChain(rng, 0)}`,
    () => `SELECT count(*), coalesce(max(id), ${many}) FROM t`,
  ])();
}

/**
 * A subquery aggregate over only outer (t) columns: it belongs to the outer query (SQL
 * standard), which becomes an aggregate over its own rows. Each subquery answers at most one
 * row (w is unique), as PostgreSQL requires of a scalar subquery.
 */
function outerAggregateQuery(rng: Random, where: string): string {
  const agg = (): string => `${rng.pick(['max', 'min', 'sum', 'count'])}(t.${rng.pick(['id', 'g'])})`;
  const w = (): number => rng.between(0, 12) * 10;
  return rng.pick([
    () => `SELECT (SELECT ${agg()} FROM u WHERE w = ${w()}) FROM t${where}`,
    () => `SELECT (SELECT ${agg()} FROM u WHERE w = ${w()}), count(*) FROM t${where}`,
    // The subquery's own aggregate (min(u.w)) next to the outer one, per group of the outer query.
    () => `SELECT t.g, (SELECT ${agg()} + min(u.w) FROM u WHERE u.w > ${w()}) FROM t${where} GROUP BY t.g`,
    () => `SELECT g, count(*) FROM t${where} GROUP BY g HAVING (SELECT ${agg()} FROM u WHERE w = ${w()}) > ${rng.between(-5, 150)}`,
    // Two levels down, still the outermost query's aggregate.
    () => `SELECT (SELECT count(*) FROM u WHERE u.g IN (SELECT ${agg()} % 7 FROM u u2)) FROM t${where}`,
  ])();
}

/** A window ORDER BY over nullable keys, NULLS always spelled (sqlite's default differs), `id` last when `total`. */
function windowOrder(rng: Random, total: boolean): string {
  const keys = Array.from({ length: rng.between(1, 2) }, () =>
    `${rng.pick(['g', 'v', 's', 'g % 3', '-v', 'id % 4'])}${rng.pick(['', ' ASC', ' DESC'])}${rng.pick([' NULLS FIRST', ' NULLS LAST'])}`);
  if (total) keys.push(`id${rng.pick(['', ' DESC'])}`);
  return `ORDER BY ${keys.join(', ')}`;
}

/** A ROWS or RANGE frame; RANGE only with UNBOUNDED and CURRENT ROW bounds (offsets are refused). */
function windowFrame(rng: Random): string {
  const n = (): number => rng.between(0, 4);
  return rng.pick([
    () => `ROWS BETWEEN ${n()} PRECEDING AND CURRENT ROW`,
    () => `ROWS BETWEEN CURRENT ROW AND ${n()} FOLLOWING`,
    () => `ROWS BETWEEN ${n()} PRECEDING AND ${n()} FOLLOWING`,
    () => `ROWS BETWEEN UNBOUNDED PRECEDING AND ${n()} ${rng.pick(['PRECEDING', 'FOLLOWING'])}`,
    () => `ROWS BETWEEN ${n()} ${rng.pick(['PRECEDING', 'FOLLOWING'])} AND UNBOUNDED FOLLOWING`,
    () => `ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING`,
    // Bounds of one kind in either order: start past end is an empty frame, not an error.
    () => {
      const kind = rng.pick(['PRECEDING', 'FOLLOWING']);
      return `ROWS BETWEEN ${n()} ${kind} AND ${n()} ${kind}`;
    },
    () => `ROWS ${rng.pick(['UNBOUNDED PRECEDING', `${n()} PRECEDING`, 'CURRENT ROW'])}`,
    () => `RANGE BETWEEN ${rng.pick(['UNBOUNDED PRECEDING', 'CURRENT ROW'])} AND ${rng.pick(['CURRENT ROW', 'UNBOUNDED FOLLOWING'])}`,
    () => 'RANGE UNBOUNDED PRECEDING',
  ])();
}

/**
 * A window function call. Functions whose answer depends on the order of peers (row_number,
 * lag, lead, first/last/nth_value, ntile, ROWS frames) get a total order ending in id; rank,
 * dense_rank, percent_rank, cume_dist and default (RANGE) frames are compared with ties left in.
 */
function windowCall(rng: Random): string {
  const partition = rng.chance(0.6) ? `PARTITION BY ${rng.pick(['g', 's', 'g % 3', 'g, s', 'id % 5'])} ` : '';
  const aggregate = (): string => rng.pick(['count(*)', 'count(v)', 'sum(g)', 'sum(v)', 'avg(g)', 'min(v)', 'max(s)', 'max(g)', 'avg(v)']);
  return rng.pick([
    () => `row_number() OVER (${partition}${windowOrder(rng, true)})`,
    () => `${rng.pick(['rank', 'dense_rank'])}() OVER (${partition}${windowOrder(rng, rng.chance(0.2))})`,
    () => {
      const value = rng.pick(['g', 'v', 's', 'g * 2']);
      const fallback = value === 's' ? rng.pick(["'none'", 's']) : rng.pick(['0', '-1', 'id']);
      const offset = rng.chance(0.5) ? `, ${rng.between(0, 3)}${rng.chance(0.5) ? `, ${fallback}` : ''}` : '';
      return `${rng.pick(['lag', 'lead'])}(${value}${offset}) OVER (${partition}${windowOrder(rng, true)})`;
    },
    () => `${rng.pick(['first_value', 'last_value'])}(${rng.pick(['g', 'v', 's', 'id'])}) OVER (${partition}${windowOrder(rng, true)}${rng.chance(0.5) ? ` ${windowFrame(rng)}` : ''})`,
    () => `nth_value(${rng.pick(['g', 'v', 's', 'id'])}, ${rng.between(1, 4)}) OVER (${partition}${windowOrder(rng, true)}${rng.chance(0.5) ? ` ${windowFrame(rng)}` : ''})`,
    () => `ntile(${rng.between(1, 7)}) OVER (${partition}${windowOrder(rng, true)})`,
    // Both count peers together, so ties are left in.
    () => `${rng.pick(['percent_rank', 'cume_dist'])}() OVER (${partition}${windowOrder(rng, rng.chance(0.2))})`,
    () => `${aggregate()} OVER (${partition}${rng.chance(0.3) ? '' : windowOrder(rng, false)})`,
    () => `${aggregate()} OVER (${partition}${windowOrder(rng, true)} ${windowFrame(rng)})`,
    () => `${aggregate()} OVER (${partition}${windowOrder(rng, false)} ${rng.pick(['RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW', 'RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING'])})`,
  ])();
}

/** Window functions in the select list, in expressions, over GROUP BY, after WHERE, and in ORDER BY. */
function windowQuery(rng: Random): string {
  const where = rng.chance(0.6) ? ` WHERE ${predicateChain(rng, 0)}` : '';
  return rng.pick([
    () => `SELECT id, ${windowCall(rng)} FROM t${where}`,
    () => `SELECT id, g, ${windowCall(rng)}, ${windowCall(rng)} FROM t${where}`,
    () => `SELECT id, v - lag(v) OVER (${windowOrder(rng, true)}), g + ${rng.pick(['count(*)', 'sum(g)', 'max(id)', 'rank()'])} OVER (${windowOrder(rng, false)}) FROM t${where}`,
    () => `SELECT id, avg(v) OVER (ORDER BY id ROWS BETWEEN ${rng.between(1, 6)} PRECEDING AND CURRENT ROW) FROM t${where}`,
    () => `SELECT g, count(*), sum(count(*)) OVER (ORDER BY g NULLS FIRST), rank() OVER (ORDER BY count(*) DESC NULLS LAST) FROM t${where} GROUP BY g`,
    () => `SELECT id, g FROM t${where} ORDER BY ${windowCall(rng)} NULLS FIRST, id LIMIT ${rng.between(1, 20)}`,
    () => `SELECT d.id FROM (SELECT id, row_number() OVER (PARTITION BY g ORDER BY v DESC NULLS LAST, id) AS rn FROM t${where}) AS d WHERE d.rn ${rng.pick(['=', '<=', '>'])} ${rng.between(1, 3)}`,
  ])();
}

/**
 * A chain of set operations. sqlite3 gives INTERSECT the same precedence as UNION/EXCEPT
 * (PostgreSQL binds it tighter), so INTERSECT only appears in chains of INTERSECTs.
 */
function setOperationQuery(rng: Random): string {
  const member = (): string => rng.pick([
    () => `SELECT g, s FROM t WHERE ${predicateChain(rng, 0)}`,
    () => `SELECT g, 'u' FROM u WHERE w ${rng.pick(['<', '>'])} ${rng.between(0, 110)}`,
    () => `SELECT g % 3, s FROM t WHERE ${predicateChain(rng, 0)}`,
  ])();
  const ops = rng.chance(0.3) ? ['INTERSECT', 'INTERSECT ALL'] : ['UNION', 'UNION ALL', 'EXCEPT', 'EXCEPT ALL'];
  // sqlite3 has no INTERSECT ALL / EXCEPT ALL: only UNION ALL keeps its ALL.
  const supported = ops.filter((op) => op === 'UNION ALL' || !op.endsWith(' ALL'));
  let text = member();
  for (let i = rng.between(1, 3); i > 0; i--) text += ` ${rng.pick(supported)} ${member()}`;
  const order = rng.chance(0.5) ? ` ORDER BY 1 ${rng.pick(['ASC', 'DESC'])} NULLS FIRST, 2 NULLS LAST` : '';
  const limit = order !== '' && rng.chance(0.5) ? ` LIMIT ${rng.between(0, 8)} OFFSET ${rng.between(0, 3)}` : '';
  return `${text}${order}${limit}`;
}

/**
 * INT meeting FLOAT over b(id, n INT past 2^53, f FLOAT): coalesce, sums, lag's default, set
 * operations and groups of both columns. Where the result is FLOAT an INT must become a double
 * (2^53 and 2^53.0 are one value; a bigint summed with a double is a TypeError).
 */
function intFloatQuery(rng: Random): string {
  const fallback = rng.pick(['0.5', 'f', '-0.5']);
  const prefix = `id <= ${rng.between(1, 6)}`;
  const [first, second] = rng.chance(0.5) ? ['n', 'f'] : ['f', 'n'];
  return rng.pick([
    () => `SELECT id, coalesce(n, ${fallback}), coalesce(f, n) FROM b WHERE ${prefix}`,
    () => `SELECT sum(coalesce(n, ${fallback})), sum(coalesce(f, n)), count(*) FROM b WHERE ${prefix}`,
    () => `SELECT avg(n), sum(n), min(coalesce(n, 0.5)), max(coalesce(f, n)) FROM b WHERE ${prefix}`,
    () => `SELECT id, ${rng.pick(['lag', 'lead'])}(n, ${rng.between(1, 2)}, ${rng.pick(['0.5', 'f'])}) OVER (ORDER BY id) FROM b`,
    () => `SELECT id, sum(coalesce(n, 0.5)) OVER (ORDER BY id) FROM b`,
    () => `SELECT ${first} FROM b ${rng.pick(['UNION', 'UNION ALL', 'INTERSECT', 'EXCEPT'])} SELECT ${second} FROM b`,
    () => `SELECT x, count(*) FROM (SELECT ${first} AS x FROM b UNION ALL SELECT ${second} FROM b) d GROUP BY x`,
    () => `SELECT id, x + 1 FROM (SELECT id, nullif(NULL, n) AS x FROM b) d`,
  ])();
}

/** date_part(field, t) in sqlite3's terms: strftime's fields, ISO weeks by the week's Thursday. */
const SQLITE_PART: Readonly<Record<string, (time: string) => string>> = (() => {
  const at = (format: string, t: string, shift = ''): string => `CAST(strftime('${format}', ${t}, 'unixepoch'${shift}) AS INT)`;
  const thursday = ", '-3 days', 'weekday 4'";
  return {
    epoch: (t) => `(${t})`,
    second: (t) => at('%S', t),
    millisecond: (t) => `(${at('%S', t)} * 1000)`,
    minute: (t) => at('%M', t),
    hour: (t) => at('%H', t),
    day: (t) => at('%d', t),
    dow: (t) => at('%w', t),
    isodow: (t) => `((${at('%w', t)} + 6) % 7 + 1)`,
    doy: (t) => at('%j', t),
    week: (t) => `((${at('%j', t, thursday)} - 1) / 7 + 1)`,
    month: (t) => at('%m', t),
    quarter: (t) => `((${at('%m', t)} + 2) / 3)`,
    year: (t) => at('%Y', t),
    isoyear: (t) => at('%Y', t, thursday),
    decade: (t) => `(${at('%Y', t)} / 10)`,
    century: (t) => `((${at('%Y', t)} + 99) / 100)`,
    millennium: (t) => `((${at('%Y', t)} + 999) / 1000)`,
  };
})();

/** date_trunc(unit, t) in sqlite3's terms: seconds and modifiers (it has no date_trunc). */
const SQLITE_TRUNC: Readonly<Record<string, (time: string) => string>> = {
  second: (t) => `unixepoch(${t}, 'unixepoch')`,
  minute: (t) => `(unixepoch(${t}, 'unixepoch') / 60 * 60)`,
  hour: (t) => `(unixepoch(${t}, 'unixepoch') / 3600 * 3600)`,
  day: (t) => `unixepoch(${t}, 'unixepoch', 'start of day')`,
  week: (t) => `unixepoch(${t}, 'unixepoch', '-6 days', 'weekday 1', 'start of day')`,
  month: (t) => `unixepoch(${t}, 'unixepoch', 'start of month')`,
  year: (t) => `unixepoch(${t}, 'unixepoch', 'start of year')`,
};

/** A variance or standard deviation as sums (sqlite3 divides by zero into NULL, as a sample of one must answer). */
function sqliteSpread(name: string, x: string): string {
  const n = `count(${x})`;
  const squares = `(sum((${x}) * (${x})) * 1.0 - sum(${x}) * 1.0 * sum(${x}) / ${n})`;
  const variance = `(${squares} / (${n}${name.endsWith('_pop') ? '' : ' - 1'}))`;
  return name.startsWith('stddev') ? `sqrt(${variance})` : variance;
}

/**
 * sqlite3's spelling of a query: it has no `x::type`, strpos or position (instr, haystack
 * first), char_length (length), nor date_trunc.
 */
export function forSqlite(sql: string): string {
  return sql.replace(/\b(\w+)::(\w+)/g, 'CAST($1 AS $2)')
    .replace(/^SELECT DISTINCT ON \(([^()]+)\) (.+?) FROM t(.*?) ORDER BY (.+)$/,
      'SELECT $2 FROM (SELECT *, row_number() OVER (PARTITION BY $1 ORDER BY $4) AS rn_ FROM t$3) WHERE rn_ = 1 ORDER BY $4')
    .replace(/\b(variance|var_samp|var_pop|stddev|stddev_samp|stddev_pop)\(([^()]*)\)/g, (_all, name: string, x: string) => sqliteSpread(name, x))
    .replace(/\b(?:bool_and|every)\(/g, 'min(')
    .replace(/\bbool_or\(/g, 'max(')
    .replace(/\bstring_agg\(/g, 'group_concat(')
    .replace(/\bdate_trunc\('(\w+)', ([^()]*)\)/g, (_all, unit: string, time: string) => (SQLITE_TRUNC[unit.toLowerCase().replace(/s$/, '')] as (t: string) => string)(time))
    .replace(/\bdate_part\('(\w+)', ([^()]*)\)/g, (_all, field: string, time: string) => (SQLITE_PART[field] as (t: string) => string)(time))
    .replace(/\bextract\((\w+) FROM ([^()]*)\)/g, (_all, field: string, time: string) => (SQLITE_PART[field.toLowerCase()] as (t: string) => string)(time))
    .replace(/\(([^()]*)\) (NOT )?ILIKE ('[^']*')/g, 'lower($1) $2LIKE lower($3)')
    .replace(/\bgenerate_series\(([^()]*)\) AS (\w+)\((\w+)\)/g, '(SELECT value AS $3 FROM generate_series($1)) AS $2')
    .replace(/\bstrpos\(/g, 'instr(')
    .replace(/\bchar(?:acter)?_length\(/g, 'length(')
    .replace(/\bposition\(('[^']*') IN ([^)]*)\)/g, 'instr($2, $1)');
}

/** One SELECT over t(id, g, v, s), u(g, w) and b(id, n, f). */
export function randomQuery(rng: Random): string {
  const where = rng.chance(0.9) ? ` WHERE ${predicateChain(rng)}` : '';
  return rng.pick([
    () => `SELECT id, g, v, s FROM t${where}`,
    () => `SELECT id, g, v, s FROM t${where}`,
    () => `SELECT id, ${intChain(rng)}, ${floatChain(rng)}, ${stringTerm(rng)} FROM t${where}`,
    () => `SELECT g, count(*), sum(v), min(s), max(id), avg(g), count(s) FROM t${where} GROUP BY g`,
    () => `SELECT s, count(*), sum(g), max(v) FROM t${where} GROUP BY s HAVING ${predicateChain(rng, 0).replace(/\bg\b/g, 'sum(g)').replace(/\bv\b/g, 'max(v)').replace(/\bid\b/g, 'count(*)')}`,
    () => `SELECT DISTINCT s FROM t${where}`,
    // ORDER BY a select-list item spelled another way (qualified, or a repeated expression).
    () => `SELECT DISTINCT t.g, s, g % 3 FROM t${where} ORDER BY ${rng.pick(['g', 't.g'])} ${rng.pick(['ASC', 'DESC'])} NULLS LAST, ${rng.pick(['t.s', 's'])} NULLS FIRST, t.g % 3 NULLS LAST`,
    () => `SELECT count(*), sum(id), min(v), max(s) FROM t${where}`,
    // sqlite's total(): a FLOAT, 0 where sum is NULL.
    () => (rng.chance(0.5)
      ? `SELECT g, total(v), total(g), total(DISTINCT g), sum(g) FROM t${where} GROUP BY g`
      : `SELECT total(v), total(g), total(DISTINCT g) FROM t${where}`),
    // COUNT(col) alone: a columnar table reads only the columns' null flags.
    () => {
      const by = rng.pick(['g', 's', '']);
      return `SELECT ${by === '' ? '' : `${by}, `}count(v), count(s), count(g) FROM t WHERE id ${rng.pick(['<', '>'])} ${rng.between(0, 150)}${by === '' ? '' : ' GROUP BY 1'}`;
    },
    () => `SELECT t.id, u.w FROM t JOIN u USING (g)${where.replace(/\b(g|v|s|id)\b/g, 't.$1')}`,
    () => `SELECT t.id, u.w FROM t LEFT JOIN u USING (g)${where.replace(/\b(g|v|s|id)\b/g, 't.$1')}`,
    () => `SELECT t.id, u.w, u.g FROM t LEFT ${rng.chance(0.5) ? 'OUTER ' : ''}JOIN u ON t.g = u.g AND u.w ${rng.pick(['<', '>', '='])} ${rng.between(0, 110)}${where.replace(/\b(g|v|s|id)\b/g, 't.$1')}`,
    () => `SELECT t.id FROM t LEFT JOIN u ON t.g ${rng.pick(['=', '<'])} u.g WHERE u.w IS NULL OR ${predicateChain(rng, 0).replace(/\b(g|v|s|id)\b/g, 't.$1')}`,
    () => `SELECT t.g, count(u.w), sum(u.w) FROM t LEFT JOIN u USING (g) GROUP BY t.g`,
    // NATURAL: the columns t and u share (g), as USING.
    () => `SELECT t.id, g, u.w FROM t NATURAL ${rng.pick(['', 'INNER ', 'LEFT ', 'LEFT OUTER '])}JOIN u${where.replace(/\b(v|s|id)\b/g, 't.$1')}`,
    () => outerJoinQuery(rng, where.replace(/\b(g|v|s|id)\b/g, 't.$1')),
    () => seriesQuery(rng),
    () => recursiveQuery(rng, where),
    () => distinctOnQuery(rng, where),
    // Equalities in ON between the tables (a column or an expression of t against a column of u) are hashed.
    () => `SELECT t.id, u.w FROM t ${rng.pick(['', 'LEFT '])}JOIN u ON ${rng.pick(['u.g = t.g', 't.g = u.g', `u.g = t.g + ${rng.between(-1, 1)}`, 't.id % 5 = u.g', 'u.g = t.id - t.g',
      // The joined table's side an expression too (hashed on it), or both sides mixed (not hashed).
      `u.g + ${rng.between(-1, 1)} = t.g`, `t.g = u.g * ${rng.between(-1, 2)}`, 't.id % 5 = u.w % 7', 'abs(u.g) = t.g', 'u.g - t.g = 0',
      'u.w / 10 = t.g AND u.g = t.g',
      // A guard before a key that divides by zero: the key is not computed where the guard fails.
      't.g <> 0 AND u.g = 12 / t.g', 'u.g <> 0 AND t.g = 12 / u.g'])}${rng.chance(0.5) ? ` AND u.w ${rng.pick(['<', '>'])} ${rng.between(0, 110)}` : ''}${where.replace(/\b(g|v|s|id)\b/g, 't.$1')}`,
    () => `SELECT d.g, d.n, d.m FROM (SELECT g, count(*) AS n, max(v) AS m FROM t${where} GROUP BY g) AS d WHERE d.n ${rng.pick(['>', '>=', '<'])} ${rng.between(0, 5)}`,
    () => `SELECT avg(d.x), count(*) FROM (SELECT ${intChain(rng)} AS x FROM t${where}) d`,
    // A derived column of only NULLs takes the type its use asks for, as the NULL literal does.
    () => `SELECT d.x + ${rng.pick(['1', '0.5'])}, g FROM (SELECT NULL AS x, g FROM t${where}) d WHERE d.x BETWEEN 0 AND 1 OR ${rng.between(0, 3)} IN (d.x, g)`,
    () => `WITH c AS (SELECT g, count(*) AS n, sum(v) AS sv FROM t${where} GROUP BY g) SELECT g, n, sv FROM c WHERE n ${rng.pick(['>', '<='])} ${rng.between(0, 4)}`,
    () => `WITH a AS (SELECT id, g FROM t${where}), b AS (SELECT g, max(w) AS mw FROM u GROUP BY g) SELECT a.id, b.mw FROM a LEFT JOIN b USING (g)`,
    () => `SELECT t.id, d.total FROM t JOIN (SELECT g, sum(w) AS total FROM u GROUP BY g) AS d USING (g)${where.replace(/\b(g|v|s|id)\b/g, 't.$1')}`,
    () => `SELECT t.id, d.w FROM t LEFT JOIN (SELECT g, w FROM u WHERE w ${rng.pick(['<', '>'])} ${rng.between(0, 110)}) d ON t.g = d.g${where.replace(/\b(g|v|s|id)\b/g, 't.$1')}`,
    () => `SELECT id, g, v, s FROM t${where} ORDER BY ${orderKeys(rng)}, id`,
    // Ordered by the primary key alone: read in key order, forwards or backwards, LIMIT stopping early.
    () => `SELECT id, g FROM t${where} ORDER BY ${rng.pick(['id', 'id ASC', 'id DESC', 't.id DESC', '1 DESC', '1'])}${rng.chance(0.7) ? ` LIMIT ${rng.between(0, 20)}${rng.chance(0.3) ? ` OFFSET ${rng.between(0, 5)}` : ''}` : ''}`,
    () => `SELECT id AS k, v FROM t WHERE id ${rng.pick(['<', '>', '>=', '<='])} ${rng.between(0, 150)} ORDER BY k ${rng.pick(['ASC', 'DESC'])} LIMIT ${rng.between(1, 10)}`,
    () => `SELECT id, ${functionItem(rng)}, ${functionItem(rng)} FROM t${where}`,
    () => `SELECT id, ${mathItem(rng)}, ${mathItem(rng)} FROM t${where}`,
    // Date texts of every form, valid more often than not, so zones and separators are met.
    () => `SELECT id, ${dateCall(rng)}, ${dateCall(rng)}, ${dateCall(rng)} FROM t WHERE id < 3`,
    () => `SELECT id, ${modifiedDateCall(rng)}, ${modifiedDateCall(rng)} FROM t WHERE id < 4`,
    () => `SELECT id, ${truncCall(rng)}, ${truncCall(rng)}, ${truncCall(rng)} FROM t WHERE id < 4`,
    () => `SELECT id, ${partCall(rng)}, ${partCall(rng)}, ${partCall(rng)} FROM t WHERE id < 6`,
    () => `SELECT ${partCall(rng).replace(/\bid\b/g, 'g')}, count(*) FROM t GROUP BY 1`,
    () => setOperationQuery(rng),
    () => `SELECT id, g FROM t WHERE ${subqueryAtom(rng)} ${rng.pick(['AND', 'OR'])} ${predicateChain(rng, 0)}`,
    () => `SELECT id, (SELECT count(*) FROM u WHERE w > ${rng.between(0, 100)}) FROM t WHERE ${subqueryAtom(rng)}`,
    // A subquery answering an INT is an expression, never a select-list position.
    () => `SELECT id, g FROM t${where} ORDER BY (SELECT count(*) FROM u WHERE w > ${rng.between(0, 120)})${rng.pick(['', ' DESC'])}, id${rng.pick(['', ' DESC'])}`,
    () => `SELECT count(*), max(v) FROM t${where} GROUP BY (SELECT ${rng.pick(['max(w)', 'count(*)', 'min(w) % 7'])} FROM u WHERE w > ${rng.between(0, 120)})`,
    // Beside another key, and inside an expression: still a constant, never position 1 or 2.
    () => `SELECT g, count(*) FROM t${where} GROUP BY (SELECT count(*) % 3 FROM u WHERE w > ${rng.between(0, 120)}), g`,
    () => `SELECT id, g FROM t${where} ORDER BY (SELECT count(*) FROM u WHERE w > ${rng.between(80, 120)}) + 1, id DESC`,
    // An aggregate stays one even when the subquery beside it is empty (or constant).
    () => `SELECT CASE WHEN count(*) ${rng.chance(0.5) ? 'NOT ' : ''}IN (SELECT g FROM u WHERE w > ${rng.between(60, 130)}) THEN 1 ELSE 0 END, max(g) FROM t${where}`,
    () => aggregateBesideSubquery(rng, where),
    () => unneededSubquery(rng, where),
    () => outerAggregateQuery(rng, where),
    () => correlatedQuery(rng),
    () => correlatedQuery(rng),
    () => correlatedOnQuery(rng),
    () => windowQuery(rng),
    () => windowQuery(rng),
    () => intFloatQuery(rng),
    () => filteredAggregateQuery(rng, where),
    () => stringAggregateQuery(rng, where),
    () => statisticQuery(rng, where),
    () => `SELECT id, ${functionItem(rng)} FROM t WHERE ${caseExpr(rng)} ${rng.pick(['>', '=', '<='])} ${rng.between(-3, 3)}`,
  ])();
}

/**
 * WITH RECURSIVE in the forms both engines take, each ending by itself: a count up with its
 * rows joined to t, walks from t's rows along id (UNION ALL bounded by a depth, UNION by the
 * rows it made before), residues that repeat, a string grown a letter a round; and WITH
 * column lists. Types agree between the parts, as PostgreSQL requires.
 */
function recursiveQuery(rng: Random, where: string): string {
  const union = rng.pick(['UNION', 'UNION ALL']);
  const start = rng.between(-3, 3);
  const count = `c(x) AS (SELECT ${start} UNION ALL SELECT x + ${rng.between(1, 3)} FROM c WHERE x < ${start + rng.between(0, 12)})`;
  const walk = `r(id, g, depth) AS (SELECT id, g, 0 FROM t${where} ${union} SELECT t.id, t.g, r.depth + 1 FROM r JOIN t ON t.id = r.id + ${rng.between(1, 9)}${rng.chance(0.5) ? ` AND t.g ${rng.pick(['>', '<', '<>'])} ${rng.between(-2, 2)}` : ''} WHERE r.depth < ${rng.between(0, 6)})`;
  const residues = `m(x) AS (SELECT g FROM t WHERE g IS NOT NULL${where.replace(' WHERE ', ' AND ')} UNION SELECT (x * ${rng.between(2, 5)} + ${rng.between(0, 4)}) % ${rng.between(3, 17)} FROM m)`;
  return rng.pick([
    () => `WITH RECURSIVE ${count} SELECT x FROM c`,
    () => `WITH RECURSIVE ${count} SELECT c.x, count(t.id), max(t.v) FROM c LEFT JOIN t ON t.g = c.x GROUP BY c.x`,
    () => `WITH RECURSIVE ${walk} SELECT id, g, depth FROM r`,
    () => `WITH RECURSIVE ${walk} SELECT depth, count(*), sum(g) FROM r GROUP BY depth`,
    // A first part of only NULLs: the recursive part's FLOAT types the column, whole values too.
    () => `WITH RECURSIVE h(n, x) AS (SELECT 1, NULL UNION ALL SELECT n + 1, n * ${rng.pick(['1.0', '1.5', '2.0'])} FROM h WHERE n < ${rng.between(1, 5)}) SELECT n, x / 2, x FROM h`,
    () => `WITH RECURSIVE ${residues} SELECT x FROM m`,
    () => `WITH RECURSIVE w(n, s) AS (SELECT 1, ${rng.pick(["'a'", "''"])} UNION ALL SELECT n + 1, s || ${rng.pick(["'b'", "'cd'"])} FROM w WHERE n < ${rng.between(1, 6)}) SELECT n, s, length(s) FROM w`,
    () => `WITH RECURSIVE ${count}, d(k, n) AS (SELECT g, count(*) FROM t${where} GROUP BY g) SELECT c.x, d.n FROM c JOIN d ON d.k = c.x`,
    () => `WITH d(k, n) AS (SELECT g, count(*) FROM t${where} GROUP BY g) SELECT k, n FROM d WHERE n ${rng.pick(['>', '<='])} ${rng.between(0, 4)}`,
    // Named only inside expression subqueries, correlated or not.
    () => `WITH c AS (SELECT g, w FROM u WHERE w > ${rng.between(0, 110)}) SELECT id, g FROM t WHERE g ${rng.pick(['IN', 'NOT IN'])} (SELECT g FROM c)${where.replace(' WHERE ', ' AND ')}`,
    () => `WITH c AS (SELECT g, w FROM u) SELECT id, (SELECT count(*) FROM c WHERE c.g = t.g), (SELECT max(c.w) FROM c WHERE c.g ${rng.pick(['<', '='])} t.g) FROM t${where}`,
    // Unqualified: cg is the WITH query's, g the outer row's.
    () => `WITH c AS (SELECT g AS cg, w FROM u) SELECT id, (SELECT count(*) FROM c WHERE cg ${rng.pick(['=', '<'])} g) FROM t WHERE ${rng.pick(['', 'NOT '])}EXISTS (SELECT 1 FROM c WHERE cg = g AND w > ${rng.between(0, 110)})`,
  ])();
}

/**
 * DISTINCT ON over a total order (sqlite3 has none: forSqlite keeps each partition's first row
 * by row_number over the same order), with a WHERE, keys that are columns or expressions.
 */
function distinctOnQuery(rng: Random, where: string): string {
  const key = rng.pick(['g', 's', 'g % 3', 'g, s']);
  const first = key.split(', ').map((k) => `${k} ${rng.pick(['', 'DESC '])}NULLS ${rng.pick(['FIRST', 'LAST'])}`).join(', ');
  const then = rng.pick(['v DESC NULLS LAST', 'v NULLS FIRST', 's NULLS LAST', 'id DESC', 'g NULLS FIRST']);
  return `SELECT DISTINCT ON (${key}) ${key}, id, v FROM t${where} ORDER BY ${first}, ${then}, id`;
}

/**
 * generate_series in FROM (sqlite3's shell has it, counting up only, its column named value:
 * forSqlite wraps it), alone, filtered, and as the steps a LEFT JOIN fills from t.
 */
function seriesQuery(rng: Random): string {
  const series = `generate_series(${rng.between(-6, 3)}, ${rng.between(-2, 9)}${rng.chance(0.5) ? `, ${rng.between(1, 3)}` : ''}) AS q(x)`;
  return rng.pick([
    () => `SELECT x, x * 2 FROM ${series}`,
    () => `SELECT q.x, count(t.id), sum(t.v) FROM ${series} LEFT JOIN t ON t.g = q.x GROUP BY q.x`,
    () => `SELECT t.id, q.x FROM t JOIN ${series} ON q.x = t.g WHERE ${predicateChain(rng, 0).replace(/\b(g|v|s|id)\b/g, 't.$1')}`,
    () => `SELECT count(*), min(x), max(x) FROM ${series} WHERE x % 2 = 0`,
    // The series named like the table t, which stays visible beside it.
    () => `SELECT t.x, u.g FROM ${series.replace('AS q(x)', 'AS t(x)')} JOIN t AS u ON u.id = t.x`,
  ])();
}

/**
 * RIGHT and FULL joins (sqlite3 has them since 3.39): hashed (an equality) or not, after a WHERE
 * on the first table (whose unmatched rows come back NULL), grouped, and three tables deep.
 */
function outerJoinQuery(rng: Random, where: string): string {
  const kind = (): string => `${rng.pick(['RIGHT', 'FULL', 'RIGHT OUTER', 'FULL OUTER'])} JOIN`;
  const on = rng.pick(['t.g = u.g', 'u.g = t.g + 1', 't.g < u.g', 't.id % 5 = u.g', 't.g = u.g AND u.w > 40', 'u.g - 1 = t.g', 't.id % 4 = u.w % 5', 't.g <> 0 AND u.g = 12 / t.g']);
  return rng.pick([
    () => `SELECT t.id, t.g, u.g, u.w FROM t ${kind()} u ON ${on}${where}`,
    () => `SELECT u.g, count(t.id), sum(u.w), max(t.s) FROM t ${kind()} u ON ${on}${where} GROUP BY u.g`,
    () => `SELECT u.w, u.g, t.id FROM u ${kind()} t ON ${on}${where}`,
    () => `SELECT t.id, u.w, t2.id FROM t ${rng.pick(['LEFT JOIN', 'JOIN', kind()])} u ON ${on} ${kind()} t t2 ON ${rng.pick(['t2.id = u.w / 10', 't2.id * 10 = u.w', 'u.w = 10 * t2.id + t2.g % 2'])}${where}`,
    // The first table aliased and joined to itself by name, WHERE naming the second.
    () => `SELECT o.id, t.id FROM t AS o ${rng.pick(['JOIN', 'LEFT JOIN', kind()])} t ON o.g ${rng.pick(['<', '=', '>='])} t.g WHERE t.id ${rng.pick(['=', '<', '>'])} ${rng.between(1, 150)}`,
    // USING and NATURAL: the one g is t's where t has the row, else u's (unqualified, in WHERE too).
    () => `SELECT g, t.id, u.w, t.g, u.g FROM t ${kind()} u USING (g)${where.replace(/\bt\.g\b/g, 'g')}`,
    () => {
      const [left, right] = rng.pick([['t', 'u'], ['u', 't'], ['t', 'b'], ['b', 't'], ['u', 'b']] as const);
      return `SELECT * FROM ${left} NATURAL ${kind()} ${right}${left === 't' || right === 't' ? where.replace(/\bt\./g, '') : ''}`;
    },
    () => `SELECT g, count(*), sum(w), count(t.id) FROM t ${kind()} u USING (g) GROUP BY g`,
    // ORDER BY an alias named like the USING column sorts by the alias (t.*'s g: postgres-compare).
    () => `SELECT t.s AS g, t.id, u.w FROM t ${kind()} u USING (g) ORDER BY g ${rng.pick(['', 'DESC '])}NULLS FIRST, t.id NULLS FIRST, u.w NULLS FIRST`,
    () => `SELECT * FROM t ${kind()} u USING (g) ${rng.pick(['LEFT JOIN', 'JOIN', kind()])} b USING (id)`,
    () => `SELECT id, g, n, w FROM b ${kind()} t USING (id) ${rng.pick(['LEFT JOIN', kind()])} u USING (g) WHERE ${rng.pick(['g', 'id'])} ${rng.pick(['IS NULL', 'IS NOT NULL', '> 2', '< 50'])}`,
  ])();
}

/**
 * Aggregates with FILTER (WHERE ...), whose conditions are as rich as a WHERE's: beside plain
 * ones, DISTINCT, per group, and in HAVING (where a group whose rows all fail still counts 0).
 */
function filteredAggregateQuery(rng: Random, where: string): string {
  const filtered = (calls: readonly string[]): string => `${rng.pick(calls)} FILTER (WHERE ${predicateChain(rng, 1)})`;
  const any = ['count(*)', 'count(v)', 'sum(g)', 'sum(v)', 'avg(g)', 'min(s)', 'max(v)', 'count(DISTINCT g)', 'sum(DISTINCT g)', 'max(id)'];
  const counts = ['count(*)', 'count(s)', 'count(DISTINCT g)'];
  return rng.pick([
    () => `SELECT ${filtered(any)}, ${filtered(any)}, count(*) FROM t${where}`,
    () => `SELECT g, ${filtered(any)}, ${filtered(any)}, sum(v) FROM t${where} GROUP BY g`,
    () => `SELECT s, count(*) FROM t${where} GROUP BY s HAVING ${filtered(counts)} ${rng.pick(['>', '<=', '='])} ${rng.between(0, 3)}`,
    () => `SELECT g, ${filtered(counts)} - count(*) FROM t${where} GROUP BY g ORDER BY 2, g NULLS FIRST`,
  ])();
}

/**
 * PostgreSQL's variance and standard deviation (sqlite3 spells them as sums: forSqlite) and its
 * BOOLEAN aggregates (sqlite3's min and max of 0 and 1), whole or per group, FILTER on the latter. A
 * BOOLEAN answer is compared through CASE, since sqlite3 answers 1 and 0.
 */
function statisticQuery(rng: Random, where: string): string {
  // sqlite3's sums lose the last digits ours keep: both are compared at 6 decimals.
  const spread = (): string => `round(${rng.pick(['variance', 'var_samp', 'var_pop', 'stddev', 'stddev_samp', 'stddev_pop'])}(${rng.pick(['v', 'g', 'id', 'v * 4 + 1000', 'g + id'])}), 6)`;
  const truth = (): string => {
    // A spread is rewritten into several calls for sqlite3, so only a truth takes FILTER.
    const filter = rng.chance(0.3) ? ` FILTER (WHERE ${predicateChain(rng, 0)})` : '';
    const call = `${rng.pick(['bool_and', 'bool_or', 'every'])}(${predicateAtom(rng)})${filter}`;
    return `CASE WHEN ${call} THEN 1 WHEN NOT ${call} THEN 0 END`;
  };
  const item = (): string => (rng.chance(0.6) ? spread() : truth());
  return rng.chance(0.5)
    ? `SELECT ${item()}, ${item()}, count(*) FROM t${where}`
    : `SELECT ${rng.pick(['g', 's', 'g % 3'])}, ${item()}, ${item()} FROM t${where} GROUP BY 1`;
}

/**
 * string_agg / group_concat over rows a derived table put in order (sqlite3 3.40 takes no ORDER
 * BY inside the call, and joins values in the order rows reach it), whole or per group, with
 * and without a separator (NULL included), DISTINCT (one argument: sqlite3's rule).
 */
function stringAggregateQuery(rng: Random, where: string): string {
  const order = `${rng.pick(['id', 'id DESC', 'g NULLS FIRST, id', 's DESC NULLS LAST, id', 'v NULLS LAST, id DESC'])}`;
  const value = rng.pick(['s', 'id', 'g', "s || '.'", 'g * 10 + id']);
  const call = rng.pick([
    () => `group_concat(${value})`,
    () => `group_concat(${value}, ${rng.pick(["'-'", "''", "', '", 'NULL', 's'])})`,
    () => `string_agg(s, ${rng.pick(["'|'", "''", 's'])})`,
    () => `group_concat(DISTINCT ${rng.pick(['s', 'g', 'id % 3'])})`,
  ])();
  return rng.chance(0.5)
    ? `SELECT ${call}, count(*) FROM (SELECT * FROM t${where} ORDER BY ${order}) d`
    : `SELECT g, ${call} FROM (SELECT * FROM t${where} ORDER BY g NULLS FIRST, ${order}) d GROUP BY g`;
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

/** f(id, v FLOAT): 40 rows of values that cancel (1e16 + 1 - 1e16) beside short decimals and NULLs. */
export function floatSumData(rng: Random): string[] {
  const values = ['1e16', '-1e16', '1', '0.1', '0.2', '0.3', '-0.7', '0.001', '2.5', '3e15', 'NULL'];
  const rows = Array.from({ length: 40 }, (_, i) => `(${i + 1}, ${rng.pick(values)})`);
  return ['CREATE TABLE f (id INT PRIMARY KEY, v FLOAT)', `INSERT INTO f VALUES ${rows.join(', ')}`];
}

/**
 * A sum or average over f whose answer depends on the order of adding: of the table (filtered),
 * or over a window frame. 'from the start' draws only frames that begin at the first row.
 */
export function floatSumQuery(rng: Random, frames: 'from the start' | 'any'): string {
  if (rng.chance(0.3)) {
    return `SELECT ${rng.pick(['sum(v)', 'avg(v)'])}${frames === 'any' ? '' : ', total(v)'} FROM f WHERE id % ${rng.between(1, 4)} = ${rng.between(0, 1)}`;
  }
  const frame = frames === 'any' ? windowFrame(rng)
    : rng.pick(['', 'ROWS UNBOUNDED PRECEDING', `ROWS BETWEEN UNBOUNDED PRECEDING AND ${rng.between(0, 4)} ${rng.pick(['PRECEDING', 'FOLLOWING'])}`]);
  return `SELECT id, ${rng.pick(['sum(v)', 'avg(v)'])} OVER (ORDER BY id ${frame}) FROM f ORDER BY id`;
}

